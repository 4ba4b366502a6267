"""The portal's bill forms: choose the biller and consumer number, then the amount. Drafts of
both are kept on the device by static/portal/drafts.js (fields marked data-draft)."""

from __future__ import annotations

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from emitra.billpay.models import Biller
from emitra.core.errors import DomainError
from emitra.core.money import Paise, parse_rupees


def new_key() -> str:
    return uuid.uuid4().hex


def _name(biller: Biller) -> str:
    return biller.name


class BillFetchForm(forms.Form):
    biller = forms.ModelChoiceField(
        label=_("Biller"), queryset=Biller.objects.none(), to_field_name="code"
    )
    consumer = forms.CharField(
        label=_("Consumer number"),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}),
    )

    def __init__(self, *args: object, billers: list[Biller], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        field = self.fields["biller"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Biller.objects.filter(pk__in=[b.pk for b in billers])
        field.label_from_instance = _name  # type: ignore[method-assign,assignment]


class BillPayForm(forms.Form):
    fetched = forms.IntegerField(widget=forms.HiddenInput)
    amount = forms.CharField(
        label=_("Amount (₹)"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
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
