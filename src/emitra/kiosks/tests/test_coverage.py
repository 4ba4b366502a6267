"""Coverage: which gram panchayats and urban bodies an active kiosk serves, and the map."""

from __future__ import annotations

import pytest

from emitra.kiosks import districtmap, selectors
from emitra.kiosks.models import KioskStatus
from emitra.kiosks.tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def network(lsp, society, jaipur, ajmer):
    served = factories.gram_panchayat(jaipur, "Served GP")
    applied_only = factories.gram_panchayat(jaipur, "Applied GP")
    suspended = factories.gram_panchayat(jaipur, "Suspended GP")
    factories.gram_panchayat(ajmer, "Ajmer GP")
    town = factories.urban_body(jaipur, "Served Town")
    factories.urban_body(ajmer, "Ajmer Town")
    factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society, gp=served)
    factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society, gp=served)
    factories.kiosk(lsp, gp=applied_only)
    factories.kiosk(lsp, status=KioskStatus.SUSPENDED, district_admin=society, gp=suspended)
    operator = factories.user("operator", jaipur)
    from emitra.kiosks import services

    kiosk = services.apply_kiosk(
        actor=lsp.user,
        code="JPR-TOWN",
        name="Town kiosk",
        kiosk_type="plus",
        category="A",
        operator=operator,
        urban_body=town,
    )
    for act in (services.recommend_kiosk,):
        kiosk = act(actor=lsp.user, kiosk=kiosk)
    for act in (services.approve_kiosk, services.mark_trained, services.activate_kiosk):
        kiosk = act(actor=society, kiosk=kiosk)


def test_only_active_kiosks_cover_a_unit(network):
    rows = {row.name: row for row in selectors.coverage_rows()}

    assert rows["Served GP"].active_kiosks == 2 and rows["Served GP"].covered
    assert not rows["Applied GP"].covered
    assert not rows["Suspended GP"].covered
    assert rows["Served Town"].covered
    assert not rows["Ajmer Town"].covered
    assert len(rows) == 6


def test_coverage_filters_by_district_covered_and_kind(network):
    def names(**filters):
        return sorted(row.name for row in selectors.coverage_rows(**filters))

    assert names(district="ajmer") == ["Ajmer GP", "Ajmer Town"]
    assert names(covered="yes") == ["Served GP", "Served Town"]
    assert names(district="jaipur", covered="no", kind="gp") == ["Applied GP", "Suspended GP"]
    assert names(kind="ulb", covered="yes") == ["Served Town"]


def test_district_counts(network):
    by_slug = {row.district.slug: row for row in selectors.district_coverage()}

    assert by_slug["jaipur"].active_kiosks == 3
    assert (by_slug["jaipur"].units, by_slug["jaipur"].covered_units) == (4, 2)
    assert by_slug["jaipur"].percent == 50
    assert (by_slug["ajmer"].active_kiosks, by_slug["ajmer"].covered_units) == (0, 0)


def test_the_map_has_every_district_small_enough_to_inline():
    geometry = districtmap.geometry()

    assert len(geometry.shapes) == 41
    assert {s.slug for s in geometry.shapes} >= {"jaipur", "ajmer", "kotputli-behror"}
    assert sum(len(s.path) for s in geometry.shapes) < 60_000
    assert all(s.path.startswith("M") and s.path.endswith("Z") for s in geometry.shapes)


def test_the_legend_buckets_cover_every_count():
    scale = districtmap.buckets(10)

    assert scale[0].low == scale[0].high == 0
    assert scale[-1].high == 10
    for count in range(11):
        assert districtmap.colour_for(count, scale) in districtmap.PALETTE
    assert districtmap.buckets(0) == [districtmap.Bucket(0, 0, districtmap.PALETTE[0])]
