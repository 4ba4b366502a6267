"""Application forms as data: a JSON Schema per service version, with bilingual labels.

A form is a JSON Schema object whose properties each name an e-Mitra field kind in
``x-field`` (``FIELD_KINDS``) and carry ``title``/``x-title-hi`` and optionally
``description``/``x-description-hi``. ``check_schema`` proves a schema uses only what this
module renders and validates (so nothing is silently ignored); ``bind`` validates a submission
on the server with translated messages and returns fields ready for the accessible template
``catalog/_schema_form.html`` (labels, ``aria-describedby`` to help and errors,
``aria-invalid``). Aadhaar numbers are checked with Verhoeff and shown masked.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from emitra.accounts.validators import MOBILE_RE, normalise_mobile
from emitra.core.masking import mask_aadhaar
from emitra.geo.models import Block, District, GramPanchayat
from emitra.registry import vault  # called through the module: the test suite watches it

FIELD_KINDS: Final = (
    "text",
    "textarea",
    "number",
    "choice",
    "checkbox",
    "date",
    "mobile",
    "pincode",
    "jan_aadhaar",
    "jan_aadhaar_member",
    "aadhaar",
    "district",
    "block",
    "gram_panchayat",
    "document",
)
DOCUMENT_TYPES: Final = {"pdf": "application/pdf", "jpeg": "image/jpeg", "png": "image/png"}
_SIGNATURES: Final = {
    "pdf": (b"%PDF-",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
_DIGITS = re.compile(r"^\d+$", re.ASCII)
_NAME = "^[a-z][a-z0-9_]{0,39}$"
_DEVANAGARI = ".*[\u0900-\u097f].*"

# The subset of JSON Schema (plus x- keywords) that forms may use.
FORM_META_SCHEMA: Final[dict[str, Any]] = {
    "type": "object",
    "required": ["type", "properties"],
    "additionalProperties": False,
    "properties": {
        "$schema": {"type": "string"},
        "type": {"const": "object"},
        "title": {"type": "string"},
        "x-title-hi": {"type": "string"},
        "required": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "x-order": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        "properties": {
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": _NAME},
            "additionalProperties": {
                "type": "object",
                "required": ["x-field", "title", "x-title-hi"],
                "additionalProperties": False,
                "properties": {
                    "type": {"enum": ["string", "integer", "boolean"]},
                    "x-field": {"enum": list(FIELD_KINDS)},
                    "title": {"type": "string", "minLength": 1},
                    "x-title-hi": {"type": "string", "pattern": _DEVANAGARI},
                    "description": {"type": "string"},
                    "x-description-hi": {"type": "string"},
                    "minLength": {"type": "integer", "minimum": 0},
                    "maxLength": {"type": "integer", "minimum": 1, "maximum": 2000},
                    "minimum": {"type": "integer"},
                    "maximum": {"type": "integer"},
                    "pattern": {"type": "string"},
                    "enum": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                    "x-enum-hi": {"type": "array", "items": {"type": "string"}},
                    "x-enum-en": {"type": "array", "items": {"type": "string"}},
                    "format": {"const": "date"},
                    "x-past": {"type": "boolean"},
                    "x-district-field": {"type": "string"},
                    "x-block-field": {"type": "string"},
                    "x-accept": {
                        "type": "array",
                        "items": {"enum": list(DOCUMENT_TYPES)},
                        "minItems": 1,
                    },
                    "x-max-kb": {"type": "integer", "minimum": 1, "maximum": 10240},
                    "x-document": {"type": "string"},
                },
            },
        },
    },
}


def check_schema(schema: Any) -> list[tuple[str, str]]:
    """Problems with a form schema as (path, message); empty when it is usable."""
    if not isinstance(schema, dict):
        return [("", "a form is a JSON object")]
    if not schema:
        return []  # a service without a form (bills, information)
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        return [("/".join(str(p) for p in exc.path), f"not valid JSON Schema: {exc.message}")]
    problems = [
        ("/".join(str(p) for p in error.absolute_path), error.message)
        for error in Draft202012Validator(FORM_META_SCHEMA).iter_errors(schema)
    ]
    if problems:
        return problems
    properties: dict[str, Any] = schema["properties"]
    if "x-order" in schema and set(schema["x-order"]) != set(properties):
        problems.append(("x-order", "x-order lists exactly the properties"))
    for name in schema.get("required", []):
        if name not in properties:
            problems.append(("required", f"“{name}” is required but not a property"))
    for name, spec in properties.items():
        kind = spec["x-field"]
        if kind == "choice":
            options = spec.get("enum", [])
            if not options:
                problems.append((f"properties/{name}", "a choice needs an enum"))
            for labels in ("x-enum-en", "x-enum-hi"):
                if labels in spec and len(spec[labels]) != len(options):
                    problems.append((f"properties/{name}/{labels}", "one label per option"))
        for ref in ("x-district-field", "x-block-field"):
            if ref in spec and spec[ref] not in properties:
                problems.append((f"properties/{name}/{ref}", f"no field “{spec[ref]}”"))
        if "pattern" in spec:
            try:
                re.compile(spec["pattern"])
            except re.error:
                problems.append((f"properties/{name}/pattern", "not a regular expression"))
    return problems


def with_order(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The schema with ``x-order`` (the order of its fields) made explicit, because
    PostgreSQL's jsonb does not keep the order of an object's keys."""
    copy = dict(schema)
    if copy and "x-order" not in copy:
        copy["x-order"] = list(copy.get("properties", {}))
    return copy


def ordered_properties(schema: Mapping[str, Any]) -> list[tuple[str, Any]]:
    properties: Mapping[str, Any] = schema.get("properties", {})
    order = schema.get("x-order") or list(properties)
    return [(name, properties[name]) for name in order if name in properties]


def _hindi() -> bool:
    return (get_language() or "hi").startswith("hi")


@dataclass
class Option:
    value: str
    label: str
    group: str = ""


@dataclass
class FormField:
    """One field of a bound form, ready for the template."""

    name: str
    kind: str
    label: str
    help: str
    required: bool
    value: str = ""
    error: str | Promise = ""
    options: list[Option] = field(default_factory=list)
    input_type: str = "text"
    inputmode: str = ""
    maxlength: int | None = None
    accept: str = ""
    autocomplete: str = ""
    picker_url: str = ""  # where HTMX fetches the options of the dependent picker
    picker_target: str = ""

    @property
    def id(self) -> str:
        return f"f-{self.name}"

    @property
    def describedby(self) -> str:
        ids = ([f"{self.id}-help"] if self.help else []) + (
            [f"{self.id}-error"] if self.error else []
        )
        return " ".join(ids)

    @property
    def is_select(self) -> bool:
        return self.kind in ("choice", "district", "block", "gram_panchayat")

    @property
    def is_identity_number(self) -> bool:
        """Aadhaar and Jan Aadhaar numbers: never kept in a draft on the device."""
        return self.kind in ("aadhaar", "jan_aadhaar", "jan_aadhaar_member")


@dataclass
class BoundForm:
    fields: list[FormField]
    cleaned: dict[str, Any]
    errors: dict[str, str | Promise]
    is_multipart: bool

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def summary(self) -> list[tuple[str, str]]:
        """(label, value) for a confirmation page: Aadhaar masked, documents by file name."""
        rows = []
        for f in self.fields:
            value = self.cleaned.get(f.name)
            if value in (None, ""):
                continue
            if f.kind == "aadhaar":
                shown = mask_aadhaar(str(value))
            elif f.options:
                shown = next((o.label for o in f.options if o.value == str(value)), str(value))
            elif f.kind == "checkbox":
                shown = str(_("Yes"))
            else:
                shown = str(value)
            rows.append((f.label, shown))
        return rows


_KIND_INPUT: Final = {
    "number": ("number", "numeric", "", None),
    "date": ("date", "", "", None),
    "mobile": ("tel", "numeric", "tel-national", 10),
    "pincode": ("text", "numeric", "postal-code", 6),
    "jan_aadhaar": ("text", "numeric", "off", 10),
    "jan_aadhaar_member": ("text", "numeric", "off", 11),
    "aadhaar": ("text", "numeric", "off", 14),
    "document": ("file", "", "", None),
    "checkbox": ("checkbox", "", "", None),
}


def _options(
    kind: str, spec: Mapping[str, Any], data: Mapping[str, str]
) -> tuple[list[Option], str]:
    """Options for pickers (from geo) and choices; the second item is the HTMX source."""
    hindi = _hindi()
    if kind == "choice":
        values: list[str] = spec["enum"]
        labels = spec.get("x-enum-hi" if hindi else "x-enum-en") or values
        return [Option(v, str(lbl)) for v, lbl in zip(values, labels, strict=False)], ""
    if kind == "district":
        return [
            Option(d.slug, d.name_hi if hindi else d.name_en)
            for d in District.objects.order_by("name_en")
        ], ""
    if kind == "block":
        district = data.get(spec.get("x-district-field", ""), "")
        blocks = Block.objects.select_related("district").order_by("district__name_en", "name_en")
        if district:
            blocks = blocks.filter(district__slug=district)
        return [Option(str(b.lgd_code), b.name_en, b.district.name_en) for b in blocks], ""
    if kind == "gram_panchayat":
        block = data.get(spec.get("x-block-field", ""), "")
        if not block or not block.isdigit():
            return [], ""
        gps = GramPanchayat.objects.filter(block__lgd_code=int(block)).order_by("name_en")
        return [Option(str(gp.lgd_code), gp.name_en) for gp in gps], ""
    return [], ""


def _clean(kind: str, spec: Mapping[str, Any], raw: str, data: Mapping[str, str]) -> Any:
    """The cleaned value, or raises ``_Invalid`` with a translated message."""
    if kind in ("jan_aadhaar", "jan_aadhaar_member", "aadhaar", "pincode"):
        raw = re.sub(r"[\s-]", "", raw)
    if kind == "jan_aadhaar":
        if not (_DIGITS.match(raw) and len(raw) == 10):
            raise _Invalid(_("Enter the 10-digit Jan Aadhaar family ID."))
        return raw
    if kind == "jan_aadhaar_member":
        if not (_DIGITS.match(raw) and len(raw) == 11):
            raise _Invalid(_("Enter the 11-digit Jan Aadhaar member ID."))
        return raw
    if kind == "aadhaar":
        if not (_DIGITS.match(raw) and len(raw) == 12 and raw[0] not in "01"):
            raise _Invalid(_("Enter the 12-digit Aadhaar number."))
        try:  # the vault's own check: one rule for every Aadhaar number the system takes
            return vault.clean_aadhaar(raw)
        except vault.InvalidAadhaar as exc:
            message = _("This is not a valid Aadhaar number: please check the digits.")
            raise _Invalid(message) from exc
    if kind == "mobile":
        number = normalise_mobile(raw)
        if not MOBILE_RE.match(number):
            raise _Invalid(_("Enter a 10-digit Indian mobile number starting with 6, 7, 8 or 9."))
        return number
    if kind == "pincode":
        if not (_DIGITS.match(raw) and len(raw) == 6 and 300000 <= int(raw) <= 349999):
            raise _Invalid(_("Enter a 6-digit Rajasthan PIN code (from 30xxxx to 34xxxx)."))
        return raw
    if kind == "date":
        try:
            day = date.fromisoformat(raw)
        except ValueError as exc:
            raise _Invalid(_("Enter a date such as 2001-08-15 (year-month-day).")) from exc
        if spec.get("x-past") and day > timezone.localdate():
            raise _Invalid(_("The date cannot be in the future."))
        return day.isoformat()
    if kind == "number":
        if not re.fullmatch(r"-?\d{1,15}", raw):
            raise _Invalid(_("Enter a whole number."))
        whole = int(raw)
        if "minimum" in spec and whole < spec["minimum"]:
            raise _Invalid(_("Enter %(min)s or more.") % {"min": spec["minimum"]})
        if "maximum" in spec and whole > spec["maximum"]:
            raise _Invalid(_("Enter %(max)s or less.") % {"max": spec["maximum"]})
        return whole
    if kind == "choice":
        if raw not in spec["enum"]:
            raise _Invalid(_("Choose one of the options."))
        return raw
    if kind == "district":
        if not District.objects.filter(slug=raw).exists():
            raise _Invalid(_("Choose a district from the list."))
        return raw
    if kind == "block":
        district = data.get(spec.get("x-district-field", ""), "")
        blocks = Block.objects.filter(lgd_code=int(raw) if raw.isdigit() else -1)
        if district:
            blocks = blocks.filter(district__slug=district)
        if not blocks.exists():
            raise _Invalid(_("Choose a panchayat samiti (block) of the chosen district."))
        return int(raw)
    if kind == "gram_panchayat":
        block = data.get(spec.get("x-block-field", ""), "")
        gps = GramPanchayat.objects.filter(lgd_code=int(raw) if raw.isdigit() else -1)
        if block.isdigit():
            gps = gps.filter(block__lgd_code=int(block))
        if not gps.exists():
            raise _Invalid(_("Choose a gram panchayat of the chosen block."))
        return int(raw)
    # text and textarea
    if "maxLength" in spec and len(raw) > spec["maxLength"]:
        raise _Invalid(_("Use at most %(n)s characters.") % {"n": spec["maxLength"]})
    if "minLength" in spec and len(raw) < spec["minLength"]:
        raise _Invalid(_("Use at least %(n)s characters.") % {"n": spec["minLength"]})
    if "pattern" in spec and not re.fullmatch(spec["pattern"], raw):
        raise _Invalid(_("This is not in the expected form."))
    return raw


class _Invalid(Exception):
    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


def _check_document(spec: Mapping[str, Any], upload: UploadedFile) -> str:
    """Type by content (never by file name) and size; returns the file name."""
    max_kb = int(spec.get("x-max-kb", 2048))
    if (upload.size or 0) > max_kb * 1024:
        raise _Invalid(_("The file is larger than %(kb)s KB.") % {"kb": max_kb})
    head = upload.read(16)
    upload.seek(0)
    accepted = spec.get("x-accept", ["pdf", "jpeg", "png"])
    if not any(head.startswith(sig) for kind in accepted for sig in _SIGNATURES[kind]):
        names = ", ".join(kind.upper() for kind in accepted)
        raise _Invalid(_("Upload a %(types)s file.") % {"types": names})
    return str(upload.name or "")


def bind(
    schema: Mapping[str, Any],
    data: Mapping[str, str] | None = None,
    files: Mapping[str, UploadedFile] | None = None,
    *,
    validate: bool = True,
) -> BoundForm:
    """The form's fields with ``data``; validated (with translated messages) if ``validate``."""
    data = data or {}
    files = files or {}
    hindi = _hindi()
    required = set(schema.get("required", []))
    fields: list[FormField] = []
    cleaned: dict[str, Any] = {}
    errors: dict[str, str | Promise] = {}
    for name, spec in ordered_properties(schema):
        kind = spec["x-field"]
        label = spec.get("x-title-hi") if hindi else spec.get("title")
        help_text = spec.get("x-description-hi") if hindi else spec.get("description")
        input_type, inputmode, autocomplete, maxlength = _KIND_INPUT.get(
            kind, ("text", "", "", spec.get("maxLength"))
        )
        options, _source = _options(kind, spec, data)
        accept = ",".join(DOCUMENT_TYPES[t] for t in spec.get("x-accept", [])) or (
            ",".join(DOCUMENT_TYPES.values()) if kind == "document" else ""
        )
        raw = "" if kind == "document" else str(data.get(name, "")).strip()
        bound = FormField(
            name=name,
            kind=kind,
            label=str(label or spec.get("title") or name),
            help=str(help_text or spec.get("description") or ""),
            required=name in required,
            value=raw,
            options=options,
            input_type=input_type,
            inputmode=inputmode,
            maxlength=maxlength,
            accept=accept,
            autocomplete=autocomplete,
        )
        fields.append(bound)
        if not validate:
            continue
        try:
            if kind == "document":
                upload = files.get(name)
                if upload is None:
                    if bound.required:
                        raise _Invalid(_("Attach this document."))
                    continue
                cleaned[name] = _check_document(spec, upload)
            elif kind == "checkbox":
                checked = raw in ("on", "true", "1", "yes")
                if bound.required and not checked:
                    raise _Invalid(_("Tick this box to go on."))
                cleaned[name] = checked
            elif raw == "":
                if bound.required:
                    raise _Invalid(_("This field is required."))
            else:
                cleaned[name] = _clean(kind, spec, raw, data)
        except _Invalid as invalid:
            bound.error = invalid.message
            errors[name] = invalid.message
    return BoundForm(
        fields=fields,
        cleaned=cleaned,
        errors=errors,
        is_multipart=any(f.kind == "document" for f in fields),
    )


def picker_options(kind: str, parent: str) -> list[Option]:
    """Blocks of a district or GPs of a block, for the HTMX refresh of a dependent picker."""
    if kind == "block":
        return _options("block", {"x-district-field": "p"}, {"p": parent})[0]
    return _options("gram_panchayat", {"x-block-field": "p"}, {"p": parent})[0]
