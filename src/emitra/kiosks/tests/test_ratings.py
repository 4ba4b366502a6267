"""Citizens' ratings are seen: average, count and the latest on the kiosk's page, the average
and count in the kiosk list and its CSV."""

from __future__ import annotations

import csv
import io

import pytest
from django.conf import settings

from emitra.kiosks import selectors, services
from emitra.kiosks.models import KioskStatus
from emitra.kiosks.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english_pages(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"


@pytest.fixture
def rated(fake_receipts, lsp, society):
    """JPR-R-1 rated 5, 4 and 2 (“slow”, the latest); JPR-R-2 not rated."""
    kiosk = factories.kiosk(lsp, code="JPR-R-1", status=KioskStatus.ACTIVE, district_admin=society)
    factories.kiosk(lsp, code="JPR-R-2", status=KioskStatus.ACTIVE, district_admin=society)
    for n, (stars, comment) in enumerate([(5, "quick"), (4, ""), (2, "slow")]):
        fake_receipts.issue(f"BPR-{n}", kiosk=kiosk)
        services.rate_receipt(receipt_number=f"BPR-{n}", stars=stars, comment=comment)
    return kiosk


def test_the_summary_has_the_average_count_and_latest_ratings(rated):
    summary = selectors.rating_summary(rated, recent=2)

    assert (summary.count, summary.average) == (3, 3.7)
    assert [(r.stars, r.comment) for r in summary.recent] == [(2, "slow"), (4, "")]


def test_an_unrated_kiosk_has_no_average(lsp):
    summary = selectors.rating_summary(factories.kiosk(lsp))
    assert (summary.count, summary.average, summary.recent) == (0, None, [])


def test_the_kiosk_page_shows_the_rating(client_as, rated, society):
    client = client_as(society.role, user=society)

    page = client.get("/kiosks/JPR-R-1/").content.decode()
    unrated = client.get("/kiosks/JPR-R-2/").content.decode()

    assert "3.7 ★" in page and "3 ratings" in page
    assert "“slow”" in page
    assert "No citizen has rated this kiosk yet." in unrated


def test_the_kiosk_list_and_its_csv_show_the_rating(client_as, rated, society):
    client = client_as(society.role, user=society)

    page = client.get("/kiosks/").content.decode()
    response = client.get("/kiosks/", {"format": "csv"})
    rows = {
        row["code"]: row
        for row in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))
    }

    assert "3.7 ★ (3)" in page
    assert (rows["JPR-R-1"]["avg_rating"], rows["JPR-R-1"]["ratings"]) == ("3.7", "3")
    assert (rows["JPR-R-2"]["avg_rating"], rows["JPR-R-2"]["ratings"]) == ("", "0")
