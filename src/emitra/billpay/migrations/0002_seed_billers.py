"""The billers e-Mitra collects for, with their consumer-number rules. Reversible: the
reverse removes exactly these rows (kept if a payment already refers to one)."""

from typing import Any

from django.db import migrations

# The data lives in the app (one copy); it only ever grows, so an old migration still runs.
from emitra.billpay.billers import BILLERS, ensure_billers  # noqa: E402


def seed(apps: Any, schema_editor: Any) -> None:
    ensure_billers(apps.get_model("billpay", "Biller"))


def unseed(apps: Any, schema_editor: Any) -> None:
    Biller = apps.get_model("billpay", "Biller")
    BillPayment = apps.get_model("billpay", "BillPayment")
    used = set(BillPayment.objects.values_list("biller__code", flat=True))
    Biller.objects.filter(code__in=[b["code"] for b in BILLERS]).exclude(code__in=used).delete()


class Migration(migrations.Migration):
    dependencies = [("billpay", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
