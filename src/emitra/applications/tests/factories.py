"""Test helpers for applications: the catalog's certificate form, a funded wallet, a valid
form for a district and block, and good uploads for the domicile service's slots."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from emitra.documents.tests import samples
from emitra.geo.models import Block, District
from emitra.ledger import chart
from emitra.ledger import services as ledger
from emitra.ledger.services import Leg

CATALOG = Path(__file__).resolve().parents[2] / "catalog" / "data" / "catalog.json"
FUNDS = 1_000_00


def certificate_form() -> dict[str, Any]:
    data = json.loads(CATALOG.read_text(encoding="utf-8"))
    return dict(data["forms"]["certificate"])


def fund(user: Any, amount: int = FUNDS) -> Any:
    wallet = ledger.open_operator_wallet(user_id=user.pk, name=user.full_name)
    if amount:
        ledger.transfer(
            legs=[Leg(chart.gateway_clearing(), wallet, amount)],
            kind="topup",
            scope="test",
            key=f"fund-{wallet.pk}",
        )
    return wallet


def form_data(district: District, block: Block, /, **overrides: str) -> dict[str, str]:
    return {
        "applicant_name": "Sita Devi",
        "relative_name": "Mohan Lal",
        "date_of_birth": "1990-05-17",
        "gender": "female",
        "jan_aadhaar": "1234567890",
        "mobile": "9829012345",
        "district": district.slug,
        "block": str(block.lgd_code),
        "address": "12 Gandhi Nagar",
        "pincode": "302015",
        **overrides,
    }


def upload(name: str, data: bytes, content_type: str = "application/octet-stream") -> Any:
    return SimpleUploadedFile(name, data, content_type=content_type)


def good_files() -> dict[str, Any]:
    return {
        "photo": upload("photo.jpg", samples.jpeg(), "image/jpeg"),
        "doc_jan_aadhaar": upload("ja.pdf", samples.pdf()),
        "doc_self_declaration": upload("decl.png", samples.png()),
    }
