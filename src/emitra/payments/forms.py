"""The top-up form: an amount in rupees as a person types it, and the request's key."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from emitra.core.errors import DomainError
from emitra.core.money import Paise, parse_rupees
from emitra.payments import services


def new_key() -> str:
    return uuid.uuid4().hex


class TopUpForm(forms.Form):
    amount = forms.CharField(
        label=_("Amount (₹)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    # Made when the form is shown: submitting the same form twice is one top-up.
    key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=100,
        error_messages={
            "required": _("This form has expired. Please enter the amount again."),
            "max_length": _("This form has expired. Please enter the amount again."),
        },
    )

    def clean_amount(self) -> Paise:
        try:
            return services.check_amount(parse_rupees(self.cleaned_data["amount"]))
        except DomainError as exc:
            raise ValidationError(str(exc.message), code=exc.code) from exc
