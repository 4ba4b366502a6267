"""Demo applications: a few domicile applications filed by the demo operator in Jaipur, one in
each state of the workflow (submitted, under review, sent back, issued, rejected). Idempotent:
they are filed with fixed request keys, so a second run finds them and changes nothing."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from pypdf import PdfWriter

from emitra.accounts.models import User
from emitra.applications import services
from emitra.applications.models import Application
from emitra.catalog import pricing
from emitra.catalog.models import Service
from emitra.core.money import Paise
from emitra.geo.models import Block
from emitra.ledger import chart
from emitra.ledger import selectors as ledger_selectors
from emitra.ledger import services as ledger
from emitra.ledger.services import Leg
from emitra.payments.services import ensure_wallet


@dataclass(frozen=True)
class DemoApplication:
    key: str
    name: str
    mobile: str
    steps: tuple[tuple[str, str], ...]  # (action, note) after submitting


DEMO = (
    DemoApplication("demo-application-0001", "Sita Devi", "9829000001", ()),
    DemoApplication("demo-application-0002", "Mohan Lal Saini", "9829000101", (("assign", ""),)),
    DemoApplication(
        "demo-application-0003",
        "Kamla Meena",
        "9829000102",
        (("send_back", "The photograph is not clear."),),
    ),
    DemoApplication(
        "demo-application-0004",
        "Ramesh Chand Sharma",
        "9829000103",
        (("assign", ""), ("approve", "")),
    ),
    DemoApplication(
        "demo-application-0005",
        "Gopal Singh",
        "9829000104",
        (("reject", "The applicant does not live in Rajasthan."),),
    ),
)


def _photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 150), (180, 200, 220)).save(out, format="JPEG")
    return out.getvalue()


def _pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _files() -> dict[str, SimpleUploadedFile]:
    return {
        "photo": SimpleUploadedFile("photo.jpg", _photo(), "image/jpeg"),
        "doc_jan_aadhaar": SimpleUploadedFile("jan-aadhaar.pdf", _pdf(), "application/pdf"),
        "doc_self_declaration": SimpleUploadedFile("declaration.pdf", _pdf(), "application/pdf"),
    }


def ensure_demo_applications() -> list[Application]:
    """File the demo applications that do not exist yet and walk them to their states.

    The fee is taken from op.jaipur's wallet like any application; if the wallet cannot pay,
    it receives exactly the shortfall as a transfer marked as demo money (scope "demo")."""
    operator = User.objects.filter(username="op.jaipur").first()
    officer = User.objects.filter(username="officer.revenue").first()
    service = Service.objects.filter(code="domicile-certificate").first()
    block = Block.objects.filter(district__slug="jaipur").order_by("name_en").first()
    if operator is None or officer is None or service is None or block is None:
        return []
    existing = set(
        Application.objects.filter(
            submitted_by=operator, idempotency_key__startswith="demo-"
        ).values_list("idempotency_key", flat=True)
    )
    missing = [d for d in DEMO if d.key not in existing]
    if missing:
        _fund(operator, service, len(missing))
    filed = []
    for demo in DEMO:
        application = services.submit_application(
            service=service,
            submitted_by=operator,
            data={
                "applicant_name": demo.name,
                "relative_name": "Ram Prasad",
                "date_of_birth": "1988-08-15",
                "gender": "female" if demo.name.endswith(("Devi", "Meena")) else "male",
                "jan_aadhaar": "1234567890",
                "mobile": demo.mobile,
                "district": "jaipur",
                "block": str(block.lgd_code),
                "address": "12, Gandhi Nagar",
                "pincode": "302015",
            },
            files=_files(),
            key=demo.key,
        )
        if demo in missing:
            for action, note in demo.steps:
                application = services.act(
                    application=application, action=action, actor=officer, note=note
                )
        filed.append(application)
    return filed


def _fund(operator: User, service: Service, count: int) -> None:
    wallet = ensure_wallet(operator=operator)
    price = pricing.quote(service=service, amount=Paise(0), channel="kiosk", kiosk_category="A")
    shortfall = price.total_citizen * count - ledger_selectors.available_balance(wallet)
    if shortfall > 0:
        ledger.transfer(
            legs=[Leg(chart.gateway_clearing(), wallet, shortfall)],
            kind="topup",
            scope="demo",
            key=f"demo-applications-{wallet.pk}-{Application.objects.count()}",
        )
