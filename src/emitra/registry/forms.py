"""Kiosk forms: a family's address, a member's details, consent and the public checker.

Forms parse what a person typed; the rules (GP in district, Verhoeff, duplicates) live in
``registry.services`` so every channel gets the same refusals.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from emitra.core.errors import DomainError
from emitra.core.money import parse_rupees
from emitra.geo.models import Block, District, GramPanchayat, UrbanBody
from emitra.registry.models import (
    Category,
    ChangeKind,
    ChangeState,
    Gender,
    MaritalStatus,
    Occupation,
    Purpose,
    Relation,
)
from emitra.registry.selectors import ChangeFilters
from emitra.registry.services import FamilyInput, MemberInput

BLANK = [("", _("Choose…"))]


class NoEchoInput(forms.TextInput):
    """A text box that never sends its value back in a re-rendered page: an Aadhaar or bank
    account number typed once must not come back in HTML (or a browser cache)."""

    def format_value(self, value: Any) -> str | None:
        return None


def _choices(form: forms.Form, name: str) -> forms.ChoiceField:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def _rupees(value: str) -> int:
    try:
        return parse_rupees(value or "0")
    except DomainError as exc:
        raise ValidationError(str(exc.message)) from exc


class FamilyForm(forms.Form):
    mobile = forms.CharField(
        label=_("Registered mobile number"),
        max_length=16,
        help_text=_("OTPs for sharing the family's data are sent to this number."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    district = forms.ChoiceField(label=_("District"))
    block = forms.ChoiceField(label=_("Panchayat samiti (block)"), required=False)
    gram_panchayat = forms.ChoiceField(
        label=_("Gram panchayat"),
        required=False,
        help_text=_("For a village; leave empty for a town."),
    )
    urban_body = forms.ChoiceField(
        label=_("Urban body"), required=False, help_text=_("For a town; leave empty for a village.")
    )
    address = forms.CharField(
        label=_("Address"), max_length=300, widget=forms.Textarea({"rows": 2})
    )
    pincode = forms.CharField(
        label=_("PIN code"), max_length=6, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        data = self.data
        district = str(data.get("district", "")) if data else ""
        block = str(data.get("block", "")) if data else ""
        _choices(self, "district").choices = BLANK + [
            (d.slug, d.name) for d in District.objects.order_by("name_en")
        ]
        blocks = Block.objects.filter(district__slug=district) if district else Block.objects.none()
        _choices(self, "block").choices = BLANK + [(str(b.lgd_code), b.name_en) for b in blocks]
        gps = (
            GramPanchayat.objects.filter(block__lgd_code=int(block))
            if block.isdigit()
            else GramPanchayat.objects.none()
        )
        _choices(self, "gram_panchayat").choices = BLANK + [
            (str(g.lgd_code), g.name_en) for g in gps
        ]
        ulbs = (
            UrbanBody.objects.filter(district__slug=district)
            if district
            else UrbanBody.objects.none()
        )
        _choices(self, "urban_body").choices = BLANK + [(str(u.lgd_code), u.name) for u in ulbs]
        self.fields["district"].widget.attrs.update(
            {
                "hx-get": reverse("services:picker", args=["block"]),
                "hx-target": "#id_block",
                "hx-trigger": "change",
            }
        )
        self.fields["block"].widget.attrs.update(
            {
                "hx-get": reverse("services:picker", args=["gram_panchayat"]),
                "hx-target": "#id_gram_panchayat",
                "hx-trigger": "change",
            }
        )

    def to_input(self) -> FamilyInput:
        data = self.cleaned_data
        district = District.objects.get(slug=data["district"])

        def by_code(model: Any, raw: str) -> Any:
            return model.objects.filter(lgd_code=int(raw)).first() if raw else None

        return FamilyInput(
            mobile=data["mobile"],
            district=district,
            block=by_code(Block, data["block"]),
            gram_panchayat=by_code(GramPanchayat, data["gram_panchayat"]),
            urban_body=by_code(UrbanBody, data["urban_body"]),
            address=data["address"],
            pincode=data["pincode"],
        )


class MemberForm(forms.Form):
    name_en = forms.CharField(label=_("Name (English)"), max_length=100)
    name_hi = forms.CharField(label=_("Name (Hindi)"), max_length=100)
    relative_name_en = forms.CharField(
        label=_("Father's or husband's name (English)"), max_length=100, required=False
    )
    relative_name_hi = forms.CharField(
        label=_("Father's or husband's name (Hindi)"), max_length=100, required=False
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=BLANK + Gender.choices)
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=forms.DateInput(attrs={"type": "date"})
    )
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=BLANK + Relation.choices)
    category = forms.ChoiceField(label=_("Social category"), choices=BLANK + Category.choices)
    marital_status = forms.ChoiceField(
        label=_("Marital status"), choices=BLANK + MaritalStatus.choices
    )
    occupation = forms.ChoiceField(label=_("Occupation"), choices=BLANK + Occupation.choices)
    annual_income = forms.CharField(
        label=_("Annual income (₹)"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    disability_percent = forms.IntegerField(
        label=_("Disability (%)"), min_value=0, max_value=100, required=False, initial=0
    )
    aadhaar = forms.CharField(
        label=_("Aadhaar number"),
        max_length=14,
        required=False,
        help_text=_(
            "12 digits; required for everyone aged 5 or more. Stored encrypted; shown only "
            "as the last four digits. Enter it again if the form comes back with an error."
        ),
        widget=NoEchoInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    bank_account = forms.CharField(
        label=_("Bank account number"),
        max_length=20,
        required=False,
        widget=NoEchoInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    ifsc = forms.CharField(label=_("IFSC"), max_length=11, required=False)

    def __init__(self, *args: Any, head: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if head:
            _choices(self, "relation").choices = [(Relation.HEAD.value, Relation.HEAD.label)]
            self.fields["relation"].initial = Relation.HEAD.value
        else:
            _choices(self, "relation").choices = [
                (BLANK[0]),
                *[c for c in Relation.choices if c[0] != Relation.HEAD],
            ]

    def clean_annual_income(self) -> int:
        return _rupees(self.cleaned_data.get("annual_income", ""))

    def to_input(self) -> MemberInput:
        d = self.cleaned_data
        return MemberInput(
            name_en=d["name_en"],
            name_hi=d["name_hi"],
            relative_name_en=d["relative_name_en"],
            relative_name_hi=d["relative_name_hi"],
            gender=d["gender"],
            date_of_birth=d["date_of_birth"],
            relation=d["relation"],
            category=d["category"],
            marital_status=d["marital_status"],
            occupation=d["occupation"],
            annual_income=d["annual_income"],
            disability_percent=d.get("disability_percent") or 0,
            aadhaar=d["aadhaar"],
            bank_account=d["bank_account"],
            ifsc=d["ifsc"],
        )


class ChangeFilterForm(forms.Form):
    """The requests list's filters (GET): every field optional; a bad value is an error."""

    state = forms.ChoiceField(label=_("Status"), required=False)
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    submitted_by = forms.ChoiceField(label=_("Submitted by"), required=False)
    submitted_from = forms.DateField(
        label=_("Submitted from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    submitted_to = forms.DateField(
        label=_("Submitted up to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(
        self,
        *args: Any,
        districts: list[tuple[str, str]],
        submitters: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        everything: list[tuple[str, Any]] = [("", _("All"))]
        _choices(self, "state").choices = everything + ChangeState.choices
        _choices(self, "kind").choices = everything + ChangeKind.choices
        _choices(self, "district").choices = everything + districts
        _choices(self, "submitted_by").choices = everything + submitters

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            raise ValidationError(_("The first day comes after the last day."))
        return data

    def filters(self) -> ChangeFilters:
        d = self.cleaned_data
        return ChangeFilters(
            state=d.get("state") or "",
            kind=d.get("kind") or "",
            district=d.get("district") or "",
            submitted_by=d.get("submitted_by") or "",
            submitted_from=d.get("submitted_from"),
            submitted_to=d.get("submitted_to"),
        )


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejecting"), max_length=300)


class ConsentForm(forms.Form):
    family_id = forms.CharField(
        label=_("Jan Aadhaar family ID"),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    member_id = forms.CharField(
        label=_("Member ID (optional)"),
        max_length=11,
        required=False,
        help_text=_("Leave empty to ask for the whole family."),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=Purpose.choices)

    def __init__(self, *args: Any, citizen: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if citizen:  # a citizen reads a family's data to fill a form; changes go via a kiosk
            field = self.fields["purpose"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [(p.value, p.label) for p in (Purpose.APPLICATION, Purpose.SCHEMES)]


class CheckerForm(forms.Form):
    """The public, anonymous eligibility checker: facts only, no identity."""

    age = forms.IntegerField(label=_("Age (years)"), min_value=0, max_value=120)
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    category = forms.ChoiceField(label=_("Social category"), choices=Category.choices)
    income = forms.CharField(
        label=_("Family's annual income (₹)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )
    marital_status = forms.ChoiceField(label=_("Marital status"), choices=MaritalStatus.choices)
    disability = forms.IntegerField(
        label=_("Disability (%)"), min_value=0, max_value=100, initial=0, required=False
    )
    relation = forms.ChoiceField(label=_("Relation to the head"), choices=Relation.choices)
    occupation = forms.ChoiceField(label=_("Occupation"), choices=Occupation.choices)
    widowed_parent = forms.BooleanField(
        label=_("The father or mother is widowed (for children)"), required=False
    )
    district = forms.ChoiceField(label=_("District"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self, "district").choices = BLANK + [
            (d.slug, d.name) for d in District.objects.order_by("name_en")
        ]

    def clean_income(self) -> int:
        return _rupees(self.cleaned_data.get("income", ""))

    def facts(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "age": d["age"],
            "gender": d["gender"],
            "category": d["category"],
            "income": d["income"],
            "disability": d.get("disability") or 0,
            "marital_status": d["marital_status"],
            "widowed": d["marital_status"] == MaritalStatus.WIDOWED,
            "widowed_parent": bool(d.get("widowed_parent")),
            "district": d.get("district") or "",
            "relation": d["relation"],
            "occupation": d["occupation"],
        }
