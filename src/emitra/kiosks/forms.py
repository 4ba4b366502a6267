"""Forms of the kiosk pages: they parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from emitra.geo.models import District, GramPanchayat, UrbanBody
from emitra.kiosks.models import ComplaintCategory, KioskCategory, KioskType

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class KioskApplicationForm(forms.Form):
    code = forms.CharField(
        label=_("Kiosk code"),
        max_length=20,
        help_text=_("4 to 20 capital letters, digits or hyphens, e.g. JPR-K-0001."),
    )
    name = forms.CharField(label=_("Kiosk name"), max_length=120)
    kiosk_type = forms.ChoiceField(label=_("Type"), choices=KioskType.choices)
    category = forms.ChoiceField(
        label=_("Category"), choices=KioskCategory.choices, initial=KioskCategory.B
    )
    operator = forms.CharField(
        label=_("Operator's SSO ID or mobile number"),
        max_length=60,
        help_text=_("The operator must already have an e-Mitra login."),
    )
    gram_panchayat = forms.ModelChoiceField(
        label=_("Gram panchayat"), queryset=GramPanchayat.objects.none(), required=False
    )
    urban_body = forms.ModelChoiceField(
        label=_("Or urban body"), queryset=UrbanBody.objects.none(), required=False
    )
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    latitude = forms.DecimalField(
        label=_("Latitude"),
        max_digits=8,
        decimal_places=5,
        required=False,
        min_value=-90,
        max_value=90,
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        max_digits=8,
        decimal_places=5,
        required=False,
        min_value=-180,
        max_value=180,
    )
    opens_at = forms.TimeField(label=_("Opens at"), required=False, widget=TIME)
    closes_at = forms.TimeField(label=_("Closes at"), required=False, widget=TIME)

    def __init__(self, *args: Any, district: District, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # GPs and ULBs are listed under the pre-2023 districts (see services._check_place).
        within = Q(district=district)
        if district.carved_from_id:
            within |= Q(district_id=district.carved_from_id)
        gp = self.fields["gram_panchayat"]
        ulb = self.fields["urban_body"]
        assert isinstance(gp, forms.ModelChoiceField) and isinstance(ulb, forms.ModelChoiceField)
        gp.queryset = GramPanchayat.objects.filter(within).order_by(
            "panchayat_samiti_name", "name_en"
        )
        gp.label_from_instance = _gp_label  # type: ignore[method-assign]
        ulb.queryset = UrbanBody.objects.filter(within).order_by("name_en")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        opens, closes = data.get("opens_at"), data.get("closes_at")
        if (opens is None) != (closes is None):
            self.add_error(
                "closes_at" if closes is None else "opens_at",
                _("Give both the opening and the closing time, or neither."),
            )
        elif opens is not None and closes is not None and opens >= closes:
            self.add_error("closes_at", _("The closing time must be after the opening time."))
        return data


def _gp_label(obj: GramPanchayat) -> str:
    return f"{obj.name_en} ({obj.panchayat_samiti_name})"


class LSPRegistrationForm(forms.Form):
    login = forms.CharField(
        label=_("LSP login: SSO ID or mobile number"),
        max_length=60,
        help_text=_("The organisation's login, with the role “Local service provider”."),
    )
    name = forms.CharField(label=_("Organisation's name"), max_length=150)
    district = forms.ModelChoiceField(label=_("District"), queryset=District.objects.none())

    def __init__(self, *args: Any, districts: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["district"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = districts
        if districts.count() == 1:
            field.initial = districts.first()


class KioskActionForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RatingForm(forms.Form):
    stars = forms.TypedChoiceField(
        label=_("Your rating"),
        coerce=int,
        choices=[(i, str(i)) for i in range(5, 0, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ComplaintForm(forms.Form):
    category = forms.ChoiceField(
        label=_("What went wrong?"), choices=ComplaintCategory.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label=_("What happened (optional)"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    contact_mobile = forms.RegexField(
        label=_("Your mobile number for a reply (optional)"),
        regex=r"^[6-9]\d{9}$",
        required=False,
        max_length=10,
        error_messages={"invalid": _("Enter a 10-digit mobile number.")},
    )


class ComplaintDecisionForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
