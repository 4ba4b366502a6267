"""The counter's forms: a consumer number, then the amount (rupees as typed), the citizen's
mobile for the SMS, and the request key that makes a double-clicked "Pay" one payment."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from emitra.core.errors import DomainError
from emitra.core.money import Paise, parse_rupees


def new_key() -> str:
    return uuid.uuid4().hex


class FetchForm(forms.Form):
    consumer = forms.CharField(
        label=_("Consumer number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )


class PayForm(forms.Form):
    consumer = forms.CharField(widget=forms.HiddenInput, max_length=30)
    amount = forms.CharField(
        label=_("Amount (₹)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    mobile = forms.CharField(
        label=_("Citizen's mobile number (for the SMS receipt, optional)"),
        max_length=15,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    pay_again = forms.BooleanField(
        label=_("Pay again: the citizen wants to pay this bill a second time"), required=False
    )
    key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=100,
        error_messages={"required": _("This form has expired. Please start again.")},
    )

    def clean_amount(self) -> Paise:
        try:
            return parse_rupees(self.cleaned_data["amount"])
        except DomainError as exc:
            raise ValidationError(str(exc.message), code=exc.code) from exc


class ResolveForm(forms.Form):
    """A staff decision on a payment the biller could not settle."""

    reason = forms.CharField(
        label=_("Reason (what the biller said, and how you checked)"),
        max_length=200,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    biller_txn_id = forms.CharField(
        label=_("Biller's transaction id (if the biller was paid)"),
        max_length=64,
        required=False,
    )
