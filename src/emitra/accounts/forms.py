"""Login forms with translated messages."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from emitra.accounts.backends import canonical_login_name


class PasswordLoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Mobile number or SSO ID"),
        max_length=60,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        "invalid_login": _(
            "The mobile number/SSO ID or the password is not correct. "
            "After 5 wrong attempts the account is locked for 15 minutes."
        ),
        "inactive": _("This account is not active. Contact your district e-Mitra society."),
    }

    def clean_username(self) -> str:
        # authenticate() and django-axes then see one name per account, so the lockout after
        # 5 wrong passwords cannot be dodged by typing the SSO ID in capitals or the mobile.
        return canonical_login_name(self.cleaned_data["username"])


class MobileForm(forms.Form):
    mobile = forms.CharField(
        label=_("Mobile number"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "tel-national", "autofocus": True}
        ),
    )


class CodeForm(forms.Form):
    code = forms.CharField(
        label=_("6-digit code"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autofocus": True,
                "pattern": "[0-9]{6}",
            }
        ),
    )

    def clean_code(self) -> str:
        code: str = self.cleaned_data["code"].strip()
        if not code.isdigit():
            raise forms.ValidationError(_("Enter the 6 digits of the code."))
        return code
