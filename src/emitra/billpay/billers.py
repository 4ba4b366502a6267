"""The billers e-Mitra collects for, with their consumer-number rules (seeded by migration
0002; `ensure_billers` puts them back where a test flushed the tables)."""

from typing import Any

BILLERS: list[dict[str, Any]] = [
    {
        "code": "jvvnl",
        "service_id": "jvvnl-electricity-bill",
        "name_en": "Jaipur Discom (JVVNL)",
        "name_hi": "जयपुर डिस्कॉम (जेवीवीएनएल)",
        "kind": "electricity",
        "consumer_label_en": "K-number (12 digits)",
        "consumer_label_hi": "के-नंबर (12 अंक)",
        "consumer_pattern": r"\d{12}",
        "consumer_example": "210512345670",
        "part_payment": False,
        "min_amount": 100,
    },
    {
        "code": "avvnl",
        "service_id": "avvnl-electricity-bill",
        "name_en": "Ajmer Discom (AVVNL)",
        "name_hi": "अजमेर डिस्कॉम (एवीवीएनएल)",
        "kind": "electricity",
        "consumer_label_en": "K-number (12 digits)",
        "consumer_label_hi": "के-नंबर (12 अंक)",
        "consumer_pattern": r"\d{12}",
        "consumer_example": "110412345671",
        "part_payment": False,
        "min_amount": 100,
    },
    {
        "code": "jdvvnl",
        "service_id": "jdvvnl-electricity-bill",
        "name_en": "Jodhpur Discom (JdVVNL)",
        "name_hi": "जोधपुर डिस्कॉम (जेडीवीवीएनएल)",
        "kind": "electricity",
        "consumer_label_en": "K-number (12 digits)",
        "consumer_label_hi": "के-नंबर (12 अंक)",
        "consumer_pattern": r"\d{12}",
        "consumer_example": "310612345672",
        "part_payment": False,
        "min_amount": 100,
    },
    {
        "code": "phed",
        "service_id": "phed-water-bill",
        "name_en": "PHED water",
        "name_hi": "जलदाय विभाग (पानी)",
        "kind": "water",
        "consumer_label_en": "Consumer number (10 digits)",
        "consumer_label_hi": "उपभोक्ता संख्या (10 अंक)",
        "consumer_pattern": r"\d{10}",
        "consumer_example": "1403567890",
        "part_payment": True,
        "min_amount": 50_00,
    },
    {
        "code": "rsgl",
        "service_id": "rsgl-gas-bill",
        "name_en": "Rajasthan State Gas (piped gas)",
        "name_hi": "राजस्थान स्टेट गैस (पाइप्ड गैस)",
        "kind": "gas",
        "consumer_label_en": "BP number (10 digits)",
        "consumer_label_hi": "बीपी नंबर (10 अंक)",
        "consumer_pattern": r"\d{10}",
        "consumer_example": "5000123450",
        "part_payment": False,
        "min_amount": 100,
    },
    {
        "code": "bsnl",
        "service_id": "bsnl-postpaid-bill",
        "name_en": "BSNL postpaid and landline",
        "name_hi": "बीएसएनएल पोस्टपेड एवं लैंडलाइन",
        "kind": "telecom",
        "consumer_label_en": "Account number (10 digits)",
        "consumer_label_hi": "खाता संख्या (10 अंक)",
        "consumer_pattern": r"\d{10}",
        "consumer_example": "9012345670",
        "part_payment": True,
        "min_amount": 10_00,
    },
    {
        "code": "dth",
        "service_id": "dth-recharge",
        "name_en": "DTH recharge",
        "name_hi": "डीटीएच रिचार्ज",
        "kind": "dth",
        "consumer_label_en": "Subscriber ID (10 digits, starts with 1, 2 or 3)",
        "consumer_label_hi": "सब्सक्राइबर आईडी (10 अंक, 1, 2 या 3 से शुरू)",
        "consumer_pattern": r"[1-3]\d{9}",
        "consumer_example": "1012345670",
        "part_payment": True,
        "overpayment": True,
        "min_amount": 100_00,
    },
]


def ensure_billers(biller_model: Any) -> int:
    """Create or update the shipped billers; returns how many rows were created."""
    created = 0
    # Only the fields the model has: migration 0002 passes the historical model, which may
    # lack a column added later.
    known = {field.name for field in biller_model._meta.get_fields()} | {"service_id"}
    for row in BILLERS:
        fields = {k: v for k, v in row.items() if k != "code" and k in known}
        fields.update({"remote_code": row["code"], "adapter": "http"})
        _, made = biller_model.objects.update_or_create(code=row["code"], defaults=fields)
        created += int(made)
    return created
