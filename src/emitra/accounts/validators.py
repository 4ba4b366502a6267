"""Indian mobile numbers and SSO-style login ids."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_RE = re.compile(r"^[6-9]\d{9}$")
SSO_ID_RE = re.compile(r"^[a-z][a-z0-9._-]{2,59}$")


def normalise_mobile(value: str) -> str:
    """'+91 98290-12345' → '9829012345'; anything else is returned stripped for validation."""
    digits = re.sub(r"[\s-]", "", value or "")
    if digits.startswith("+91"):
        digits = digits[3:]
    elif len(digits) == 12 and digits.startswith("91"):
        digits = digits[2:]
    elif len(digits) == 11 and digits.startswith("0"):
        digits = digits[1:]
    return digits


def validate_mobile(value: str) -> None:
    if not MOBILE_RE.match(value or ""):
        raise ValidationError(
            _("Enter a 10-digit Indian mobile number starting with 6, 7, 8 or 9."),
            code="invalid_mobile",
        )


def validate_sso_id(value: str) -> None:
    if not SSO_ID_RE.match(value or ""):
        raise ValidationError(
            _("An SSO ID has 3–60 lower-case letters, digits, dots, dashes or underscores."),
            code="invalid_sso_id",
        )
