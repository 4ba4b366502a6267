"""Booking and handling forms. The block, panchayat and town lists follow the chosen district
(the page re-renders on "Show places"), so no page carries all 11,000 panchayats."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from emitra.geo.models import Block, District, GramPanchayat, UrbanBody
from emitra.home_visits import selectors, slots
from emitra.home_visits.models import PriorityGroup


class BookingForm(forms.Form):
    citizen_name = forms.CharField(label=_("Citizen's name"), max_length=120)
    mobile = forms.RegexField(
        label=_("Citizen's mobile number"),
        regex=r"^[6-9]\d{9}$",
        max_length=10,
        error_messages={"invalid": _("Enter a 10-digit mobile number.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "tel"}),
    )
    district = forms.ModelChoiceField(
        label=_("District"), queryset=District.objects.order_by("name_en"), to_field_name="slug"
    )
    block = forms.ModelChoiceField(
        label=_("Block (optional)"), queryset=Block.objects.none(), required=False
    )
    gram_panchayat = forms.ModelChoiceField(
        label=_("Gram panchayat (optional)"), queryset=GramPanchayat.objects.none(), required=False
    )
    urban_body = forms.ModelChoiceField(
        label=_("Or town / urban body (optional)"),
        queryset=UrbanBody.objects.none(),
        required=False,
    )
    address = forms.CharField(
        label=_("House, street and village or ward"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    pin = forms.RegexField(
        label=_("PIN code"),
        regex=r"^[1-9]\d{5}$",
        max_length=6,
        error_messages={"invalid": _("Enter a 6-digit PIN code.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    service = forms.ChoiceField(label=_("Service needed"))
    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    slot = forms.ChoiceField(label=_("Time slot"))
    priority_group = forms.ChoiceField(
        label=_("Priority group (no visit charge)"),
        choices=PriorityGroup.choices,
        required=False,
        help_text=_("Declare it if it applies; the operator may ask for proof at the visit."),
    )

    def __init__(self, *args: Any, for_citizen: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if for_citizen:
            del self.fields["citizen_name"]
            del self.fields["mobile"]
        service_field = self.fields["service"]
        slot_field = self.fields["slot"]
        assert isinstance(service_field, forms.ChoiceField)
        assert isinstance(slot_field, forms.ChoiceField)
        service_field.choices = [("", "—")] + [(s.code, s.name) for s in selectors.home_services()]
        slot_field.choices = slots.slot_choices()
        today = slots.today_ist()
        self.fields["day"].widget.attrs.update(
            {"min": today.isoformat(), "max": slots.last_day().isoformat()}
        )
        slug = self.data.get("district") or self.initial.get("district") or ""
        district = District.objects.filter(slug=str(slug)).first()
        if district is not None:
            self.fields["block"].queryset = Block.objects.filter(district=district)  # type: ignore[attr-defined]
            self.fields["gram_panchayat"].queryset = GramPanchayat.objects.filter(  # type: ignore[attr-defined]
                district=district
            )
            self.fields["urban_body"].queryset = UrbanBody.objects.filter(district=district)  # type: ignore[attr-defined]

    def clean_service(self) -> Any:
        found = selectors.home_service(self.cleaned_data["service"])
        if found is None:
            raise forms.ValidationError(_("This service is not offered at home. Choose another."))
        return found


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=300, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReassignForm(forms.Form):
    kiosk = forms.CharField(
        label=_("Kiosk code (empty: the next nearest with room)"), max_length=20, required=False
    )
