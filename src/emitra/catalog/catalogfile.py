"""The catalog as a versioned data file: validate, import (all or nothing), export.

``data/catalog.json`` is the shipped catalog (format ``emitra-catalog/1``). An import first
parses the whole file, checks it against ``CATALOG_SCHEMA`` and then against the rules that a
schema cannot say (codes that must exist, version ranges that must not overlap, commission
shares that must add up to 100 %, a published version already in force that must not change);
every problem is reported with its line, its path (``services[12].name_hi``) and what is
wrong. Only a file without problems is applied, in one transaction, comparing each row with
what the database holds, so that importing the same file again changes nothing.

Amounts are rupees as text ("50.00"); shares are percentages as text ("77"); dates are
``YYYY-MM-DD`` (midnight IST) or ISO 8601 datetimes with an offset.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from json.decoder import scanstring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any, Final

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as SchemaViolation

from emitra.accounts.models import User
from emitra.catalog import formschema, search
from emitra.catalog.models import (
    BASIS_POINTS,
    KIOSK_CATEGORIES,
    Category,
    Channel,
    ChargeRule,
    CommissionRule,
    CommissionSplitFields,
    Department,
    DepartmentKind,
    DocumentType,
    PublishStatus,
    RateCard,
    RevenueHead,
    Service,
    ServiceDocument,
    ServiceStatus,
    ServiceType,
    ServiceVersion,
    SettlementMode,
    VersionFee,
)
from emitra.core import audit
from emitra.core.errors import InvalidInput
from emitra.core.timeutil import IST

FORMAT: Final = "emitra-catalog/1"
SHIPPED: Final = Path(__file__).resolve().parent / "data" / "catalog.json"

_CODE = {"type": "string", "pattern": "^[a-z0-9][a-z0-9-]*$", "maxLength": 60}
_EN = {"type": "string", "minLength": 1, "pattern": "[A-Za-z]"}
_HI = {"type": "string", "minLength": 1, "pattern": "[\u0900-\u097f]"}
_TEXT = {"type": "string"}
_AMOUNT = {"type": "string", "pattern": r"^\d{1,12}(\.\d{1,2})?$"}
_PERCENT = {"type": "string", "pattern": r"^\d{1,3}(\.\d{1,2})?$"}
_MOMENT = {
    "type": "string",
    "pattern": r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?([+-]\d{2}:\d{2}|Z))?$",
}
_SHARE = {
    "type": "object",
    "required": ["kiosk", "lsp", "state"],
    "additionalProperties": False,
    "properties": {"kiosk": _PERCENT, "lsp": _PERCENT, "state": _PERCENT},
}
_COMMISSION = {
    "type": "object",
    "required": list(KIOSK_CATEGORIES),
    "additionalProperties": False,
    "properties": {c: _SHARE for c in KIOSK_CATEGORIES},
}


def _object(required: list[str], properties: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "required": required,
        "additionalProperties": False,
        "properties": properties,
    }


CATALOG_SCHEMA: Final[dict[str, Any]] = _object(
    ["format", "departments", "categories", "services"],
    {
        "format": {"const": FORMAT},
        "revision": _TEXT,
        "notes": _TEXT,
        "rate_cards": {
            "type": "array",
            "items": _object(
                [
                    "effective_from",
                    "g2c_application",
                    "g2b_application",
                    "collection_base",
                    "collection_base_limit",
                    "collection_step",
                    "collection_step_size",
                    "certificate_print_per_page",
                    "pvc_card",
                    "commission",
                ],
                {
                    "effective_from": _MOMENT,
                    "effective_to": {"anyOf": [_MOMENT, {"type": "null"}]},
                    "note": _TEXT,
                    "g2c_application": _AMOUNT,
                    "g2b_application": _AMOUNT,
                    "collection_base": _AMOUNT,
                    "collection_base_limit": _AMOUNT,
                    "collection_step": _AMOUNT,
                    "collection_step_size": _AMOUNT,
                    "certificate_print_per_page": _AMOUNT,
                    "pvc_card": _AMOUNT,
                    "commission": _COMMISSION,
                },
            ),
        },
        "commission_rules": {
            "type": "array",
            "items": _object(
                ["code", "name_en", "name_hi", "commission"],
                {"code": _CODE, "name_en": _EN, "name_hi": _HI, "commission": _COMMISSION},
            ),
        },
        "categories": {
            "type": "array",
            "items": _object(
                ["code", "name_en", "name_hi"], {"code": _CODE, "name_en": _EN, "name_hi": _HI}
            ),
        },
        "document_types": {
            "type": "array",
            "items": _object(
                ["code", "name_en", "name_hi"], {"code": _CODE, "name_en": _EN, "name_hi": _HI}
            ),
        },
        "departments": {
            "type": "array",
            "items": _object(
                ["code", "kind", "name_en", "name_hi"],
                {
                    "code": {**_CODE, "maxLength": 20},
                    "kind": {"enum": DepartmentKind.values},
                    "name_en": _EN,
                    "name_hi": _HI,
                    "active": {"type": "boolean"},
                    "settlement": _object(
                        ["mode"],
                        {
                            "mode": {"enum": SettlementMode.values},
                            "bank_name": _TEXT,
                            "ifsc": {"type": "string", "pattern": "^([A-Z]{4}0[A-Z0-9]{6})?$"},
                            "cycle_days": {"type": "integer", "minimum": 0, "maximum": 30},
                        },
                    ),
                    "revenue_heads": {
                        "type": "array",
                        "items": _object(
                            ["code", "name_en", "name_hi"],
                            {
                                "code": {**_CODE, "maxLength": 40},
                                "name_en": _EN,
                                "name_hi": _HI,
                                "budget_head": {"type": "string", "maxLength": 30},
                            },
                        ),
                    },
                },
            ),
        },
        "forms": {"type": "object", "additionalProperties": {"type": "object"}},
        "services": {
            "type": "array",
            "items": _object(
                [
                    "code",
                    "department",
                    "category",
                    "type",
                    "name_en",
                    "name_hi",
                    "channels",
                    "versions",
                ],
                {
                    "code": _CODE,
                    "department": _CODE,
                    "category": _CODE,
                    "type": {"enum": ServiceType.values},
                    "name_en": _EN,
                    "name_hi": _HI,
                    "description_en": _TEXT,
                    "description_hi": _TEXT,
                    "eligibility_en": _TEXT,
                    "eligibility_hi": _TEXT,
                    "sla_days": {"type": ["integer", "null"], "minimum": 0, "maximum": 365},
                    "channels": {
                        "type": "array",
                        "items": {"enum": Channel.values},
                        "minItems": 1,
                        "uniqueItems": True,
                    },
                    "keywords": {"type": "array", "items": {"type": "string"}},
                    "status": {"enum": ServiceStatus.values},
                    "documents": {
                        "type": "array",
                        "items": _object(
                            ["type"], {"type": _CODE, "mandatory": {"type": "boolean"}}
                        ),
                    },
                    "versions": {
                        "type": "array",
                        "minItems": 1,
                        "items": _object(
                            ["number", "effective_from", "charge"],
                            {
                                "number": {"type": "integer", "minimum": 1},
                                "effective_from": _MOMENT,
                                "effective_to": {"anyOf": [_MOMENT, {"type": "null"}]},
                                "charge": {"enum": ChargeRule.values},
                                "service_charge": _AMOUNT,
                                "fees": {
                                    "type": "array",
                                    "items": _object(
                                        ["head", "amount"], {"head": _CODE, "amount": _AMOUNT}
                                    ),
                                },
                                "collects_amount": {"type": "boolean"},
                                "collection_head": _CODE,
                                "tax_percent": _PERCENT,
                                "commission_rule": _CODE,
                                "form": {"type": "string"},
                                "workflow": {"type": "string", "maxLength": 60},
                                "notes": {"type": "string", "maxLength": 300},
                            },
                        ),
                    },
                },
            ),
        },
    },
)

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Problem:
    path: Path_
    message: str | Promise
    line: int | None = None

    def __str__(self) -> str:
        where = _dotted(self.path) or "(file)"
        prefix = f"line {self.line}, " if self.line else ""
        return f"{prefix}{where}: {self.message}"


class CatalogFileError(InvalidInput):
    """The file was refused whole; ``problems`` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        summary = "; ".join(str(p) for p in problems[:5])
        more = len(problems) - 5
        if more > 0:
            summary += f"; … {more} more"
        super().__init__("catalog.file_refused", summary)


@dataclass
class ImportResult:
    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    changed_keys: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values()))


# --- where in the file ------------------------------------------------------------------


def _dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_WS = " \t\r\n"
_SCALAR = re.compile(r"-?\d+(\.\d+)?([eE][-+]?\d+)?|true|false|null")


def _positions(text: str) -> dict[Path_, int]:
    """Offset of every value (of the key, inside objects) by its path; the file is valid JSON."""
    found: dict[Path_, int] = {}

    def skip(i: int) -> int:
        while i < len(text) and text[i] in _WS:
            i += 1
        return i

    def value(i: int, path: Path_) -> int:
        i = skip(i)
        found.setdefault(path, i)
        char = text[i]
        if char == "{":
            i = skip(i + 1)
            if text[i] == "}":
                return i + 1
            while True:
                i = skip(i)
                start = i
                key, i = scanstring(text, i + 1)
                found[(*path, key)] = start
                i = skip(i) + 1  # the colon
                i = skip(value(i, (*path, key)))
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        if char == "[":
            i = skip(i + 1)
            if text[i] == "]":
                return i + 1
            index = 0
            while True:
                i = skip(value(i, (*path, index)))
                index += 1
                if text[i] == ",":
                    i += 1
                    continue
                return i + 1
        if char == '"':
            return int(scanstring(text, i + 1)[1])
        match = _SCALAR.match(text, i)
        return match.end() if match else i + 1

    value(0, ())
    return found


class _Lines:
    def __init__(self, text: str) -> None:
        self.text = text
        self._found: dict[Path_, int] | None = None
        self._breaks = [m.start() for m in re.finditer("\n", text)]

    def line(self, path: Path_) -> int | None:
        if self._found is None:
            self._found = _positions(self.text)
        for cut in range(len(path), -1, -1):
            offset = self._found.get(path[:cut])
            if offset is not None:
                return bisect.bisect_right(self._breaks, offset - 1) + 1
        return None


# --- parsing values -----------------------------------------------------------------------


def paise(text: str) -> int:
    return int(Decimal(text) * 100)


def basis_points(text: str) -> int:
    return int(Decimal(text) * 100)


def rupees_text(amount: int) -> str:
    return f"{amount // 100}.{amount % 100:02d}"


def percent_text(bp: int) -> str:
    whole, part = divmod(bp, 100)
    return str(whole) if not part else f"{whole}.{part:02d}".rstrip("0")


def moment(text: str) -> datetime:
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), time(0), tzinfo=IST)
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def moment_text(value: datetime) -> str:
    local = value.astimezone(IST)
    if local.time() == time(0):
        return local.date().isoformat()
    return local.isoformat(timespec="seconds")


# --- validation -------------------------------------------------------------------------


def _schema_message(error: SchemaViolation) -> str | Promise:
    field_name = str(error.path[-1]) if error.path else ""
    if error.validator == "required":
        missing = re.findall(r"'([^']+)' is a required property", error.message)
        name = missing[0] if missing else ""
        if name.endswith(("_hi", "_en")):
            return _("“%(field)s” is missing: a translation is missing") % {"field": name}
        return _("“%(field)s” is missing") % {"field": name}
    if error.validator in ("minLength", "pattern") and field_name.endswith("_hi"):
        return _("the Hindi translation is missing (no Devanagari text)")
    if error.validator in ("minLength", "pattern") and field_name.endswith("_en"):
        return _("the English name is missing")
    if error.validator == "pattern":
        return _("“%(value)s” is not in the expected form") % {"value": error.instance}
    if error.validator in ("enum", "const"):
        allowed: Any = error.validator_value
        choices = list(allowed) if error.validator == "enum" else [allowed]
        return _("“%(value)s” is not one of: %(choices)s") % {
            "value": error.instance,
            "choices": ", ".join(str(c) for c in choices),
        }
    if error.validator == "additionalProperties":
        return _("unknown field: %(detail)s") % {"detail": error.message}
    if error.validator == "type":
        return _("must be of type %(type)s") % {"type": error.validator_value}
    return str(error.message)


class _Checker:
    """Collects every problem of a parsed file (structure first, then meaning)."""

    def __init__(self, document: dict[str, Any], now: datetime) -> None:
        self.doc = document
        self.now = now
        self.problems: list[Problem] = []

    def add(self, path: Path_, message: str | Promise) -> None:
        problem = Problem(path, message)
        if not any(p.path == path and str(p.message) == str(message) for p in self.problems):
            self.problems.append(problem)

    def run(self) -> list[Problem]:
        for error in Draft202012Validator(CATALOG_SCHEMA).iter_errors(self.doc):
            self.add(tuple(error.absolute_path), _schema_message(error))
        if self.problems:
            return self.problems
        self._unique_codes()
        self._commission_shares()
        self._rate_cards()
        self._forms()
        self._services()
        return self.problems

    def _unique_codes(self) -> None:
        for section in ("categories", "document_types", "departments", "commission_rules"):
            self._unique(section, self.doc.get(section, []))
        self._unique("services", self.doc["services"])
        seen: dict[str, Path_] = {}
        for d, department in enumerate(self.doc["departments"]):
            for h, revenue_head in enumerate(department.get("revenue_heads", [])):
                path: Path_ = ("departments", d, "revenue_heads", h, "code")
                if revenue_head["code"] in seen:
                    self.add(path, _("duplicate code “%(code)s”") % {"code": revenue_head["code"]})
                seen[revenue_head["code"]] = path

    def _unique(self, section: str, items: list[dict[str, Any]]) -> None:
        seen: set[str] = set()
        for i, item in enumerate(items):
            if item["code"] in seen:
                self.add((section, i, "code"), _("duplicate code “%(code)s”") % item)
            seen.add(item["code"])

    def _commission_shares(self) -> None:
        for section in ("rate_cards", "commission_rules"):
            for i, item in enumerate(self.doc.get(section, [])):
                for category, share in item["commission"].items():
                    total = sum(basis_points(share[p]) for p in ("kiosk", "lsp", "state"))
                    if total != BASIS_POINTS:
                        self.add(
                            (section, i, "commission", category),
                            _("the kiosk, LSP and state shares add up to %(total)s%%, not 100%%")
                            % {"total": percent_text(total)},
                        )

    def _ranges(
        self, items: list[tuple[Path_, datetime, datetime | None]], what: str | Promise
    ) -> None:
        for path, start, end in items:
            if end is not None and end <= start:
                self.add((*path, "effective_to"), _("ends before it begins"))
        ordered = sorted(items, key=lambda item: item[1])
        for (_p1, _s1, end1), (path2, start2, _e2) in itertools.pairwise(ordered):
            if end1 is None or start2 < end1:
                self.add(
                    (*path2, "effective_from"),
                    _("%(what)s overlaps the one before it (effective dates overlap)")
                    % {"what": what},
                )

    def _rate_cards(self) -> None:
        cards = self.doc.get("rate_cards", [])
        items: list[tuple[Path_, datetime, datetime | None]] = []
        in_file = set()
        for i, card in enumerate(cards):
            start = moment(card["effective_from"])
            end = moment(card["effective_to"]) if card.get("effective_to") else None
            items.append((("rate_cards", i), start, end))
            in_file.add(start)
            existing = RateCard.objects.filter(
                status=PublishStatus.PUBLISHED, effective_from=start
            ).first()
            if existing is not None and existing.effective_from <= self.now:
                wanted = _rate_card_values(card)
                current = {k: getattr(existing, k) for k in wanted if k != "effective_to"}
                if any(current[k] != wanted[k] for k in current) or not _end_change_ok(
                    existing.effective_to, end, self.now
                ):
                    self.add(
                        ("rate_cards", i),
                        _("this rate card is already in force and cannot change; add a new one"),
                    )
        for other in RateCard.objects.filter(status=PublishStatus.PUBLISHED):
            if other.effective_from not in in_file:
                items.append((("rate_cards",), other.effective_from, other.effective_to))
        self._ranges(items, _("this rate card"))

    def _forms(self) -> None:
        for name, schema in self.doc.get("forms", {}).items():
            for where, message in formschema.check_schema(schema):
                parts = tuple(p for p in where.split("/") if p)
                self.add(("forms", name, *parts), message)

    def _known(self, section: str, model: type[models.Model]) -> set[str]:
        in_file = {item["code"] for item in self.doc.get(section, [])}
        codes = model._default_manager.values_list("code", flat=True)
        return in_file | set(codes)

    def _services(self) -> None:
        departments = self._known("departments", Department)
        categories = self._known("categories", Category)
        documents = self._known("document_types", DocumentType)
        rules = self._known("commission_rules", CommissionRule)
        heads = {
            h["code"] for d in self.doc["departments"] for h in d.get("revenue_heads", [])
        } | set(RevenueHead.objects.values_list("code", flat=True))
        forms = set(self.doc.get("forms", {}))
        for s, service in enumerate(self.doc["services"]):
            at: Path_ = ("services", s)
            if service["department"] not in departments:
                self.add((*at, "department"), _("unknown department “%(department)s”") % service)
            if service["category"] not in categories:
                self.add((*at, "category"), _("unknown category “%(category)s”") % service)
            for d, document in enumerate(service.get("documents", [])):
                if document["type"] not in documents:
                    self.add(
                        (*at, "documents", d, "type"),
                        _("unknown document type “%(type)s”") % document,
                    )
            numbers: set[int] = set()
            ranges: list[tuple[Path_, datetime, datetime | None]] = []
            for v, version in enumerate(service["versions"]):
                vat: Path_ = (*at, "versions", v)
                if version["number"] in numbers:
                    self.add((*vat, "number"), _("duplicate version number"))
                numbers.add(version["number"])
                start = moment(version["effective_from"])
                end = moment(version["effective_to"]) if version.get("effective_to") else None
                ranges.append((vat, start, end))
                self._version(vat, version, heads=heads, rules=rules, forms=forms)
            self._versions_against_database(at, service, ranges)
            self._ranges(ranges, _("this version"))

    def _version(
        self,
        at: Path_,
        version: dict[str, Any],
        *,
        heads: set[str],
        rules: set[str],
        forms: set[str],
    ) -> None:
        for f, fee in enumerate(version.get("fees", [])):
            if fee["head"] not in heads:
                self.add((*at, "fees", f, "head"), _("unknown revenue head “%(head)s”") % fee)
        charge = version["charge"]
        collects = version.get("collects_amount", False)
        if collects and version.get("collection_head") not in heads:
            self.add(
                (*at, "collection_head"),
                _("a version that collects an amount names a known revenue head for it"),
            )
        if charge == ChargeRule.BILL_DEPARTMENT_PAID and not collects:
            self.add((*at, "collects_amount"), _("a department-paid bill collects the bill amount"))
        if charge == ChargeRule.FIXED and "service_charge" not in version:
            self.add((*at, "service_charge"), _("a fixed charge needs its amount"))
        if charge != ChargeRule.FIXED and "service_charge" in version:
            self.add((*at, "service_charge"), _("only a fixed charge has an amount here"))
        if "tax_percent" in version and basis_points(version["tax_percent"]) > BASIS_POINTS:
            self.add((*at, "tax_percent"), _("more than 100%"))
        if version.get("commission_rule") and version["commission_rule"] not in rules:
            self.add(
                (*at, "commission_rule"),
                _("unknown commission rule “%(commission_rule)s”") % version,
            )
        if version.get("form") and version["form"] not in forms:
            self.add((*at, "form"), _("unknown form “%(form)s”") % version)

    def _versions_against_database(
        self,
        at: Path_,
        service: dict[str, Any],
        ranges: list[tuple[Path_, datetime, datetime | None]],
    ) -> None:
        """Published versions already in force may not change; the database's other versions
        take part in the overlap check."""
        existing = {
            v.number: v
            for v in ServiceVersion.objects.filter(
                service__code=service["code"], status=PublishStatus.PUBLISHED
            ).prefetch_related("fees__revenue_head")
        }
        if not existing:
            return
        forms = self.doc.get("forms", {})
        in_file = {version["number"] for version in service["versions"]}
        for v, version in enumerate(service["versions"]):
            current = existing.get(version["number"])
            if current is None or current.effective_from > self.now:
                continue
            wanted = _version_money(version, forms)
            end = moment(version["effective_to"]) if version.get("effective_to") else None
            if (
                current.money_fields() != wanted
                or current.effective_from != moment(version["effective_from"])
                or not _end_change_ok(current.effective_to, end, self.now)
            ):
                self.add(
                    (*at, "versions", v),
                    _(
                        "version %(number)s is already in force and cannot change; "
                        "add a new version from a future date"
                    )
                    % {"number": version["number"]},
                )
        for number, current in existing.items():
            if number not in in_file:
                ranges.append(((*at, "versions"), current.effective_from, current.effective_to))


def _end_change_ok(old: datetime | None, new: datetime | None, now: datetime) -> bool:
    """An in-force range may only be cut or extended in the future, never in the past."""
    if old == new:
        return True
    return (old is None or old > now) and (new is None or new > now)


def _rate_card_values(card: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {
        "g2c_application_charge": paise(card["g2c_application"]),
        "g2b_application_charge": paise(card["g2b_application"]),
        "collection_base_charge": paise(card["collection_base"]),
        "collection_base_limit": paise(card["collection_base_limit"]),
        "collection_step_charge": paise(card["collection_step"]),
        "collection_step_size": paise(card["collection_step_size"]),
        "certificate_print_charge": paise(card["certificate_print_per_page"]),
        "pvc_card_charge": paise(card["pvc_card"]),
        "note": card.get("note", ""),
        "effective_to": moment(card["effective_to"]) if card.get("effective_to") else None,
    }
    values.update(_split_values(card["commission"]))
    return values


def _split_values(commission: dict[str, dict[str, str]]) -> dict[str, int]:
    return {
        f"{party}_{category.lower()}_bp": basis_points(share[party])
        for category, share in commission.items()
        for party in ("kiosk", "lsp", "state")
    }


def _version_money(version: dict[str, Any], forms: dict[str, Any]) -> dict[str, Any]:
    return {
        "charge_rule": version["charge"],
        "service_charge": paise(version.get("service_charge", "0")),
        "collects_amount": version.get("collects_amount", False),
        "collection_head": version.get("collection_head"),
        "tax_rate_bp": basis_points(version.get("tax_percent", "0")),
        "commission_rule": version.get("commission_rule"),
        "fees": [(fee["head"], paise(fee["amount"])) for fee in version.get("fees", [])],
        "form_schema": formschema.with_order(forms[version["form"]]) if version.get("form") else {},
        "workflow_ref": version.get("workflow", ""),
    }


def parse(text: str) -> dict[str, Any]:
    """The file's content, or CatalogFileError naming the line of a syntax error."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CatalogFileError(
            [Problem((), _("not valid JSON: %(error)s") % {"error": exc.msg}, exc.lineno)]
        ) from exc
    if not isinstance(document, dict):
        raise CatalogFileError([Problem((), _("the file must hold one JSON object"), 1)])
    return document


def validate(text: str, *, now: datetime | None = None) -> dict[str, Any]:
    """Parse and check the whole file; raise CatalogFileError with every problem found."""
    document = parse(text)
    problems = _Checker(document, now or timezone.now()).run()
    if problems:
        lines = _Lines(text)
        located = [Problem(p.path, p.message, lines.line(p.path)) for p in problems]
        raise CatalogFileError(located)
    return document


# --- applying -------------------------------------------------------------------------


class _Applier:
    def __init__(self, document: dict[str, Any], actor: User | None, now: datetime) -> None:
        self.doc = document
        self.actor = actor
        self.now = now
        self.result = ImportResult()

    def upsert(self, model: type[models.Model], key: dict[str, Any], values: dict[str, Any]) -> Any:
        label = model._meta.model_name or model.__name__
        manager: Any = model._default_manager
        obj = manager.filter(**key).first()
        if obj is None:
            obj = manager.create(**key, **values)
            self.result.created[label] += 1
            self.result.changed_keys.append(f"{label}:{_key_text(key)}")
            return obj
        changed = [name for name, value in values.items() if getattr(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            obj.save()
            self.result.updated[label] += 1
            self.result.changed_keys.append(f"{label}:{_key_text(key)}")
        else:
            self.result.unchanged[label] += 1
        return obj

    def run(self) -> ImportResult:
        for card in self.doc.get("rate_cards", []):
            values = _rate_card_values(card)
            self.upsert(
                RateCard,
                {
                    "status": PublishStatus.PUBLISHED,
                    "effective_from": moment(card["effective_from"]),
                },
                values,
            )
        RateCard.objects.filter(status=PublishStatus.PUBLISHED, published_at__isnull=True).update(
            published_at=self.now
        )
        rules = {
            rule["code"]: self.upsert(
                CommissionRule,
                {"code": rule["code"]},
                {
                    "name_en": rule["name_en"],
                    "name_hi": rule["name_hi"],
                    **_split_values(rule["commission"]),
                },
            )
            for rule in self.doc.get("commission_rules", [])
        }
        for order, item in enumerate(self.doc["categories"]):
            self.upsert(
                Category,
                {"code": item["code"]},
                {"name_en": item["name_en"], "name_hi": item["name_hi"], "sort_order": order},
            )
        for item in self.doc.get("document_types", []):
            self.upsert(
                DocumentType,
                {"code": item["code"]},
                {"name_en": item["name_en"], "name_hi": item["name_hi"]},
            )
        for item in self.doc["departments"]:
            settlement = item.get("settlement", {})
            department = self.upsert(
                Department,
                {"code": item["code"]},
                {
                    "name_en": item["name_en"],
                    "name_hi": item["name_hi"],
                    "kind": item["kind"],
                    "is_active": item.get("active", True),
                    "settlement_mode": settlement.get("mode", SettlementMode.GRAS),
                    "settlement_bank_name": settlement.get("bank_name", ""),
                    "settlement_ifsc": settlement.get("ifsc", ""),
                    "settlement_cycle_days": settlement.get("cycle_days", 1),
                },
            )
            for head in item.get("revenue_heads", []):
                self.upsert(
                    RevenueHead,
                    {"code": head["code"]},
                    {
                        "department": department,
                        "name_en": head["name_en"],
                        "name_hi": head["name_hi"],
                        "budget_head": head.get("budget_head", ""),
                    },
                )
        for rule in CommissionRule.objects.filter(code__in=self._used_rules()):
            rules.setdefault(rule.code, rule)
        for item in self.doc["services"]:
            self._service(item, rules)
        return self.result

    def _used_rules(self) -> set[str]:
        return {
            v["commission_rule"]
            for s in self.doc["services"]
            for v in s["versions"]
            if v.get("commission_rule")
        }

    def _service(self, item: dict[str, Any], rules: dict[str, CommissionRule]) -> None:
        service = self.upsert(
            Service,
            {"code": item["code"]},
            {
                "department": Department.objects.get(code=item["department"]),
                "category": Category.objects.get(code=item["category"]),
                "service_type": item["type"],
                "name_en": item["name_en"],
                "name_hi": item["name_hi"],
                "description_en": item.get("description_en", ""),
                "description_hi": item.get("description_hi", ""),
                "eligibility_en": item.get("eligibility_en", ""),
                "eligibility_hi": item.get("eligibility_hi", ""),
                "sla_days": item.get("sla_days"),
                "channels": item["channels"],
                "keywords": item.get("keywords", []),
                "status": item.get("status", ServiceStatus.ACTIVE),
            },
        )
        wanted_docs = [(d["type"], d.get("mandatory", True)) for d in item.get("documents", [])]
        current_docs = [
            (d.document_type.code, d.mandatory)
            for d in service.documents.select_related("document_type")
        ]
        if wanted_docs != current_docs:
            service.documents.all().delete()
            types = DocumentType.objects.in_bulk(
                [code for code, _m in wanted_docs], field_name="code"
            )
            ServiceDocument.objects.bulk_create(
                ServiceDocument(
                    service=service, document_type=types[code], mandatory=mandatory, sort_order=n
                )
                for n, (code, mandatory) in enumerate(wanted_docs)
            )
            (self.result.updated if current_docs else self.result.created)["servicedocument"] += 1
            self.result.changed_keys.append(f"documents:{service.code}")
        forms = self.doc.get("forms", {})
        for version in sorted(item["versions"], key=lambda v: moment(v["effective_from"])):
            self._version(service, version, forms, rules)

    def _version(
        self,
        service: Service,
        version: dict[str, Any],
        forms: dict[str, Any],
        rules: dict[str, CommissionRule],
    ) -> None:
        money = _version_money(version, forms)
        head_code = money["collection_head"]
        values = {
            "status": PublishStatus.PUBLISHED,
            "effective_from": moment(version["effective_from"]),
            "effective_to": moment(version["effective_to"])
            if version.get("effective_to")
            else None,
            "charge_rule": money["charge_rule"],
            "service_charge": money["service_charge"],
            "collects_amount": money["collects_amount"],
            "collection_head": RevenueHead.objects.get(code=head_code) if head_code else None,
            "tax_rate_bp": money["tax_rate_bp"],
            "commission_rule": rules[money["commission_rule"]]
            if money["commission_rule"]
            else None,
            "form_ref": version.get("form", ""),
            "form_schema": money["form_schema"],
            "workflow_ref": money["workflow_ref"],
            "notes": version.get("notes", ""),
        }
        existing = ServiceVersion.objects.filter(service=service, number=version["number"]).first()
        if existing is not None and existing.status == PublishStatus.DRAFT:
            values["published_at"] = self.now
            values["published_by"] = self.actor
        obj = self.upsert(
            ServiceVersion,
            {"service": service, "number": version["number"]},
            values if existing is not None else {**values, "published_at": self.now},
        )
        current = [(f.revenue_head.code, f.amount) for f in obj.fees.select_related("revenue_head")]
        if current != money["fees"]:
            obj.fees.all().delete()
            heads = RevenueHead.objects.in_bulk([h for h, _a in money["fees"]], field_name="code")
            VersionFee.objects.bulk_create(
                VersionFee(version=obj, revenue_head=heads[h], amount=a, sort_order=n)
                for n, (h, a) in enumerate(money["fees"])
            )
            (self.result.updated if current else self.result.created)["versionfee"] += 1
            self.result.changed_keys.append(f"fees:{service.code}:v{obj.number}")


def _key_text(key: dict[str, Any]) -> str:
    return "/".join(
        str(getattr(value, "code", value))
        if not isinstance(value, datetime)
        else moment_text(value)
        for value in key.values()
    )


@transaction.atomic
def import_catalog(text: str, *, actor: User | None = None) -> ImportResult:
    """Validate the whole file, then apply all of it or nothing (one transaction)."""
    now = timezone.now()
    document = validate(text, now=now)
    try:
        with transaction.atomic():
            result = _Applier(document, actor, now).run()
    except IntegrityError as exc:
        raise CatalogFileError(
            [Problem((), _("the database refused the file: %(error)s") % {"error": exc})]
        ) from exc
    if result.changed:
        audit.record(
            actor=actor,
            action="catalog.imported",
            object_type="catalog.file",
            object_id=hashlib.sha256(text.encode()).hexdigest()[:16],
            after={
                "revision": document.get("revision", ""),
                "created": dict(result.created),
                "updated": dict(result.updated),
                "changed": result.changed_keys[:500],
            },
        )
        transaction.on_commit(search.invalidate)
    return result


def load_shipped_catalog(*, actor: User | None = None) -> ImportResult:
    return import_catalog(SHIPPED.read_text(encoding="utf-8"), actor=actor)


# --- export ---------------------------------------------------------------------------


def _shares(policy: CommissionSplitFields) -> dict[str, dict[str, str]]:
    return {
        category: {
            "kiosk": percent_text(split.kiosk),
            "lsp": percent_text(split.lsp),
            "state": percent_text(split.state),
        }
        for category, split in policy.splits().items()
    }


def _without_empty(item: dict[str, Any], keep: tuple[str, ...] = ()) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k in keep or v not in ("", None, [], {}, False)}


def export_catalog() -> dict[str, Any]:
    """The database's catalog in the file format (published versions only; no account
    numbers), deterministic so that exporting twice gives the same bytes."""
    forms: dict[str, Any] = {}

    def form_key(version: ServiceVersion) -> str:
        if not version.form_schema:
            return ""
        key = version.form_ref or f"{version.service.code}-v{version.number}"
        if key in forms and forms[key] != version.form_schema:
            key = f"{version.service.code}-v{version.number}"
        forms[key] = version.form_schema
        return key

    rate_cards = [
        _without_empty(
            {
                "effective_from": moment_text(card.effective_from),
                "effective_to": moment_text(card.effective_to) if card.effective_to else None,
                "note": card.note,
                "g2c_application": rupees_text(card.g2c_application_charge),
                "g2b_application": rupees_text(card.g2b_application_charge),
                "collection_base": rupees_text(card.collection_base_charge),
                "collection_base_limit": rupees_text(card.collection_base_limit),
                "collection_step": rupees_text(card.collection_step_charge),
                "collection_step_size": rupees_text(card.collection_step_size),
                "certificate_print_per_page": rupees_text(card.certificate_print_charge),
                "pvc_card": rupees_text(card.pvc_card_charge),
                "commission": _shares(card),
            }
        )
        for card in RateCard.objects.filter(status=PublishStatus.PUBLISHED).order_by(
            "effective_from"
        )
    ]
    departments = []
    for department in Department.objects.prefetch_related("revenue_heads").order_by("code"):
        departments.append(
            {
                "code": department.code,
                "kind": department.kind,
                "name_en": department.name_en,
                "name_hi": department.name_hi,
                **({} if department.is_active else {"active": False}),
                "settlement": _without_empty(
                    {
                        "mode": department.settlement_mode,
                        "bank_name": department.settlement_bank_name,
                        "ifsc": department.settlement_ifsc,
                        "cycle_days": department.settlement_cycle_days,
                    },
                    keep=("cycle_days",),
                ),
                "revenue_heads": [
                    _without_empty(
                        {
                            "code": head.code,
                            "name_en": head.name_en,
                            "name_hi": head.name_hi,
                            "budget_head": head.budget_head,
                        }
                    )
                    for head in sorted(department.revenue_heads.all(), key=lambda h: h.code)
                ],
            }
        )
    services = []
    versions_of: dict[int, list[ServiceVersion]] = defaultdict(list)
    for version in (
        ServiceVersion.objects.filter(status=PublishStatus.PUBLISHED)
        .select_related("service", "collection_head", "commission_rule")
        .prefetch_related("fees__revenue_head")
        .order_by("service__code", "number")
    ):
        versions_of[version.service_id].append(version)
    for service in (
        Service.objects.select_related("department", "category")
        .prefetch_related("documents__document_type")
        .order_by("code")
    ):
        if not versions_of[service.pk]:
            continue  # a service only in draft is not part of the published catalog
        services.append(
            {
                "code": service.code,
                "department": service.department.code,
                "category": service.category.code,
                "type": service.service_type,
                "name_en": service.name_en,
                "name_hi": service.name_hi,
                **_without_empty(
                    {
                        "description_en": service.description_en,
                        "description_hi": service.description_hi,
                        "eligibility_en": service.eligibility_en,
                        "eligibility_hi": service.eligibility_hi,
                    }
                ),
                "sla_days": service.sla_days,
                "channels": list(service.channels),
                "keywords": list(service.keywords),
                "status": service.status,
                "documents": [
                    {"type": d.document_type.code, "mandatory": d.mandatory}
                    for d in service.documents.all()
                ],
                "versions": [_export_version(v, form_key) for v in versions_of[service.pk]],
            }
        )
    return {
        "format": FORMAT,
        "revision": timezone.localdate().isoformat(),
        "rate_cards": rate_cards,
        "commission_rules": [
            {
                "code": rule.code,
                "name_en": rule.name_en,
                "name_hi": rule.name_hi,
                "commission": _shares(rule),
            }
            for rule in CommissionRule.objects.order_by("code")
        ],
        "categories": [
            {"code": c.code, "name_en": c.name_en, "name_hi": c.name_hi}
            for c in Category.objects.order_by("sort_order", "code")
        ],
        "document_types": [
            {"code": d.code, "name_en": d.name_en, "name_hi": d.name_hi}
            for d in DocumentType.objects.order_by("code")
        ],
        "departments": departments,
        "forms": dict(sorted(forms.items())),
        "services": services,
    }


def _export_version(
    version: ServiceVersion, form_key: Callable[[ServiceVersion], str]
) -> dict[str, Any]:
    return _without_empty(
        {
            "number": version.number,
            "effective_from": moment_text(version.effective_from),
            "effective_to": moment_text(version.effective_to) if version.effective_to else None,
            "charge": version.charge_rule,
            "service_charge": rupees_text(version.service_charge)
            if version.charge_rule == ChargeRule.FIXED
            else None,
            "fees": [
                {"head": fee.revenue_head.code, "amount": rupees_text(fee.amount)}
                for fee in version.fees.all()
            ],
            "collects_amount": version.collects_amount,
            "collection_head": version.collection_head.code if version.collection_head else None,
            "tax_percent": percent_text(version.tax_rate_bp) if version.tax_rate_bp else None,
            "commission_rule": version.commission_rule.code if version.commission_rule else None,
            "form": form_key(version),
            "workflow": version.workflow_ref,
            "notes": version.notes,
        }
    )


def dumps(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def iter_problems(error: CatalogFileError) -> Iterator[str]:
    for problem in error.problems:
        yield str(problem)
