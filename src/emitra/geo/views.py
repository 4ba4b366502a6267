"""Public pages listing Rajasthan's districts and what LGD counts under each."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from emitra.core.access import public
from emitra.core.exports import csv_response
from emitra.geo import selectors

CSV_HEADER = (
    "slug",
    "name_en",
    "name_hi",
    "division",
    "status",
    "lgd_code",
    "blocks",
    "tehsils",
    "gram_panchayats",
    "urban_bodies",
)


@public("Administrative geography is open government data; anyone may look it up.")
@require_safe
def districts(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    rows = selectors.district_counts(query=query)
    if request.GET.get("format") == "csv":
        return _districts_csv(rows)
    return render(
        request,
        "geo/districts.html",
        {"rows": rows, "totals": selectors.totals(rows), "query": query},
    )


def _districts_csv(rows: list[selectors.DistrictCounts]) -> HttpResponse:
    return csv_response(
        "rajasthan-districts.csv",
        CSV_HEADER,
        (
            (
                row.district.slug,
                row.district.name_en,
                row.district.name_hi,
                row.district.division,
                row.district.status,
                row.district.lgd_code or "",
                row.blocks,
                row.tehsils,
                row.gram_panchayats,
                row.urban_bodies,
            )
            for row in rows
        ),
    )


@public("Administrative geography is open government data; anyone may look it up.")
@require_safe
def district(request: HttpRequest, slug: str) -> HttpResponse:
    detail = selectors.district_detail(slug)
    if detail is None:
        raise Http404
    return render(request, "geo/district.html", {"detail": detail, "district": detail.district})
