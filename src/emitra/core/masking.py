"""Personal numbers are shown and logged masked: Aadhaar XXXX-XXXX-1234, mobile XXXXXX1234."""

from __future__ import annotations

import re

_AADHAAR = re.compile(r"(?<!\d)[2-9]\d{3}[ -]?\d{4}[ -]?(\d{4})(?!\d)")
_MOBILE = re.compile(r"(?<!\d)(?:\+?91[ -]?)?[6-9]\d{5}(\d{4})(?!\d)")


def mask_aadhaar(number: str) -> str:
    digits = re.sub(r"\D", "", number or "")
    return f"XXXX-XXXX-{digits[-4:]}" if len(digits) >= 4 else "XXXX-XXXX-XXXX"


def mask_mobile(number: str) -> str:
    digits = re.sub(r"\D", "", number or "")
    return f"XXXXXX{digits[-4:]}" if len(digits) >= 4 else "XXXXXXXXXX"


def mask_personal_numbers(text: str) -> str:
    """Mask every Aadhaar- or mobile-shaped number inside free text (log lines)."""
    text = _AADHAAR.sub(lambda m: f"XXXX-XXXX-{m.group(1)}", text)
    return _MOBILE.sub(lambda m: f"XXXXXX{m.group(1)}", text)
