"""One rule for "this village or town is in that district", used by kiosks, the family
registry and home visits alike."""

from __future__ import annotations

import pytest

from emitra.geo.models import District, GramPanchayat, UrbanBody, UrbanBodyType
from emitra.geo.selectors import lies_in

pytestmark = pytest.mark.django_db


def district(slug: str, **extra: object) -> District:
    return District.objects.create(slug=slug, name_en=slug.title(), name_hi=slug, **extra)


def test_a_unit_lies_in_its_own_district_and_not_in_another():
    jaipur, ajmer = district("jaipur"), district("ajmer")
    gp = GramPanchayat.objects.create(
        lgd_code=1,
        name_en="Bassi",
        panchayat_samiti_code=1,
        panchayat_samiti_name="Bassi",
        district=jaipur,
    )
    assert lies_in(jaipur, gp)
    assert not lies_in(ajmer, gp)


def test_a_district_carved_out_in_2023_accepts_the_units_lgd_still_files_under_its_parent():
    jaipur = district("jaipur")
    kotputli = district("kotputli-behror", carved_from=jaipur)
    town = UrbanBody.objects.create(
        lgd_code=2, name_en="Kotputli", name_hi="", body_type=UrbanBodyType.BOARD, district=jaipur
    )
    assert lies_in(kotputli, town)
    assert not lies_in(district("ajmer"), town)
