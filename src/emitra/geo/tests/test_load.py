from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from emitra.geo import services
from emitra.geo.models import (
    Block,
    District,
    DistrictStatus,
    GramPanchayat,
    Tehsil,
    UrbanBody,
    UrbanBodyType,
)
from emitra.geo.services import GeoDataError, load_geography, tidy_name
from emitra.geo.tests.conftest import append_rows

NEW_DISTRICT_PARENTS = {
    "balotra": "barmer",
    "beawar": "ajmer",
    "deeg": "bharatpur",
    "didwana-kuchaman": "nagaur",
    "khairthal-tijara": "alwar",
    "kotputli-behror": "jaipur",  # "Jaipur; Alwar": the first is the main parent
    "phalodi": "jodhpur",
    "salumbar": "udaipur",
}


@pytest.mark.django_db
def test_loading_the_shipped_data_creates_every_unit_it_lists(loaded_geo):
    assert District.objects.count() == 41
    assert Block.objects.count() == 352
    assert Tehsil.objects.count() == 369
    assert UrbanBody.objects.count() == 216
    assert GramPanchayat.objects.count() == 11_071
    levels = loaded_geo.levels
    assert {name: level.created for name, level in levels.items()} == {
        "districts": 41,
        "blocks": 352,
        "tehsils": 369,
        "urban_bodies": 216,
        "gram_panchayats": 11_071,
    }
    assert loaded_geo.skipped == 0
    # Samitis that match no LGD 2022 block keep their GPs, without a block.
    assert levels["gram_panchayats"].notes["samiti not matched to an LGD block"] == 367
    assert GramPanchayat.objects.filter(block__isnull=True).count() == 367


@pytest.mark.django_db
def test_loading_twice_changes_nothing(loaded_geo):
    before = {
        model: list(model.objects.order_by("pk").values_list())
        for model in (District, Block, Tehsil, UrbanBody, GramPanchayat)
    }

    again = load_geography()

    assert again.changed == 0
    assert again.levels["gram_panchayats"].unchanged == 11_071
    assert again.levels["districts"].unchanged == 41
    for model, rows in before.items():
        assert list(model.objects.order_by("pk").values_list()) == rows


@pytest.mark.django_db
def test_every_district_has_a_hindi_name_and_new_districts_their_parent(loaded_geo):
    assert not District.objects.filter(name_hi="").exists()
    assert District.objects.get(slug="jaipur").name_hi == "जयपुर"
    assert District.objects.get(slug="sri-ganganagar").lgd_code == 100
    new = District.objects.filter(status=DistrictStatus.NEW_2023_RETAINED)
    parents = new.select_related("carved_from")
    assert {d.slug: d.carved_from and d.carved_from.slug for d in parents} == (NEW_DISTRICT_PARENTS)
    assert not new.filter(lgd_code__isnull=False).exists()
    assert not District.objects.filter(
        status=DistrictStatus.PRE_2023, carved_from__isnull=False
    ).exists()


@pytest.mark.django_db
def test_all_caps_lgd_names_are_stored_in_title_case(small_geo):
    assert Block.objects.get(lgd_code=566).name_en == "Arain"  # "ARAIN" in LGD
    assert Block.objects.get(lgd_code=7382).name_en == "Ajmer Rural"
    body = UrbanBody.objects.get(lgd_code=248788)
    assert (body.name_hi, body.body_type) == ("अजमेर", UrbanBodyType.CORPORATION)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("ARAIN", "Arain"),
        ("LAXMANGARH (ALWAR)", "Laxmangarh (Alwar)"),
        ("LALGARH-JATTAN", "Lalgarh-Jattan"),
        ("12 MLD -A", "12 Mld -A"),
        ("4TH  MILE", "4th Mile"),
        ("Kishangarh SILORA", "Kishangarh SILORA"),  # mixed case: kept as LGD spells it
        ("nasirabad", "nasirabad"),
    ],
)
def test_tidy_name_title_cases_only_all_caps_names(raw, stored):
    assert tidy_name(raw) == stored


@pytest.mark.django_db
def test_rows_without_a_known_district_are_counted_as_skipped(small_data_dir: Path):
    block = {"block_version": "1", "district_name_lgd": "X"}
    append_rows(
        small_data_dir / services.BLOCKS_CSV,
        [
            {**block, "lgd_block_code": "990001", "block_name_en": "Nowhere"},
            {**block, "lgd_block_code": "990002", "block_name_en": "Elsewhere",
             "lgd_district_code": "999"},
        ],
    )  # fmt: skip

    report = load_geography(data_dir=small_data_dir)

    blocks = report.levels["blocks"]
    assert blocks.skipped == 2
    assert blocks.reasons == {"no district code": 1, "unknown district code 999": 1}
    assert blocks.created == blocks.source_rows - 2
    assert not Block.objects.filter(lgd_code__in=[990001, 990002]).exists()


@pytest.mark.django_db
def test_a_changed_source_row_is_updated_in_place(small_geo, small_data_dir: Path):
    path = small_data_dir / services.BLOCKS_CSV
    path.write_text(path.read_text(encoding="utf-8").replace("ARAIN", "ARAIN NEW"), "utf-8")
    arain = Block.objects.get(lgd_code=566)

    report = load_geography(data_dir=small_data_dir)

    assert (report.levels["blocks"].updated, report.levels["blocks"].created) == (1, 0)
    assert report.changed == 1
    arain.refresh_from_db()
    assert arain.name_en == "Arain New"


@pytest.mark.django_db
def test_a_missing_file_is_refused_and_leaves_the_data_alone(small_geo, small_data_dir: Path):
    (small_data_dir / services.GPS_CSV).unlink()

    with pytest.raises(GeoDataError):
        load_geography(data_dir=small_data_dir)

    assert GramPanchayat.objects.filter(district__slug="ajmer").exists()


@pytest.mark.django_db
def test_load_geo_command_prints_a_summary_and_is_silent_with_quiet(small_data_dir: Path):
    out = StringIO()
    call_command("load_geo", data_dir=small_data_dir, stdout=out)
    quiet = StringIO()
    call_command("load_geo", data_dir=small_data_dir, quiet=True, stdout=quiet)

    summary = out.getvalue()
    assert re.search(r"│\s+41\s+│\s+41\s+│", summary)  # districts: 41 in the source, 41 created
    assert quiet.getvalue() == ""
    assert District.objects.count() == 41
