"""Reads of the geography master data, shaped for the public district pages and exports."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce

from emitra.geo.models import Block, District, GramPanchayat, Tehsil, UrbanBody

MAX_QUERY_LENGTH = 100


@dataclass(frozen=True)
class DistrictCounts:
    """One district and how many units LGD lists under it."""

    district: District
    blocks: int
    tehsils: int
    gram_panchayats: int
    urban_bodies: int


@dataclass(frozen=True)
class Totals:
    blocks: int
    tehsils: int
    gram_panchayats: int
    urban_bodies: int


@dataclass(frozen=True)
class BlockRow:
    block: Block
    gram_panchayats: int


@dataclass(frozen=True)
class SamitiRow:
    """A panchayat samiti from the GP list that matches no LGD 2022 block."""

    code: int
    name: str
    gram_panchayats: int


@dataclass(frozen=True)
class DistrictDetail:
    district: District
    blocks: list[BlockRow]
    unmatched_samitis: list[SamitiRow]
    tehsils: list[Tehsil]
    urban_bodies: list[UrbanBody]
    carved_districts: list[District]
    gram_panchayats: int


def _count_of(model: type[models.Model]) -> Coalesce:
    """A correlated COUNT(*) per district, as a subquery.

    Counting four joined relations with COUNT(DISTINCT …) multiplies the rows (Jaipur alone
    would be GPs * blocks * tehsils * bodies: millions of rows, 11 s on SQLite for the state);
    subqueries keep it one query of a few milliseconds.
    """
    counted = (
        model._default_manager.filter(district=OuterRef("pk"))
        .order_by()
        .values("district")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def district_counts(*, query: str = "") -> list[DistrictCounts]:
    """All districts (or those whose English or Hindi name or slug contains ``query``), with
    their numbers of blocks, tehsils, GPs and urban bodies, in one query."""
    districts = District.objects.annotate(
        n_blocks=_count_of(Block),
        n_tehsils=_count_of(Tehsil),
        n_gps=_count_of(GramPanchayat),
        n_ulbs=_count_of(UrbanBody),
    ).order_by("name_en")
    query = " ".join(query.split())[:MAX_QUERY_LENGTH]
    if query:
        districts = districts.filter(
            Q(name_en__icontains=query)
            | Q(name_hi__icontains=query)
            | Q(name_hi_variant__icontains=query)
            | Q(slug__icontains=query)
        )
    return [
        DistrictCounts(
            district=district,
            blocks=district.n_blocks,
            tehsils=district.n_tehsils,
            gram_panchayats=district.n_gps,
            urban_bodies=district.n_ulbs,
        )
        for district in districts
    ]


def totals(rows: list[DistrictCounts]) -> Totals:
    return Totals(
        blocks=sum(row.blocks for row in rows),
        tehsils=sum(row.tehsils for row in rows),
        gram_panchayats=sum(row.gram_panchayats for row in rows),
        urban_bodies=sum(row.urban_bodies for row in rows),
    )


def district_detail(slug: str) -> DistrictDetail | None:
    """A district's blocks (with GP counts), tehsils, urban bodies and the districts carved
    from it; ``None`` if there is no such district."""
    district = District.objects.select_related("carved_from").filter(slug=slug).first()
    if district is None:
        return None
    blocks = Block.objects.filter(district=district).annotate(n_gps=Count("gram_panchayats"))
    unmatched = (
        GramPanchayat.objects.filter(district=district, block__isnull=True)
        .order_by("panchayat_samiti_name")
        .values("panchayat_samiti_code", "panchayat_samiti_name")
        .annotate(n=Count("pk"))
    )
    return DistrictDetail(
        district=district,
        blocks=[BlockRow(block=block, gram_panchayats=block.n_gps) for block in blocks],
        unmatched_samitis=[
            SamitiRow(
                code=row["panchayat_samiti_code"],
                name=row["panchayat_samiti_name"],
                gram_panchayats=row["n"],
            )
            for row in unmatched
        ],
        tehsils=list(Tehsil.objects.filter(district=district)),
        urban_bodies=list(UrbanBody.objects.filter(district=district)),
        carved_districts=list(district.carved_districts.all()),
        gram_panchayats=GramPanchayat.objects.filter(district=district).count(),
    )


def lies_in(district: District, unit: Block | GramPanchayat | UrbanBody | Tehsil) -> bool:
    """Whether a block, tehsil, gram panchayat or urban body belongs to `district`. LGD still
    files the units of the eight districts carved out in 2023 under the district each was
    carved from, so those count too — the nearest check possible until LGD re-files them."""
    return unit.district_id in {district.pk, district.carved_from_id}
