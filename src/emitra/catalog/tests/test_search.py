"""Search in Hindi, English and romanised Hindi, ranked and typo-tolerant, with filters."""

from __future__ import annotations

import json

import pytest

from emitra.catalog import catalogfile, search
from emitra.catalog.models import Category, Department, Service

DOC = json.loads(catalogfile.SHIPPED.read_text(encoding="utf-8"))


def build_index() -> search.Index:
    """The index over the shipped file's services, built without the database."""
    departments = {
        d["code"]: Department(code=d["code"], name_en=d["name_en"], name_hi=d["name_hi"])
        for d in DOC["departments"]
    }
    categories = {
        c["code"]: Category(code=c["code"], name_en=c["name_en"], name_hi=c["name_hi"])
        for c in DOC["categories"]
    }
    services = [
        Service(
            code=s["code"],
            name_en=s["name_en"],
            name_hi=s["name_hi"],
            service_type=s["type"],
            channels=s["channels"],
            keywords=s.get("keywords", []),
            department=departments[s["department"]],
            category=categories[s["category"]],
        )
        for s in DOC["services"]
    ]
    return search.Index.build(search.service_entries(services))


INDEX = build_index()


def top(query: str, n: int = 3, **filters) -> list[str]:
    return [hit.code for hit in INDEX.search(query, **filters)[:n]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "jati praman patra",
            {"caste-certificate-sc-st", "caste-certificate-obc", "caste-certificate-mbc"},
        ),
        (
            "जाति प्रमाण-पत्र",
            {"caste-certificate-sc-st", "caste-certificate-obc", "caste-certificate-mbc"},
        ),
        (
            "caste certificate",
            {"caste-certificate-sc-st", "caste-certificate-obc", "caste-certificate-mbc"},
        ),
        (
            "bijli bill",
            {"jvvnl-electricity-bill", "avvnl-electricity-bill", "jdvvnl-electricity-bill"},
        ),
        (
            "बिजली बिल",
            {"jvvnl-electricity-bill", "avvnl-electricity-bill", "jdvvnl-electricity-bill"},
        ),
        ("pension", {"old-age-pension", "single-woman-pension", "disability-pension"}),
        ("पेंशन", {"old-age-pension", "single-woman-pension", "disability-pension"}),
    ],
)
def test_hindi_english_and_romanised_hindi_find_the_right_services_first(query, expected):
    assert set(top(query, len(expected))) == expected


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("mool niwas", "domicile-certificate"),
        ("mul nivas praman patra", "domicile-certificate"),
        ("मूल निवास", "domicile-certificate"),
        ("domicile", "domicile-certificate"),
        ("pani ka bill", "phed-water-bill"),
        ("palanhar", "palanhar-yojana"),
        ("पालनहार", "palanhar-yojana"),
        ("chiranjeevi", "maa-yojana-registration"),
        ("aay praman patra", "income-certificate"),
        ("jan aadhar", "jan-aadhaar-enrolment"),
        ("police verification", "police-character-verification"),
    ],
)
def test_the_best_match_comes_first(query, first):
    assert top(query, 1) == [first]


@pytest.mark.parametrize(
    ("typo", "meant"),
    [
        ("pensoin", "old-age-pension"),
        ("castte certficate", "caste-certificate-sc-st"),
        ("domicle", "domicile-certificate"),
        ("palanhaar yojna", "palanhar-yojana"),
        ("electrcity bill", "jvvnl-electricity-bill"),
    ],
)
def test_typos_are_forgiven(typo, meant):
    assert meant in top(typo, 5)


def test_filters_by_department_type_and_channel():
    assert top("bill", 1, department="phed") == ["phed-water-bill"]
    assert set(top("bill", 10, department="phed")) <= {
        "phed-water-bill",
        "phed-new-connection",
        "phed-name-change",
    }
    assert all(code.startswith("jvvnl") for code in top("bijli", 10, department="jvvnl"))
    b2c = top("insurance", 10, service_type="B2C")
    assert b2c and "maa-yojana-registration" not in b2c
    machine = top("certificate", 50, channel="machine")
    assert "domicile-certificate" not in machine  # offered at kiosks and online, not machines
    assert "jamabandi-copy" in top("jamabandi", 5, channel="machine")


def test_an_empty_query_lists_the_filtered_services_by_name():
    listed = top("", 100, department="revenue")
    assert len(listed) == sum(1 for s in DOC["services"] if s["department"] == "revenue")


def test_nonsense_finds_nothing():
    assert top("qwxzv plorkt", 5) == []


@pytest.mark.django_db
def test_the_process_index_follows_catalog_changes(shipped_catalog):
    assert search.search("palanhar")[0].code == "palanhar-yojana"
    service = Service.objects.get(code="palanhar-yojana")
    service.status = "suspended"
    service.save()

    assert "palanhar-yojana" not in [hit.code for hit in search.search("palanhar")]
