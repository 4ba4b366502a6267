from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse

from emitra.geo import selectors

ENGLISH = {"emitra_lang": "en"}


def _get(client, url, *, english=False, **params):
    if english:
        client.cookies.load(ENGLISH)
    return client.get(url, params)


@pytest.mark.django_db
def test_districts_page_lists_all_41_districts_with_state_totals(client, loaded_geo):
    response = client.get(reverse("geo:districts"))

    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('<th scope="row"><a href="/geo/') == 41
    rows = response.context["rows"]
    totals = response.context["totals"]
    assert (totals.blocks, totals.tehsils, totals.gram_panchayats, totals.urban_bodies) == (
        352,
        369,
        11_071,
        216,
    )
    assert "11,071" in html
    jaipur = next(row for row in rows if row.district.slug == "jaipur")
    assert (jaipur.gram_panchayats, jaipur.blocks) == (543, 22)
    assert "OpenStreetMap" in html and "ODbL 1.0" in html  # the credit, in Hindi by default
    assert "GODL-India" in html


@pytest.mark.django_db
def test_districts_page_is_hindi_by_default_and_english_with_the_cookie(client, small_geo):
    hindi = client.get(reverse("geo:districts"))
    english = _get(client, reverse("geo:districts"), english=True)

    assert '<html lang="hi">' in hindi.content.decode()
    assert '<html lang="en">' in english.content.decode()
    for response in (hindi, english):
        html = response.content.decode()
        assert "अजमेर" in html
        assert "Ajmer" in html


@pytest.mark.django_db
def test_district_page_titles_the_district_in_the_active_language(client, small_geo):
    url = reverse("geo:district", args=["ajmer"])

    hindi = client.get(url).content.decode()
    english = _get(client, url, english=True).content.decode()

    assert "<title>अजमेर" in hindi
    assert "<title>Ajmer" in english


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["jaip", "JAIPUR", "जयपुर", "जय"])
def test_search_filters_districts_by_english_or_hindi_name(client, small_geo, query):
    response = client.get(reverse("geo:districts"), {"q": query})

    assert [row.district.slug for row in response.context["rows"]] == ["jaipur"]
    assert response.context["query"] == query


@pytest.mark.django_db
def test_search_without_a_match_says_so(client, small_geo):
    response = _get(client, reverse("geo:districts"), english=True, q="nowhere")

    assert response.context["rows"] == []
    assert "No district matches your search." in response.content.decode()


@pytest.mark.django_db
def test_csv_export_has_a_bom_an_english_header_and_the_filtered_rows(client, small_geo):
    response = client.get(reverse("geo:districts"), {"q": "ajmer", "format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.removeprefix("\ufeff"))))
    assert rows[0] == [
        "slug", "name_en", "name_hi", "division", "status", "lgd_code",
        "blocks", "tehsils", "gram_panchayats", "urban_bodies",
    ]  # fmt: skip
    ajmer = selectors.district_counts(query="ajmer")[0]
    assert rows[1:] == [
        [
            "ajmer", "Ajmer", "अजमेर", "Ajmer", "pre_2023", "86", str(ajmer.blocks),
            str(ajmer.tehsils), str(ajmer.gram_panchayats), str(ajmer.urban_bodies),
        ]
    ]  # fmt: skip
    assert ajmer.gram_panchayats == 315


@pytest.mark.django_db
def test_district_page_lists_blocks_with_gp_counts_tehsils_and_urban_bodies(client, small_geo):
    response = client.get(reverse("geo:district", args=["ajmer"]))

    assert response.status_code == 200
    detail = response.context["detail"]
    assert sum(row.gram_panchayats for row in detail.blocks) == 315
    assert detail.gram_panchayats == 315
    arain = next(row for row in detail.blocks if row.block.lgd_code == 566)
    assert arain.gram_panchayats > 0
    html = response.content.decode()
    assert "Arain" in html
    assert "ब्यावर" in html  # the urban body of Beawar, still listed under Ajmer by LGD
    assert detail.tehsils
    assert [d.slug for d in detail.carved_districts] == ["beawar"]


@pytest.mark.django_db
def test_new_district_page_explains_its_units_are_counted_under_the_parent(client, small_geo):
    response = _get(client, reverse("geo:district", args=["beawar"]), english=True)

    assert response.status_code == 200
    html = response.content.decode()
    assert "This district was created in 2023." in html
    assert 'href="/geo/ajmer/"' in html
    assert response.context["detail"].blocks == []


@pytest.mark.django_db
def test_unknown_district_slug_is_404(client, small_geo):
    response = client.get(reverse("geo:district", args=["atlantis"]))

    assert response.status_code == 404


def test_geo_views_are_declared_public():
    from django.urls import resolve

    for url in (reverse("geo:districts"), reverse("geo:district", args=["ajmer"])):
        assert resolve(url).func.access["public"] is True  # type: ignore[attr-defined]
