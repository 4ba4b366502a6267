"""Forms of the verify page and the revocation form."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


class NumberForm(forms.Form):
    number = forms.CharField(label=_("Certificate number"), max_length=40)
    name = forms.CharField(
        label=_("Holder's name"),
        max_length=120,
        help_text=_("As printed on the certificate, in English or Hindi."),
    )


class FileCheckForm(forms.Form):
    number = forms.CharField(widget=forms.HiddenInput, max_length=40)
    p = forms.CharField(widget=forms.HiddenInput, required=False, max_length=1200)
    name = forms.CharField(widget=forms.HiddenInput, required=False, max_length=120)
    document = forms.FileField(label=_("Certificate PDF"))

    def clean_document(self) -> object:
        document = self.cleaned_data["document"]
        if document.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 5 MB."))
        return document


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=1000,
    )
