"""Writes about applications: submit (form + documents + fee in one act), workflow actions,
SLA escalation, and linking a citizen who proved their mobile by OTP.

Every act is one transaction with its history row, audit row and SMS (outbox). Bad input is
refused before anything is written.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Final

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from indic_transliteration import sanscript

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.applications import notify, selectors, workflow
from emitra.applications.errors import (
    ActionNotAllowed,
    BadAssignee,
    ConcurrentChange,
    DocumentsMissing,
    FormChanged,
    FormInvalid,
    KeyReusedForOther,
    NotApplicable,
    NoteRequired,
    NotYourApplication,
    NoWallet,
)
from emitra.applications.models import Application, ApplicationDocument, ApplicationEvent
from emitra.catalog import formschema, pricing
from emitra.catalog import selectors as catalog_selectors
from emitra.catalog.models import Channel, DocumentType, Service, ServiceVersion
from emitra.commissions.services import post_service_payment
from emitra.core import audit
from emitra.core.errors import DomainError, InvalidInput
from emitra.core.ids import next_number
from emitra.core.money import Paise
from emitra.documents.services import store_document
from emitra.documents.validation import CheckedFile, DocumentRefused, check_bytes, read_upload
from emitra.documents.validation import max_bytes as document_max_bytes
from emitra.geo.models import District
from emitra.kiosks.selectors import serving_kiosk
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger import services as ledger
from emitra.ledger.models import Account
from emitra.ledger.services import Cause
from emitra.registry.services import seal_aadhaar

SERIES: Final = "APP"
FEE_SCOPE: Final = "applications.fee"
HOLD_TTL: Final = timedelta(minutes=15)
_KEY = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
ALL_TYPES: Final = frozenset({"pdf", "jpeg", "png"})
# Service code → certificate kind of emitra.certificates (None: approval issues no certificate).
CERTIFICATE_KINDS: Final = {
    "domicile-certificate": "domicile",
    "caste-certificate-sc-st": "caste",
    "caste-certificate-obc": "caste",
    "caste-certificate-mbc": "caste",
    "income-certificate": "income",
    "character-certificate": "character",
    "birth-registration-certificate": "birth",
    "solvency-certificate": "solvency",
}
# Form fields never printed on a certificate (identity numbers, contact, pickers).
_NOT_PRINTED: Final = frozenset(
    {"aadhaar", "jan_aadhaar", "jan_aadhaar_member", "mobile", "document", "checkbox"}
)


def certificate_kind(service_code: str) -> str | None:
    if service_code in CERTIFICATE_KINDS:
        return CERTIFICATE_KINDS[service_code]
    if service_code.startswith("caste-certificate"):
        return "caste"
    return None


def _kiosk_category(operator: User) -> str:
    """The category (A, B or C) of the kiosk an operator serves from — it sets the commission
    share. An operator may take money only at an active kiosk: a suspended, terminated or
    not-yet-active one (or none) is refused here, before anything is written."""
    return serving_kiosk(operator).category


# --- the form and its documents ----------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    """One document to upload: a document field of the form, or a document the catalog
    lists for the service that no form field already asks for."""

    name: str
    document_type: str
    label_en: str
    label_hi: str
    required: bool
    accept: frozenset[str]
    max_bytes: int

    @property
    def label(self) -> str:
        return self.label_hi if workflow.is_hindi() else self.label_en

    @property
    def accept_attr(self) -> str:
        return ",".join(formschema.DOCUMENT_TYPES[t] for t in sorted(self.accept))

    @property
    def id(self) -> str:
        return f"f-{self.name}"


def fields_schema(schema: Mapping[str, Any]) -> dict[str, Any]:
    """The form without its document fields (those are upload slots, checked here)."""
    if not schema:
        return {}
    kept = {
        name: spec
        for name, spec in schema.get("properties", {}).items()
        if spec.get("x-field") != "document"
    }
    copy = dict(formschema.with_order(schema))
    copy["properties"] = kept
    copy["required"] = [n for n in schema.get("required", []) if n in kept]
    copy["x-order"] = [n for n in copy.get("x-order", []) if n in kept]
    return copy


def upload_slots(service: Service, version: ServiceVersion) -> list[Slot]:
    definition = workflow.definition(version.workflow_ref)
    needed = set(definition.state(definition.initial).documents)
    schema = version.form_schema or {}
    required = set(schema.get("required", []))
    slots: list[Slot] = []
    covered: set[str] = set()
    for name, spec in formschema.ordered_properties(schema):
        if spec.get("x-field") != "document":
            continue
        doc_type = str(spec.get("x-document", ""))
        covered.add(doc_type)
        limit = min(
            int(spec.get("x-max-kb", 0)) * 1024 or document_max_bytes(), document_max_bytes()
        )
        slots.append(
            Slot(
                name=name,
                document_type=doc_type,
                label_en=str(spec.get("title", name)),
                label_hi=str(spec.get("x-title-hi", name)),
                required=name in required or (bool(doc_type) and doc_type in needed),
                accept=frozenset(spec.get("x-accept", ALL_TYPES)),
                max_bytes=limit,
            )
        )
    for listed in service.documents.select_related("document_type"):
        code = listed.document_type.code
        if code in covered:
            continue
        covered.add(code)
        slots.append(
            Slot(
                name="doc_" + code.replace("-", "_"),
                document_type=code,
                label_en=listed.document_type.name_en,
                label_hi=listed.document_type.name_hi,
                required=listed.mandatory or code in needed,
                accept=ALL_TYPES,
                max_bytes=document_max_bytes(),
            )
        )
    return slots


def check_documents(
    slots: list[Slot], files: Mapping[str, UploadedFile], *, all_required: bool = True
) -> tuple[dict[str, tuple[Slot, CheckedFile, str]], dict[str, Any]]:
    """Each slot's upload checked by content; (checked by slot name, errors by slot name)."""
    checked: dict[str, tuple[Slot, CheckedFile, str]] = {}
    errors: dict[str, Any] = {}
    for slot in slots:
        upload = files.get(slot.name)
        if upload is None:
            if slot.required and all_required:
                errors[slot.name] = _("Attach this document.")
            continue
        try:
            data = read_upload(upload, limit=slot.max_bytes)
            checked[slot.name] = (
                slot,
                check_bytes(data, accept=slot.accept, limit=slot.max_bytes),
                str(upload.name or ""),
            )
        except DocumentRefused as refused:
            errors[slot.name] = refused.message
    return checked, errors


def _attach(
    application: Application,
    checked: dict[str, tuple[Slot, CheckedFile, str]],
    *,
    by: User,
    round_no: int,
) -> None:
    for slot, file, original in checked.values():
        document = store_document(checked=file, original_name=original, uploaded_by=by)
        ApplicationDocument.objects.create(
            application=application,
            document=document,
            slot=slot.name,
            document_type=slot.document_type,
            label_en=slot.label_en,
            label_hi=slot.label_hi,
            round=round_no,
        )


def _attach_stored(application: Application, stored: Mapping[str, tuple[Slot, int]]) -> None:
    for slot, document_id in stored.values():
        ApplicationDocument.objects.create(
            application=application,
            document_id=document_id,
            slot=slot.name,
            document_type=slot.document_type,
            label_en=slot.label_en,
            label_hi=slot.label_hi,
            round=1,
        )


# --- submitting ------------------------------------------------------------------------------


def _district_of(cleaned: Mapping[str, Any], submitted_by: User) -> District | None:
    slug = cleaned.get("district")
    if isinstance(slug, str) and slug:
        found = District.objects.filter(slug=slug).first()
        if found is not None:
            return found
    return submitted_by.district


def quote_fee(*, service: Service, submitted_by: User, channel: str = "kiosk") -> pricing.Quote:
    """The fee of filing `service` now: at the counter (the kiosk's category sets the
    commission), or for a citizen on the portal channel (no kiosk share)."""
    if submitted_by.role == Role.CITIZEN:
        return pricing.quote(
            service=service, amount=Paise(0), channel=Channel.PORTAL, kiosk_category=""
        )
    return pricing.quote(
        service=service,
        amount=Paise(0),
        channel=channel,
        kiosk_category=_kiosk_category(submitted_by),
    )


@dataclass(frozen=True)
class Filing:
    """A checked application, not yet written: what `check_application` found acceptable."""

    service: Service
    version: ServiceVersion
    definition: workflow.Definition
    cleaned: dict[str, Any]
    name: str
    mobile: str
    checked: dict[str, tuple[Slot, CheckedFile, str]]
    stored: dict[str, tuple[Slot, int]]
    priced: pricing.Quote


def check_application(
    *,
    service: Service,
    submitted_by: User,
    data: Mapping[str, str],
    files: Mapping[str, UploadedFile],
    channel: str = "kiosk",
) -> Filing:
    """Check everything about an application before anything is written: the form of the
    version in force, every document (by content), who may submit it, and its fee.

    Raises `FormInvalid` (field → message), `NotApplicable`, `NotYourApplication`, and the
    catalog's refusals from `quote`."""
    version = catalog_selectors.version_in_force(service)
    if version is None or not version.form_schema or not version.workflow_ref:
        raise NotApplicable()
    definition = workflow.definition(version.workflow_ref)
    if str(submitted_by.role) not in definition.actions["submit"].roles:
        raise NotYourApplication()
    bound = formschema.bind(fields_schema(version.form_schema), dict(data))
    errors: dict[str, Any] = dict(bound.errors)
    checked, doc_errors = check_documents(upload_slots(service, version), files)
    errors.update(doc_errors)
    if errors:
        raise FormInvalid(errors, bound)
    cleaned = dict(bound.cleaned)
    mobile = str(cleaned.get("mobile") or "")
    if not mobile:
        raise FormInvalid({"mobile": _("This field is required.")}, bound)
    return Filing(
        service=service,
        version=version,
        definition=definition,
        cleaned=cleaned,
        name=str(cleaned.get("applicant_name") or "").strip(),
        mobile=mobile,
        checked=checked,
        stored={},
        priced=quote_fee(service=service, submitted_by=submitted_by, channel=channel),
    )


def sealed_form(filing: Filing) -> dict[str, Any]:
    """The cleaned form as it may be kept: each Aadhaar number replaced by its vault token and
    last four digits (the number itself lives only in the registry's vault, encrypted).
    Sealing a sealed form changes nothing."""
    properties = (filing.version.form_schema or {}).get("properties", {})
    kept = dict(filing.cleaned)
    for name, value in filing.cleaned.items():
        if properties.get(name, {}).get("x-field") == "aadhaar" and isinstance(value, str):
            entry = seal_aadhaar(value)
            kept[name] = {"vault": entry.token, "last4": entry.last4}
    return kept


def store_documents(filing: Filing, *, by: User) -> dict[str, int]:
    """Keep a checked application's uploads now (slot → document id), to file it later."""
    kept = {name: document_id for name, (_slot, document_id) in filing.stored.items()}
    for name, (_slot, file, original) in filing.checked.items():
        kept[name] = store_document(checked=file, original_name=original, uploaded_by=by).pk
    return kept


def resume_filing(
    *,
    service: Service,
    version_id: int,
    submitted_by: User,
    cleaned: Mapping[str, Any],
    stored: Mapping[str, int],
    channel: str,
) -> Filing:
    """A filing checked earlier (its form cleaned, its documents kept), taken up again — when
    the citizen's online payment arrives. Refused (`FormChanged`) if the service's version
    in force is no longer the one the form was filled for."""
    version = catalog_selectors.version_in_force(service)
    if version is None or version.pk != version_id or not version.workflow_ref:
        raise FormChanged()
    definition = workflow.definition(version.workflow_ref)
    if str(submitted_by.role) not in definition.actions["submit"].roles:
        raise NotYourApplication()
    slots = upload_slots(service, version)
    kept = {slot.name: (slot, int(stored[slot.name])) for slot in slots if slot.name in stored}
    if any(slot.required and slot.name not in kept for slot in slots):
        raise FormChanged()
    return Filing(
        service=service,
        version=version,
        definition=definition,
        cleaned=dict(cleaned),
        name=str(cleaned.get("applicant_name") or "").strip(),
        mobile=str(cleaned.get("mobile") or ""),
        checked={},
        stored=kept,
        priced=quote_fee(service=service, submitted_by=submitted_by, channel=channel),
    )


def submit_application(
    *,
    service: Service,
    submitted_by: User,
    data: Mapping[str, str],
    files: Mapping[str, UploadedFile],
    key: str,
    channel: str = "kiosk",
) -> Application:
    """File an application: the form of the version in force, its documents and the fee
    (held on the operator's wallet and posted with its commission split), all in one
    transaction with a gapless application number. A replay of `key` returns the first
    application; the same key for another service is refused.

    Raises `FormInvalid` (field → message, nothing written), `NotApplicable`, `NoWallet`,
    the ledger's `InsufficientFunds`, and the catalog's refusals from `quote`."""
    earlier = _earlier(service=service, submitted_by=submitted_by, key=key)
    if earlier is not None:
        return earlier
    filing = check_application(
        service=service, submitted_by=submitted_by, data=data, files=files, channel=channel
    )
    return file_application(filing, submitted_by=submitted_by, key=key, channel=channel)


def _earlier(*, service: Service, submitted_by: User, key: str) -> Application | None:
    if not _KEY.match(key or ""):
        raise InvalidInput("applications.bad_key", _("The form has expired. Open it again."))
    earlier = Application.objects.filter(submitted_by=submitted_by, idempotency_key=key).first()
    if earlier is not None and earlier.service_id != service.pk:
        raise KeyReusedForOther()
    return earlier


def file_application(
    filing: Filing,
    *,
    submitted_by: User,
    key: str,
    channel: str,
    payer: Account | None = None,
) -> Application:
    """Write a checked filing in one transaction; the fee is held and posted on the
    operator's wallet, or on `payer` (the citizen's online account the gateway funded).
    A replay of `key` returns the first application."""
    earlier = _earlier(service=filing.service, submitted_by=submitted_by, key=key)
    if earlier is not None:
        return earlier
    try:
        with transaction.atomic():
            return _file(filing, submitted_by=submitted_by, key=key, channel=channel, payer=payer)
    except IntegrityError:
        earlier = Application.objects.filter(submitted_by=submitted_by, idempotency_key=key).first()
        if earlier is None:
            raise
        return earlier


def _file(
    filing: Filing, *, submitted_by: User, key: str, channel: str, payer: Account | None
) -> Application:
    now = timezone.now()
    priced = filing.priced
    wallet = payer or ledger_selectors.wallet_of(submitted_by.pk)
    if wallet is None and priced.total_citizen > 0:
        raise NoWallet()
    number = next_number(SERIES).text
    initial = filing.definition.state(filing.definition.initial)
    application = Application.objects.create(
        number=number,
        service=filing.service,
        service_version=filing.version,
        department_id=filing.service.department_id,
        district=_district_of(filing.cleaned, submitted_by),
        workflow_ref=filing.version.workflow_ref,
        state=initial.code,
        channel=channel,
        applicant_name=filing.name or "—",
        mobile=filing.mobile,
        form_data=sealed_form(filing),
        submitted_by=submitted_by,
        citizen=submitted_by if submitted_by.role == Role.CITIZEN else None,
        idempotency_key=key,
        state_since=now,
        due_at=workflow.due_at(now, initial.sla),
        submitted_at=now,
        updated_at=now,
    )
    _attach(application, filing.checked, by=submitted_by, round_no=1)
    _attach_stored(application, filing.stored)
    if priced.total_citizen > 0:
        assert wallet is not None
        ledger_key = f"{submitted_by.pk}:{key}"
        cause = Cause("applications.application", number)
        held = ledger.hold(
            account=wallet,
            amount=priced.total_citizen,
            scope=FEE_SCOPE,
            key=ledger_key,
            expires_in=HOLD_TTL,
            cause=cause,
            actor_id=submitted_by.pk,
        )
        line = post_service_payment(
            operator=submitted_by,
            wallet=wallet,
            hold=held,
            quote=priced,
            scope=FEE_SCOPE,
            key=ledger_key,
            cause=cause,
        )
        Application.objects.filter(pk=application.pk).update(
            amount_paid=priced.total_citizen, payment_transaction_id=line.transaction_id
        )
        application.amount_paid = priced.total_citizen
        application.payment_transaction_id = line.transaction_id
    ApplicationEvent.objects.create(
        application=application,
        action="submit",
        from_state="",
        to_state=initial.code,
        version=1,
        actor=submitted_by,
        actor_role=submitted_by.role,
        at=now,
    )
    audit.record(
        actor=submitted_by,
        action="applications.submitted",
        obj=application,
        after={
            "number": number,
            "service": filing.service.code,
            "fee": priced.total_citizen,
            "documents": len(filing.checked) + len(filing.stored),
            "channel": channel,
        },
    )
    notify.queue_sms(to=filing.mobile, template="application_submitted", number=number)
    return application


# --- workflow actions --------------------------------------------------------------------------


def _check_action(
    application: Application, definition: workflow.Definition, action_code: str, actor: User
) -> workflow.Action:
    state = definition.states.get(application.state)
    state_label = state.label if state else application.state
    action = definition.actions.get(action_code)
    if action is None or action_code == "submit":
        raise ActionNotAllowed(action=action_code, state=state_label)
    if str(actor.role) not in action.roles or not selectors.in_scope(actor, application):
        raise NotYourApplication()
    if application.state not in action.sources:
        raise ActionNotAllowed(action=action.label, state=state_label)
    return action


def allowed_actions(application: Application, actor: User) -> list[workflow.Action]:
    """The actions `actor` may take now (for buttons; `act` checks again)."""
    definition = workflow.definition(application.workflow_ref)
    if not selectors.in_scope(actor, application):
        return []
    return [
        a
        for a in definition.actions_from(application.state)
        if str(actor.role) in a.roles and a.code != "submit"
    ]


def _document_slot(code: str) -> Slot:
    """An upload slot for a document type a state requires that the form does not ask for."""
    known = DocumentType.objects.filter(code=code).first()
    return Slot(
        name="doc_" + code.replace("-", "_"),
        document_type=code,
        label_en=known.name_en if known else code,
        label_hi=known.name_hi if known else code,
        required=True,
        accept=ALL_TYPES,
        max_bytes=document_max_bytes(),
    )


def action_slots(application: Application, action: workflow.Action) -> list[Slot]:
    """The documents `action` may bring: any slot of the form on a resubmission, and on any
    action the documents its target state requires (workflow.py's rule) — `required` when
    the application does not hold one of that type yet."""
    definition = workflow.definition(application.workflow_ref)
    needed = definition.state(action.target).documents
    if action.code != "resubmit" and not needed:
        return []
    held = set(application.documents.values_list("document_type", flat=True))
    form_slots = upload_slots(application.service, application.service_version)
    by_type = {slot.document_type: slot for slot in form_slots if slot.document_type}
    slots = list(form_slots) if action.code == "resubmit" else []
    slots += [by_type.get(code) or _document_slot(code) for code in needed]
    chosen: dict[str, Slot] = {}
    for slot in slots:
        missing = slot.document_type in needed and slot.document_type not in held
        chosen.setdefault(slot.name, replace(slot, required=missing))
    return list(chosen.values())


def _missing_documents(
    application: Application,
    target: workflow.State,
    checked: Mapping[str, tuple[Slot, CheckedFile, str]],
) -> list[str]:
    """The document types `target` requires that the application holds in no round and that
    are not among the files brought with this action."""
    if not target.documents:
        return []
    held = set(application.documents.values_list("document_type", flat=True))
    held |= {slot.document_type for slot, _file, _name in checked.values()}
    return [code for code in target.documents if code not in held]


def act(
    *,
    application: Application,
    action: str,
    actor: User,
    expected_version: int | None = None,
    note: str = "",
    assignee: User | None = None,
    files: Mapping[str, UploadedFile] | None = None,
) -> Application:
    """Take one workflow action. The state moves by a conditional UPDATE on (state, version):
    of two officers acting at once, one wins and the other gets `ConcurrentChange` with
    nothing done. `expected_version` is the version the actor saw (a stale page is refused).

    An action into a state that lists documents is refused (`DocumentsMissing`) unless the
    application holds each of them, from an earlier round or among `files` (workflow.py).
    Staying in the same state (re-assigning) keeps its SLA clock and escalation mark.

    Approve issues the certificate in the same transaction: if issuing fails, the
    application stays where it was."""
    definition = workflow.definition(application.workflow_ref)
    chosen = _check_action(application, definition, action, actor)
    note = (note or "").strip()[:1000]
    if chosen.note_required and not note:
        raise NoteRequired()
    seen_version = application.version if expected_version is None else expected_version
    if seen_version != application.version:
        raise ConcurrentChange(application.number)
    if chosen.code == "assign":
        assignee = assignee or actor
        if not selectors.assignable_officers(application).filter(pk=assignee.pk).exists():
            raise BadAssignee()
    checked: dict[str, tuple[Slot, CheckedFile, str]] = {}
    slots = action_slots(application, chosen) if files else []
    if slots:
        assert files is not None
        checked, errors = check_documents(slots, files, all_required=False)
        if errors:
            raise FormInvalid(errors)
    target = definition.state(chosen.target)
    missing = _missing_documents(application, target, checked)
    if missing:
        slot_labels = {s.document_type: s.label for s in action_slots(application, chosen)}
        raise DocumentsMissing(
            action=chosen.label, documents=[slot_labels.get(code, code) for code in missing]
        )
    now = timezone.now()
    changes: dict[str, Any] = {"version": F("version") + 1, "updated_at": now}
    if target.code != application.state:
        # Entering a state starts its SLA clock. Staying (re-assigning within "under review")
        # does not: an overdue, escalated application must not look on time again because it
        # changed hands.
        changes.update(
            state=target.code,
            state_since=now,
            due_at=workflow.due_at(now, target.sla),
            escalated_at=None,
        )
    if chosen.code == "assign":
        assert assignee is not None
        changes["assigned_to"] = assignee
    if chosen.note_required or target.terminal:
        changes["decision_note"] = note
    with transaction.atomic():
        updated = Application.objects.filter(
            pk=application.pk, state=application.state, version=seen_version
        ).update(**changes)
        if updated != 1:
            raise ConcurrentChange(application.number)
        fresh = Application.objects.select_related("service", "district", "department").get(
            pk=application.pk
        )
        if checked:
            # A resubmission opens the next round; other actions add to the current one.
            rounds = fresh.events.filter(action="resubmit").count() + 1
            _attach(fresh, checked, by=actor, round_no=rounds + (chosen.code == "resubmit"))
        certificate_number = ""
        if chosen.effect == "issue_certificate":
            certificate_number = _issue_certificate(fresh, actor)
        ApplicationEvent.objects.create(
            application=fresh,
            action=chosen.code,
            from_state=application.state,
            to_state=target.code,
            version=fresh.version,
            actor=actor,
            actor_role=actor.role,
            note=_event_note(chosen.code, note, assignee),
            at=now,
        )
        audit.record(
            actor=actor,
            action=f"applications.{chosen.code}",
            obj=fresh,
            before={"state": application.state, "version": seen_version},
            after={"state": target.code, "version": fresh.version, "note": note},
        )
        if chosen.code != "assign" or application.state != target.code:
            notify.queue_sms(
                to=fresh.mobile,
                template=_sms_template(chosen.code, target.code),
                number=fresh.number,
                note=note,
                certificate=certificate_number,
            )
    return fresh


def _sms_template(action: str, target: str) -> str:
    return "application_resubmitted" if action == "resubmit" else f"application_{target}"


def _event_note(action: str, note: str, assignee: User | None) -> str:
    if action != "assign" or assignee is None:
        return note
    who = f"→ {assignee.full_name or assignee.username}"
    return f"{who} · {note}" if note else who


def _holder_names(name: str) -> tuple[str, str]:
    """(English, Hindi) spellings of the applicant's name, transliterated from the one typed."""
    name = " ".join(name.split())
    if re.search("[\u0900-\u097f]", name):
        latin = sanscript.transliterate(name, sanscript.DEVANAGARI, sanscript.IAST)
        return latin.title(), name
    return name, " ".join(_word_in_devanagari(word) for word in name.split())


def _word_in_devanagari(word: str) -> str:
    """A Latin-typed Indian name word in Devanagari, as Hindi writes it: a final "a" is long
    (Sharma → शर्मा, Kamla → कमला) and a final consonant carries no halant (Ramesh → रमेश)."""
    word = word.lower()
    if len(word) > 2 and word.endswith("a") and not word.endswith("aa"):
        word = word[:-1] + "A"
    hindi = str(sanscript.transliterate(word, sanscript.ITRANS, sanscript.DEVANAGARI))
    return hindi.removesuffix("\u094d")  # the halant a final consonant does not carry


def certificate_fields(application: Application) -> dict[str, str]:
    """Form values worth printing, by the certificate's field names (identity numbers and
    the mobile stay off the certificate)."""
    schema = application.service_version.form_schema or {}
    properties: dict[str, Any] = schema.get("properties", {})
    fields: dict[str, str] = {}
    for name, value in application.form_data.items():
        spec = properties.get(name, {})
        kind = spec.get("x-field", "text")
        if kind in _NOT_PRINTED or name == "applicant_name" or value in (None, ""):
            continue
        if kind == "choice" and "x-enum-en" in spec and value in spec.get("enum", []):
            value = spec["x-enum-en"][spec["enum"].index(value)]
        if kind == "district" and application.district is not None:
            value = application.district.name_en
        key = "father_name" if name == "relative_name" else name
        fields[key] = str(value)
        if len(fields) >= 25:
            break
    return fields


def _issue_certificate(application: Application, officer: User) -> str:
    """Ask emitra.certificates for the certificate of an approved application (imported here:
    the certificates app sits beside this one and is optional for services without one)."""
    kind = certificate_kind(application.service.code)
    if kind is None:
        return ""
    from emitra.certificates.services import issue_certificate

    name_en, name_hi = _holder_names(application.applicant_name)
    certificate = issue_certificate(
        kind=kind,
        application_number=application.number,
        holder_name_en=name_en,
        holder_name_hi=name_hi,
        fields=certificate_fields(application),
        issued_by=officer,
        district_code=application.district.slug if application.district else None,
    )
    Application.objects.filter(pk=application.pk).update(certificate_number=certificate.number)
    application.certificate_number = str(certificate.number)
    return application.certificate_number


@dataclass(frozen=True)
class BulkOutcome:
    number: str
    ok: bool
    message: str


def act_in_bulk(
    *,
    items: list[tuple[str, int]],
    action: str,
    actor: User,
    note: str = "",
) -> list[BulkOutcome]:
    """The same action on many applications, each its own conditional transition: one
    refusal does not stop (or undo) the others; the outcome of each is reported."""
    outcomes: list[BulkOutcome] = []
    for number, seen_version in items:
        application = selectors.for_user(actor, number)
        if application is None:
            outcomes.append(BulkOutcome(number, False, str(_("No such application."))))
            continue
        try:
            act(
                application=application,
                action=action,
                actor=actor,
                expected_version=seen_version,
                note=note,
            )
        except DomainError as refused:
            outcomes.append(BulkOutcome(number, False, str(refused.message)))
        else:
            outcomes.append(BulkOutcome(number, True, ""))
    return outcomes


# --- SLA escalation ----------------------------------------------------------------------------


def escalate_overdue(*, now: datetime | None = None, limit: int = 500) -> int:
    """Act once per stay in a state on applications past their due time, and return how many.

    In a state waiting on the department the application is escalated: marked, a history
    line, an SMS to each department admin of its scope. In a state waiting on the citizen
    (sent back) the delay is the citizen's, not the department's: the citizen is reminded by
    SMS instead (the same mark, so only once), and no department admin is told."""
    moment = now or timezone.now()
    terminal = {s for d in workflow.all_definitions() for s in d.terminal_states}
    candidates = list(
        Application.objects.filter(due_at__lte=moment, escalated_at__isnull=True)
        .exclude(state__in=terminal)
        .select_related("service")
        .order_by("due_at")[:limit]
    )
    handled = 0
    for application in candidates:
        state = workflow.definition(application.workflow_ref).states.get(application.state)
        citizen = state is not None and state.waiting_on == "citizen"
        with transaction.atomic():
            marked = Application.objects.filter(
                pk=application.pk,
                escalated_at__isnull=True,
                state=application.state,
                version=application.version,
            ).update(escalated_at=moment)
            if marked != 1:
                continue
            ApplicationEvent.objects.create(
                application=application,
                action="remind" if citizen else "escalate",
                from_state=application.state,
                to_state=application.state,
                version=application.version,
                note=str(_("Reminder sent to the citizen") if citizen else _("Past its due time")),
                at=moment,
            )
            audit.record(
                actor=None,
                action="applications.citizen_reminded" if citizen else "applications.escalated",
                obj=application,
                after={"state": application.state, "due_at": str(application.due_at)},
                actor_label="sla-job",
            )
            if citizen:
                notify.queue_sms(
                    to=application.mobile,
                    template="application_reminder",
                    number=application.number,
                )
            else:
                for admin in selectors.department_admins(application):
                    if admin.mobile:
                        notify.queue_sms(
                            to=admin.mobile,
                            template="application_escalated",
                            number=application.number,
                        )
            handled += 1
    return handled


# --- tracking ----------------------------------------------------------------------------------


@transaction.atomic
def link_citizen(*, application: Application, citizen: User) -> None:
    """A citizen proved by OTP that the application's mobile is theirs: they own it now."""
    if citizen.role != Role.CITIZEN or citizen.mobile != application.mobile:
        return
    if Application.objects.filter(pk=application.pk, citizen__isnull=True).update(citizen=citizen):
        audit.record(actor=citizen, action="applications.citizen_linked", obj=application)
