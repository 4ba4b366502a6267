"""Writes of the family registry: change requests and their verification, the Aadhaar vault,
consent by OTP and the record of every access.

A kiosk operator only *submits*; a change reaches the register when a verifier — the district
e-governance society of the family's district — approves it. Bad input raises a DomainError
before anything is written, so a refused request leaves no row behind.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.accounts.validators import normalise_mobile, validate_mobile
from emitra.core import audit, outbox
from emitra.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from emitra.core.ids import next_number
from emitra.core.masking import mask_mobile
from emitra.core.verhoeff import check_digit, is_valid
from emitra.geo.models import Block, District, GramPanchayat, UrbanBody
from emitra.geo.selectors import lies_in
from emitra.registry import vault
from emitra.registry.models import (
    AccessRecord,
    AccessWhat,
    Category,
    ChangeKind,
    ChangeRequest,
    ChangeState,
    ConsentGrant,
    ConsentRequest,
    Family,
    Gender,
    HistoryEntry,
    MaritalStatus,
    Member,
    Occupation,
    Purpose,
    Relation,
    VaultEntry,
)

CHANGE_SERIES = "JANCR"
CONSENT_OTPS_PER_WINDOW = 3
CONSENT_WINDOW = timedelta(minutes=15)
CONSENT_MAX_ATTEMPTS = 5
_PINCODE = re.compile(r"^[1-9]\d{5}$")
_ACCOUNT = re.compile(r"^\d{9,18}$")
_IFSC = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
MEMBER_FIELDS = (
    "name_en",
    "name_hi",
    "relative_name_en",
    "relative_name_hi",
    "gender",
    "date_of_birth",
    "relation",
    "category",
    "annual_income",
    "disability_percent",
    "marital_status",
    "occupation",
    "ifsc",
)


# --- input -------------------------------------------------------------------------------------


@dataclass
class FamilyInput:
    mobile: str
    district: District
    address: str
    pincode: str
    block: Block | None = None
    gram_panchayat: GramPanchayat | None = None
    urban_body: UrbanBody | None = None


@dataclass
class MemberInput:
    name_en: str
    name_hi: str
    gender: str
    date_of_birth: date
    relation: str
    category: str
    marital_status: str
    occupation: str
    annual_income: int = 0  # paise
    disability_percent: int = 0
    relative_name_en: str = ""
    relative_name_hi: str = ""
    aadhaar: str = field(default="", repr=False)  # the number as typed; never stored in clear
    bank_account: str = field(default="", repr=False)
    ifsc: str = ""


def _invalid(code: str, message: Any) -> InvalidInput:
    return InvalidInput(f"registry.{code}", message)


def _clean_family(data: FamilyInput) -> FamilyInput:
    mobile = normalise_mobile(data.mobile)
    try:
        validate_mobile(mobile)
    except ValidationError as exc:
        raise _invalid("invalid_mobile", exc.messages[0]) from exc
    data.mobile = mobile
    if (data.gram_panchayat is None) == (data.urban_body is None):
        raise _invalid(
            "address_unit",
            _("Choose either a gram panchayat (village) or an urban body (town), not both."),
        )
    district = data.district
    if data.block is not None and not lies_in(district, data.block):
        raise _invalid("block_district", _("The panchayat samiti is not in the chosen district."))
    if data.gram_panchayat is not None:
        gp = data.gram_panchayat
        if not lies_in(district, gp):
            raise _invalid("gp_district", _("The gram panchayat is not in the chosen district."))
        if data.block is not None and gp.block_id is not None and gp.block_id != data.block.pk:
            raise _invalid("gp_block", _("The gram panchayat is not in the chosen block."))
        if data.block is None and gp.block_id is not None:
            data.block = gp.block
    if data.urban_body is not None and not lies_in(district, data.urban_body):
        raise _invalid("ulb_district", _("The urban body is not in the chosen district."))
    data.address = " ".join(data.address.split())
    if not data.address or len(data.address) > 300:
        raise _invalid("address", _("Enter the address (at most 300 characters)."))
    if not _PINCODE.match(data.pincode.strip()):
        raise _invalid("pincode", _("Enter a 6-digit PIN code."))
    data.pincode = data.pincode.strip()
    return data


def _clean_member(data: MemberInput, *, today: date) -> MemberInput:
    data.name_en = " ".join(data.name_en.split())
    data.name_hi = " ".join(data.name_hi.split())
    if not data.name_en or not data.name_hi:
        raise _invalid("name", _("Enter the name in English and in Hindi."))
    choices: list[tuple[str, Any, Any]] = [
        (data.gender, Gender, _("Choose a gender.")),
        (data.relation, Relation, _("Choose the relation to the head of the family.")),
        (data.category, Category, _("Choose a social category.")),
        (data.marital_status, MaritalStatus, _("Choose a marital status.")),
        (data.occupation, Occupation, _("Choose an occupation.")),
    ]
    for value, enum, message in choices:
        if value not in enum.values:
            raise _invalid("choice", message)
    if data.date_of_birth > today or data.date_of_birth.year < today.year - 120:
        raise _invalid("date_of_birth", _("Enter a real date of birth (not in the future)."))
    if not 0 <= data.disability_percent <= 100:
        raise _invalid("disability", _("Disability is a percentage from 0 to 100."))
    if data.annual_income < 0:
        raise _invalid("income", _("Income cannot be negative."))
    account = re.sub(r"[\s-]", "", data.bank_account)
    if account and not _ACCOUNT.match(account):
        raise _invalid("bank_account", _("A bank account number has 9 to 18 digits."))
    data.bank_account = account
    data.ifsc = data.ifsc.strip().upper()
    if data.ifsc and not _IFSC.match(data.ifsc):
        raise _invalid("ifsc", _("An IFSC has 11 characters, like SBIN0001234."))
    if account and not data.ifsc:
        raise _invalid("ifsc", _("Enter the IFSC of the bank account."))
    if data.aadhaar:
        data.aadhaar = vault.clean_aadhaar(data.aadhaar)
    return data


# --- the vault -----------------------------------------------------------------------------------


class AadhaarAlreadyEnrolled(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "registry.aadhaar_enrolled",
            _(
                "This Aadhaar number is already enrolled as a member of a family. "
                "A person can belong to one family only."
            ),
        )


class AadhaarPending(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "registry.aadhaar_pending",
            _("This Aadhaar number is in another request that is waiting for verification."),
        )


class AadhaarRepeated(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "registry.aadhaar_repeated", _("The same Aadhaar number is given for two members.")
        )


def _reserve_aadhaar(number: str, change: ChangeRequest) -> VaultEntry:
    """The vault entry of `number`, reserved for `change`; refused if someone has it."""
    fp = vault.fingerprint(number)
    entry = VaultEntry.objects.select_for_update().filter(fingerprint=fp).first()
    if entry is not None:
        if Member.objects.filter(aadhaar=entry).exists():
            raise AadhaarAlreadyEnrolled()
        if entry.pending_change_id is not None and entry.pending_change_id != change.pk:
            raise AadhaarPending()
        entry.pending_change = change
        entry.save(update_fields=["pending_change"])
        return entry
    try:
        with transaction.atomic():
            return VaultEntry.objects.create(
                ciphertext=vault.encrypt(number),
                fingerprint=fp,
                last4=number[-4:],
                pending_change=change,
            )
    except IntegrityError as exc:  # the same number, submitted at the same moment elsewhere
        raise AadhaarPending() from exc


def _member_payload(data: MemberInput, change: ChangeRequest) -> dict[str, Any]:
    values = asdict(data)
    values.pop("aadhaar")
    values.pop("bank_account")
    values["date_of_birth"] = data.date_of_birth.isoformat()
    values["aadhaar_token"] = _reserve_aadhaar(data.aadhaar, change).token if data.aadhaar else ""
    values["bank_account_cipher"] = vault.encrypt(data.bank_account) if data.bank_account else ""
    values["bank_account_last4"] = data.bank_account[-4:] if data.bank_account else ""
    return values


def _shown(values: dict[str, Any]) -> dict[str, Any]:
    """What a person may see of a member payload: no cipher, Aadhaar as token + last four."""
    shown = {k: v for k, v in values.items() if k in MEMBER_FIELDS}
    token = values.get("aadhaar_token") or ""
    if token:
        entry = VaultEntry.objects.filter(token=token).first()
        shown["aadhaar_token"] = token
        shown["aadhaar"] = entry.masked if entry else ""
    if values.get("bank_account_last4"):
        shown["bank_account"] = vault.masked_account(values["bank_account_last4"])
    return shown


def member_snapshot(member: Member) -> dict[str, Any]:
    values: dict[str, Any] = {name: getattr(member, name) for name in MEMBER_FIELDS}
    values["date_of_birth"] = member.date_of_birth.isoformat()
    values["member_id"] = member.member_id
    if member.aadhaar_id:
        values["aadhaar_token"] = member.aadhaar_id
        values["aadhaar"] = VaultEntry.objects.get(token=member.aadhaar_id).masked
    if member.bank_account_last4:
        values["bank_account"] = member.masked_bank_account
    return values


def _family_snapshot(family: Family) -> dict[str, Any]:
    return {
        "family_id": family.family_id,
        "mobile": mask_mobile(family.mobile),
        "district": family.district.slug,
        "block": family.block.lgd_code if family.block else None,
        "gram_panchayat": family.gram_panchayat.lgd_code if family.gram_panchayat else None,
        "urban_body": family.urban_body.lgd_code if family.urban_body else None,
        "address": family.address,
        "pincode": family.pincode,
    }


# --- one person, one family ----------------------------------------------------------------------
#
# The Aadhaar fingerprint keeps a person with an Aadhaar number in one family. For a person
# without one the register has nothing unique, so:
#  1. an Aadhaar number is required from age 5: UIDAI enrols children from birth, but before 5
#     without biometrics (the "Baal Aadhaar"), and many young children have none, while from
#     5 a person's biometrics are taken and Aadhaar is the identity every scheme asks for;
#  2. a child under 5 without one needs the father's (or mother's) name, and is refused if a
#     person with the same name, date of birth, gender and father's name is already a member,
#     or in a request waiting for verification. The same comparison refuses a person *with*
#     an Aadhaar number who matches a member enrolled without one (the child, enrolled again
#     later). Two people who both have Aadhaar numbers are told apart by them, never by name.
# The check runs when a request is submitted and again when it is approved (another family
# may have been approved in between).

AADHAAR_FROM_AGE = 5
_DUPLICATE_KINDS = (ChangeKind.ENROL, ChangeKind.ADD_MEMBER, ChangeKind.UPDATE_MEMBER)


class AadhaarRequired(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "registry.aadhaar_required",
            _(
                "Enter the Aadhaar number: it is required for everyone aged 5 or more. "
                "Only a child under 5 may be enrolled without one."
            ),
        )


class RelativeNameRequired(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "registry.relative_name_required",
            _(
                "For a child without an Aadhaar number, enter the father's (or mother's) "
                "name in English: it is how a second enrolment of the same child is found."
            ),
        )


class MemberAlreadyEnrolled(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "registry.member_enrolled",
            _(
                "A person with the same name, date of birth, gender and father's name is "
                "already a member of a family, and one of the two has no Aadhaar number. "
                "A person can belong to one family only."
            ),
        )


class MemberPending(Conflict):
    def __init__(self) -> None:
        super().__init__(
            "registry.member_pending",
            _(
                "A person with the same name, date of birth, gender and father's name is in "
                "another request that is waiting for verification."
            ),
        )


class MemberRepeated(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "registry.member_repeated",
            _("The same person (name, date of birth, gender, father's name) is given twice."),
        )


def _fold(text: str) -> str:
    return " ".join((text or "").split()).casefold()


@dataclass(frozen=True)
class _Person:
    """What tells people apart when an Aadhaar number does not."""

    name: str
    relative: str
    born: date
    gender: str
    has_aadhaar: bool

    @property
    def key(self) -> tuple[str, str, date, str]:
        return (self.name, self.relative, self.born, self.gender)

    def same_as(self, other: _Person) -> bool:
        return self.key == other.key and not (self.has_aadhaar and other.has_aadhaar)


def _person(values: Any, *, has_aadhaar: bool) -> _Person:
    """From a MemberInput, a Member, or a payload dict (date as ISO text)."""

    def get(name: str) -> Any:
        return values.get(name) if isinstance(values, dict) else getattr(values, name)

    born = get("date_of_birth")
    return _Person(
        name=_fold(get("name_en")),
        relative=_fold(get("relative_name_en")),
        born=date.fromisoformat(born) if isinstance(born, str) else born,
        gender=str(get("gender")),
        has_aadhaar=has_aadhaar,
    )


def _age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def _require_aadhaar(person: _Person, *, on: date) -> None:
    if person.has_aadhaar:
        return
    if _age_on(person.born, on) >= AADHAAR_FROM_AGE:
        raise AadhaarRequired()
    if not person.relative:
        raise RelativeNameRequired()


def _refuse_duplicates(
    people: list[_Person],
    *,
    pending_too: bool,
    except_member: int | None = None,
) -> None:
    """Refuse a person already in the register (or, at submission, in a pending request)."""
    for i, person in enumerate(people):
        if any(person.same_as(other) for other in people[i + 1 :]):
            raise MemberRepeated()
    born = {p.born for p in people}
    members = Member.objects.filter(
        date_of_birth__in=born, gender__in={p.gender for p in people}
    ).exclude(pk=except_member or 0)
    for member in members.only("name_en", "relative_name_en", "date_of_birth", "gender", "aadhaar"):
        other = _person(member, has_aadhaar=member.aadhaar_id is not None)
        if any(p.same_as(other) for p in people):
            raise MemberAlreadyEnrolled()
    if not pending_too:
        return
    waiting = ChangeRequest.objects.filter(state=ChangeState.PENDING, kind__in=_DUPLICATE_KINDS)
    for change in waiting.exclude(member_id=except_member or 0).select_related("member"):
        payload = change.payload or {}
        for values in payload.get("members") or [payload.get("member") or {}]:
            if not values or date.fromisoformat(values["date_of_birth"]) not in born:
                continue
            has = bool(values.get("aadhaar_token")) or (
                change.kind == ChangeKind.UPDATE_MEMBER
                and change.member is not None
                and change.member.aadhaar_id is not None
            )
            other = _person(values, has_aadhaar=has)
            if any(p.same_as(other) for p in people):
                raise MemberPending()


def _check_new_people(members: list[MemberInput], *, today: date) -> None:
    people = [_person(m, has_aadhaar=bool(m.aadhaar)) for m in members]
    for person in people:
        _require_aadhaar(person, on=today)
    _refuse_duplicates(people, pending_too=True)


# --- submitting ----------------------------------------------------------------------------------


def _require_operator(user: User) -> None:
    if user.role != Role.OPERATOR:
        raise PermissionDenied(
            "registry.not_operator", _("Only a kiosk operator submits registry changes.")
        )


def _check_repeats(members: list[MemberInput]) -> None:
    numbers = [m.aadhaar for m in members if m.aadhaar]
    if len(numbers) != len(set(numbers)):
        raise AadhaarRepeated()


@transaction.atomic
def submit_enrolment(
    *, operator: User, family: FamilyInput, members: list[MemberInput]
) -> ChangeRequest:
    """A new family (head first) waiting for the district society's verification."""
    _require_operator(operator)
    today = timezone.localdate()
    family = _clean_family(family)
    members = [_clean_member(m, today=today) for m in members]
    if not members or members[0].relation != Relation.HEAD:
        raise _invalid("head", _("Enter the head of the family first."))
    if sum(m.relation == Relation.HEAD for m in members) != 1:
        raise _invalid("one_head", _("A family has exactly one head."))
    _check_repeats(members)
    _check_new_people(members, today=today)
    change = ChangeRequest.objects.create(
        number=next_number(CHANGE_SERIES).text,
        kind=ChangeKind.ENROL,
        district=family.district,
        submitted_by=operator,
    )
    change.payload = {
        "family": {
            "mobile": family.mobile,
            "district": family.district.pk,
            "block": family.block.pk if family.block else None,
            "gram_panchayat": family.gram_panchayat.pk if family.gram_panchayat else None,
            "urban_body": family.urban_body.pk if family.urban_body else None,
            "address": family.address,
            "pincode": family.pincode,
        },
        "members": [_member_payload(m, change) for m in members],
    }
    change.summary = {
        "family": {
            "mobile": mask_mobile(family.mobile),
            "district": family.district.name_en,
            "block": family.block.name_en if family.block else "",
            "gram_panchayat": family.gram_panchayat.name_en if family.gram_panchayat else "",
            "urban_body": family.urban_body.name_en if family.urban_body else "",
            "address": family.address,
            "pincode": family.pincode,
        },
        "members": [_shown(m) for m in change.payload["members"]],
    }
    change.save(update_fields=["payload", "summary"])
    audit.record(actor=operator, action="registry.enrolment_submitted", obj=change)
    return change


@transaction.atomic
def submit_new_member(*, operator: User, family: Family, member: MemberInput) -> ChangeRequest:
    _require_operator(operator)
    today = timezone.localdate()
    member = _clean_member(member, today=today)
    if member.relation == Relation.HEAD:
        raise _invalid("one_head", _("A family has exactly one head."))
    _check_new_people([member], today=today)
    change = ChangeRequest.objects.create(
        number=next_number(CHANGE_SERIES).text,
        kind=ChangeKind.ADD_MEMBER,
        district=family.district,
        family=family,
        submitted_by=operator,
    )
    change.payload = {"member": _member_payload(member, change)}
    change.summary = {"family_id": family.family_id, "after": _shown(change.payload["member"])}
    change.save(update_fields=["payload", "summary"])
    audit.record(actor=operator, action="registry.member_submitted", obj=change)
    return change


@transaction.atomic
def submit_member_update(*, operator: User, member: Member, changes: MemberInput) -> ChangeRequest:
    """New details for a member; Aadhaar can be added if missing, never replaced here."""
    _require_operator(operator)
    changes = _clean_member(changes, today=timezone.localdate())
    if changes.relation == Relation.HEAD and member.relation != Relation.HEAD:
        raise _invalid("one_head", _("A family has exactly one head."))
    if changes.relation != Relation.HEAD and member.relation == Relation.HEAD:
        raise _invalid("one_head", _("A family has exactly one head."))
    if changes.aadhaar and member.aadhaar_id:
        raise _invalid(
            "aadhaar_fixed", _("A member's Aadhaar number cannot be changed by an update.")
        )
    # An update adds nobody to a family, so a member enrolled without Aadhaar keeps being
    # updatable; but changed details must not make them match someone else.
    _refuse_duplicates(
        [_person(changes, has_aadhaar=bool(changes.aadhaar or member.aadhaar_id))],
        pending_too=True,
        except_member=member.pk,
    )
    change = ChangeRequest.objects.create(
        number=next_number(CHANGE_SERIES).text,
        kind=ChangeKind.UPDATE_MEMBER,
        district=member.family.district,
        family=member.family,
        member=member,
        submitted_by=operator,
    )
    after = _member_payload(changes, change)
    after["base_version"] = member.version
    if not changes.bank_account:  # keep the account on file unless a new one is given
        after["bank_account_cipher"] = member.bank_account_cipher
        after["bank_account_last4"] = member.bank_account_last4
    change.payload = {"member": after}
    change.summary = {
        "family_id": member.family.family_id,
        "member_id": member.member_id,
        "before": member_snapshot(member),
        "after": _shown(after),
    }
    change.save(update_fields=["payload", "summary"])
    audit.record(actor=operator, action="registry.update_submitted", obj=change)
    return change


# --- verifying -----------------------------------------------------------------------------------


def can_verify(user: User, change: ChangeRequest) -> bool:
    return user.role == Role.DISTRICT_ADMIN and user.district_id == change.district_id


def _decide(verifier: User, change: ChangeRequest, state: str, reason: str) -> ChangeRequest:
    if not can_verify(verifier, change):
        raise PermissionDenied(
            "registry.not_verifier",
            _("Only the district e-governance society of the family's district verifies this."),
        )
    if change.submitted_by_id == verifier.pk:
        raise PermissionDenied(
            "registry.own_request", _("A request cannot be verified by the person who made it.")
        )
    now = timezone.now()
    done = ChangeRequest.objects.filter(pk=change.pk, state=ChangeState.PENDING).update(
        state=state, decided_by=verifier, decided_at=now, reason=reason
    )
    if done != 1:
        raise Conflict("registry.already_decided", _("This request was already decided."))
    change.refresh_from_db()
    return change


def _random_id(body_digits: int) -> str:
    """Random digits (not starting 0, or 6-9 which look like mobiles in logs) + Verhoeff."""
    body = str(secrets.choice("12345")) + "".join(
        str(secrets.randbelow(10)) for _ in range(body_digits - 1)
    )
    return body + check_digit(body)


def new_family_id() -> str:
    while True:
        candidate = _random_id(9)
        if not Family.objects.filter(family_id=candidate).exists():
            return candidate


def new_member_id() -> str:
    while True:
        candidate = _random_id(10)
        if not Member.objects.filter(member_id=candidate).exists():
            return candidate


def is_family_id(text: str) -> bool:
    return len(text) == 10 and is_valid(text)


def _member_values(values: dict[str, Any]) -> dict[str, Any]:
    out = {name: values[name] for name in MEMBER_FIELDS}
    out["date_of_birth"] = date.fromisoformat(values["date_of_birth"])
    out["bank_account_cipher"] = values["bank_account_cipher"]
    out["bank_account_last4"] = values["bank_account_last4"]
    return out


def _claim_aadhaar(token: str, member: Member) -> None:
    if not token:
        return
    entry = VaultEntry.objects.select_for_update().get(token=token)
    if Member.objects.filter(aadhaar=entry).exclude(pk=member.pk).exists():
        raise AadhaarAlreadyEnrolled()
    member.aadhaar = entry
    member.save(update_fields=["aadhaar"])
    VaultEntry.objects.filter(pk=entry.pk).update(pending_change=None)


def _history(
    change: ChangeRequest,
    verifier: User,
    *,
    family: Family,
    member: Member | None,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
) -> None:
    HistoryEntry.objects.create(
        family=family,
        member=member,
        change=change,
        action=action,
        submitted_by=change.submitted_by,
        approved_by=verifier,
        before=before,
        after=after,
    )


def _create_member(family: Family, values: dict[str, Any]) -> Member:
    member = Member.objects.create(
        family=family, member_id=new_member_id(), **_member_values(values)
    )
    _claim_aadhaar(values.get("aadhaar_token", ""), member)
    return member


def _recheck_people(change: ChangeRequest) -> None:
    """The one-person-one-family rule again, against the register as it is now."""
    payload = change.payload
    if change.kind == ChangeKind.UPDATE_MEMBER:
        assert change.member is not None
        values = payload["member"]
        has = bool(values.get("aadhaar_token") or change.member.aadhaar_id)
        _refuse_duplicates(
            [_person(values, has_aadhaar=has)], pending_too=False, except_member=change.member.pk
        )
        return
    listed = payload["members"] if change.kind == ChangeKind.ENROL else [payload["member"]]
    people = [_person(v, has_aadhaar=bool(v.get("aadhaar_token"))) for v in listed]
    submitted_on = timezone.localdate(change.submitted_at)
    for person in people:
        _require_aadhaar(person, on=submitted_on)
    _refuse_duplicates(people, pending_too=False)


@transaction.atomic
def approve_change(*, verifier: User, change: ChangeRequest) -> ChangeRequest:
    """Second level: apply the request to the register and write its history."""
    change = _decide(verifier, change, ChangeState.APPROVED, "")
    payload = change.payload
    _recheck_people(change)
    if change.kind == ChangeKind.ENROL:
        f = payload["family"]
        family = Family.objects.create(
            family_id=new_family_id(),
            mobile=f["mobile"],
            district_id=f["district"],
            block_id=f["block"],
            gram_panchayat_id=f["gram_panchayat"],
            urban_body_id=f["urban_body"],
            address=f["address"],
            pincode=f["pincode"],
        )
        _history(
            change,
            verifier,
            family=family,
            member=None,
            action="family_created",
            before={},
            after=_family_snapshot(family),
        )
        for values in payload["members"]:
            member = _create_member(family, values)
            _history(
                change,
                verifier,
                family=family,
                member=member,
                action="member_added",
                before={},
                after=member_snapshot(member),
            )
        ChangeRequest.objects.filter(pk=change.pk).update(family=family)
        change.family = family
    elif change.kind == ChangeKind.ADD_MEMBER:
        assert change.family is not None
        member = _create_member(change.family, payload["member"])
        _history(
            change,
            verifier,
            family=change.family,
            member=member,
            action="member_added",
            before={},
            after=member_snapshot(member),
        )
        ChangeRequest.objects.filter(pk=change.pk).update(member=member)
    else:
        assert change.member is not None and change.family is not None
        member = Member.objects.select_for_update().get(pk=change.member.pk)
        values = payload["member"]
        if member.version != values["base_version"]:
            raise Conflict(
                "registry.stale_update",
                _("The member was changed after this request was made. Submit it again."),
            )
        before = member_snapshot(member)
        Member.objects.filter(pk=member.pk).update(
            **_member_values(values), version=F("version") + 1
        )
        member.refresh_from_db()
        _claim_aadhaar(values.get("aadhaar_token", ""), member)
        _history(
            change,
            verifier,
            family=change.family,
            member=member,
            action="member_changed",
            before=before,
            after=member_snapshot(member),
        )
    audit.record(actor=verifier, action="registry.change_approved", obj=change)
    return change


@transaction.atomic
def reject_change(*, verifier: User, change: ChangeRequest, reason: str) -> ChangeRequest:
    reason = " ".join((reason or "").split())
    if not reason:
        raise _invalid("reason", _("Say why the request is rejected."))
    change = _decide(verifier, change, ChangeState.REJECTED, reason[:300])
    # Keep no Aadhaar number of a person the register did not take (data minimisation);
    # an entry already linked to a member (an update) is only released.
    VaultEntry.objects.filter(pending_change=change, member__isnull=True, on_forms=False).delete()
    VaultEntry.objects.filter(pending_change=change).update(pending_change=None)
    # Nor a bank account number: the payload keeps its last four digits only.
    change.payload = _without_ciphers(change.payload)
    ChangeRequest.objects.filter(pk=change.pk).update(payload=change.payload)
    audit.record(
        actor=verifier, action="registry.change_rejected", obj=change, after={"reason": reason}
    )
    return change


def _without_ciphers(value: Any) -> Any:
    """A JSON payload with every ``*_cipher`` value emptied."""
    if isinstance(value, list):
        return [_without_ciphers(item) for item in value]
    if isinstance(value, dict):
        return {
            key: "" if key.endswith("_cipher") else _without_ciphers(item)
            for key, item in value.items()
        }
    return value


# --- consent -------------------------------------------------------------------------------------


class NoSuchFamily(NotFound):
    def __init__(self) -> None:
        super().__init__(
            "registry.no_family", _("No family is registered with this Jan Aadhaar family ID.")
        )


class ConsentExpired(InvalidInput):
    def __init__(self) -> None:
        super().__init__(
            "registry.consent_expired",
            _("The family's consent has expired. Ask for a new OTP."),
        )


def _otp_hash(request_id: int, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"consent:{request_id}:{code}".encode(), hashlib.sha256).hexdigest()


def find_family(family_id: str) -> Family:
    family_id = re.sub(r"[\s-]", "", family_id or "")
    family = Family.objects.filter(family_id=family_id).first() if family_id.isdigit() else None
    if family is None:
        raise NoSuchFamily()
    return family


def request_consent(
    *, requester: User, family_id: str, purpose: str, member_id: str = ""
) -> ConsentRequest:
    """Send an OTP to the family's registered mobile asking to share its data for `purpose`."""
    if purpose not in Purpose.values:
        raise _invalid("purpose", _("Choose why the data is needed."))
    family = find_family(family_id)
    member = None
    if member_id:
        member = family.members.filter(member_id=member_id.strip()).first()
        if member is None:
            raise _invalid("member", _("This member ID is not in the family."))
    with transaction.atomic():
        now = timezone.now()
        recent = ConsentRequest.objects.filter(
            family=family, created_at__gte=now - CONSENT_WINDOW
        ).count()
        if recent < CONSENT_OTPS_PER_WINDOW:
            ConsentRequest.objects.filter(
                family=family, requester=requester, used_at__isnull=True
            ).update(expires_at=now)
            code = f"{secrets.randbelow(1_000_000):06d}"
            ttl = settings.REGISTRY_CONSENT_OTP_TTL_SECONDS
            consent = ConsentRequest.objects.create(
                family=family,
                member=member,
                requester=requester,
                purpose=purpose,
                code_hash="",
                expires_at=now + timedelta(seconds=ttl),
            )
            consent.code_hash = _otp_hash(consent.pk, code)
            consent.save(update_fields=["code_hash"])
            outbox.enqueue(
                "notifications.sms",
                to=family.mobile,
                template="registry_consent_otp",
                params={
                    "code": code,
                    "minutes": ttl // 60,
                    "requester": requester.full_name or requester.username,
                },
                sensitive=True,
            )
            audit.record(actor=requester, action="registry.consent_otp_sent", obj=consent)
            return consent
        audit.record(actor=requester, action="registry.consent_rate_limited", obj=family)
    raise _invalid(
        "consent_rate_limited",
        _("Too many OTP requests for this family. Try again in 15 minutes."),
    )


def verify_consent(*, requester: User, consent: ConsentRequest, code: str) -> ConsentGrant:
    """The family's OTP turns the request into a grant (~15 minutes); wrong codes are counted."""
    if consent.requester_id != requester.pk:
        raise NotFound("registry.no_consent", _("No such consent request."))
    code = (code or "").strip()
    failure: InvalidInput | None = None
    grant: ConsentGrant | None = None
    with transaction.atomic():
        now = timezone.now()
        fresh = ConsentRequest.objects.select_for_update().get(pk=consent.pk)
        if fresh.used_at is not None or fresh.expires_at <= now:
            failure = _invalid(
                "otp_expired", _("This OTP has expired or was already used. Ask for a new one.")
            )
        elif fresh.attempts >= CONSENT_MAX_ATTEMPTS:
            failure = _invalid("otp_locked", _("Too many wrong attempts. Ask for a new OTP."))
        elif not (
            code.isdigit() and hmac.compare_digest(fresh.code_hash, _otp_hash(fresh.pk, code))
        ):
            ConsentRequest.objects.filter(pk=fresh.pk).update(attempts=F("attempts") + 1)
            failure = _invalid("otp_wrong", _("The OTP is not correct."))
        if failure is not None:
            audit.record(
                actor=requester,
                action="registry.consent_failed",
                obj=fresh,
                after={"reason": failure.code},
            )
        else:
            ConsentRequest.objects.filter(pk=fresh.pk).update(used_at=now)
            grant = ConsentGrant.objects.create(
                request=fresh,
                family=fresh.family,
                member=fresh.member,
                requester=requester,
                purpose=fresh.purpose,
                granted_at=now,
                expires_at=now + timedelta(minutes=settings.REGISTRY_CONSENT_MINUTES),
            )
            audit.record(actor=requester, action="registry.consent_granted", obj=grant)
    if failure is not None:
        raise failure
    assert grant is not None
    return grant


def live_grant(*, requester: User, token: str) -> ConsentGrant:
    grant = (
        ConsentGrant.objects.select_related("family", "member")
        .filter(token=token, requester=requester)
        .first()
    )
    if grant is None:
        raise NotFound("registry.no_consent", _("No such consent."))
    if not grant.is_live():
        raise ConsentExpired()
    return grant


@transaction.atomic
def record_access(*, grant: ConsentGrant, member: Member | None, what: AccessWhat) -> AccessRecord:
    """Every read of a family's data leaves a row the family can see."""
    accessor = grant.requester
    return AccessRecord.objects.create(
        family=grant.family,
        member=member,
        grant=grant,
        accessor=accessor,
        accessor_label=accessor.full_name or accessor.username,
        purpose=grant.purpose,
        what=what,
    )


def now() -> datetime:
    return timezone.now()


def seal_aadhaar(number: str) -> VaultEntry:
    """The vault entry of an Aadhaar number written on an application form: the form keeps
    the entry's token, never the number. One entry per number, shared with the register."""
    number = vault.clean_aadhaar(number)
    fp = vault.fingerprint(number)
    entry = VaultEntry.objects.filter(fingerprint=fp).first()
    if entry is None:
        try:
            with transaction.atomic():
                return VaultEntry.objects.create(
                    ciphertext=vault.encrypt(number),
                    fingerprint=fp,
                    last4=number[-4:],
                    on_forms=True,
                )
        except IntegrityError:  # the same number, sealed at the same moment elsewhere
            entry = VaultEntry.objects.get(fingerprint=fp)
    if not entry.on_forms:
        VaultEntry.objects.filter(pk=entry.pk).update(on_forms=True)
        entry.on_forms = True
    return entry
