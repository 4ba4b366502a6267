"""Loading the geography master data from the CSV snapshots shipped in ``geo/data/``.

The loader compares each source row with what the database holds and writes only the
differences, in bulk, inside one transaction: a second run changes nothing, a refreshed CSV
updates rows in place (keyed by slug or LGD code), and a bad file leaves the old data intact.
Rows the loader cannot place (no or unknown district code, a bad LGD code) are counted with a
reason, never dropped silently. Rows in the database that the source no longer lists are
counted too but not deleted: users and kiosks point at them.
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.db import models, transaction

from emitra.geo.models import (
    Block,
    District,
    DistrictStatus,
    GramPanchayat,
    Tehsil,
    UrbanBody,
    UrbanBodyType,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
DISTRICTS_CSV = "rajasthan_districts_41.csv"
BLOCKS_CSV = "rajasthan_blocks_lgd_2022.csv"
TEHSILS_CSV = "rajasthan_tehsils_lgd_2022.csv"
ULBS_CSV = "rajasthan_ulbs_lgd_2022.csv"
GPS_CSV = "rajasthan_gram_panchayats_lgd.csv"

# The order in which levels are loaded (a level's foreign keys point at earlier ones).
LEVELS = ("districts", "blocks", "tehsils", "urban_bodies", "gram_panchayats")

# LGD local-body type codes of urban bodies.
ULB_TYPES = {
    "4": UrbanBodyType.CORPORATION,
    "5": UrbanBodyType.COUNCIL,
    "7": UrbanBodyType.BOARD,
}

BATCH_SIZE = 1000

Progress = Callable[[str, int, int], None]
"""``progress(level, done, total)``: called as each level advances (rows compared or written)."""

M = TypeVar("M", bound=models.Model)


@dataclass
class LevelReport:
    """What loading did to one level. ``skipped`` rows were not loaded; ``reasons`` says why."""

    source_rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    notes: Counter[str] = field(default_factory=Counter)
    not_in_source: int = 0

    def skip(self, reason: str) -> None:
        self.skipped += 1
        self.reasons[reason] += 1

    @property
    def changed(self) -> int:
        return self.created + self.updated


@dataclass
class LoadReport:
    """Counts per level, in load order."""

    levels: dict[str, LevelReport] = field(
        default_factory=lambda: {level: LevelReport() for level in LEVELS}
    )

    @property
    def changed(self) -> int:
        return sum(level.changed for level in self.levels.values())

    @property
    def skipped(self) -> int:
        return sum(level.skipped for level in self.levels.values())


class GeoDataError(Exception):
    """The source files are missing or not in the expected shape."""


def tidy_name(raw: str) -> str:
    """Collapse white space, and turn LGD's ALL CAPS names ("ARAIN") into title case ("Arain").

    Names already in mixed or lower case are kept as the source spells them.
    """
    name = " ".join(raw.split())
    if not name.isupper():
        return name
    # A letter is capitalised at the start of a word: after a space, hyphen, bracket, dot…
    # but not after a digit, so "4TH" becomes "4th" (str.title() would give "4Th").
    return re.sub(r"(^|[^0-9a-z])([a-z])", lambda m: m[1] + m[2].upper(), name.lower())


def _code(value: str) -> int | None:
    value = value.strip()
    return int(value) if value.isdigit() and int(value) > 0 else None


def _read(data_dir: Path, name: str, columns: Sequence[str]) -> list[dict[str, str]]:
    path = data_dir / name
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            missing = set(columns) - set(reader.fieldnames or ())
            if missing:
                raise GeoDataError(f"{path}: missing columns {', '.join(sorted(missing))}")
            return [
                {key: (value or "").strip() for key, value in row.items() if key is not None}
                for row in reader
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise GeoDataError(f"{path}: {exc}") from exc


def _batches(items: Sequence[M], size: int = BATCH_SIZE) -> Iterator[Sequence[M]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _field_names(model: type[models.Model], names: Iterable[str]) -> list[str]:
    """Field names for ``bulk_update`` from names that may be attnames (``district_id``)."""
    return sorted({model._meta.get_field(name).name for name in names})


def _sync(
    model: type[M],
    *,
    key: str,
    desired: dict[Any, dict[str, Any]],
    report: LevelReport,
    level: str,
    progress: Progress | None,
) -> None:
    """Make the table hold ``desired`` (key value → field values), writing only differences.

    Field names may be attnames (``district_id``) so that comparison needs no model instances.
    """
    fields = sorted({name for values in desired.values() for name in values})
    total = len(desired)
    existing = {
        row[key]: row for row in model._default_manager.values("pk", key, *fields).iterator()
    }
    to_create: list[M] = []
    to_update: list[M] = []
    for key_value, values in desired.items():
        current = existing.get(key_value)
        if current is None:
            to_create.append(model(**{key: key_value, **values}))
        elif any(current[name] != value for name, value in values.items()):
            to_update.append(model(**{key: key_value, **values}))
        else:
            report.unchanged += 1
    report.not_in_source += len(existing.keys() - desired.keys())
    done = report.unchanged
    if progress:
        progress(level, done, total)
    for batch in _batches(to_create):
        model._default_manager.bulk_create(batch)
        report.created += len(batch)
        done += len(batch)
        if progress:
            progress(level, done, total)
    # Changed rows are written as INSERT … ON CONFLICT (key) DO UPDATE: one statement per batch
    # on SQLite and PostgreSQL, where bulk_update's CASE WHEN takes seconds for every GP.
    update_fields = _field_names(model, fields)
    for batch in _batches(to_update):
        model._default_manager.bulk_create(
            batch, update_conflicts=True, unique_fields=[key], update_fields=update_fields
        )
        report.updated += len(batch)
        done += len(batch)
        if progress:
            progress(level, done, total)


def _resolve_district(code: str, district_ids: dict[int, int], report: LevelReport) -> int | None:
    lgd = _code(code)
    if lgd is None:
        report.skip("no district code")
        return None
    district_id = district_ids.get(lgd)
    if district_id is None:
        report.skip(f"unknown district code {lgd}")
    return district_id


def _key(name: str) -> str:
    """Comparable form of a district name or slug: "Sawai Madhopur" ~ "sawai-madhopur"."""
    return re.sub(r"[^0-9a-z\u0900-\u097f]+", "", name.casefold())


def _load_districts(data_dir: Path, report: LevelReport, progress: Progress | None) -> None:
    rows = _read(
        data_dir,
        DISTRICTS_CSV,
        (
            "district_slug", "name_en", "name_hi", "name_hi_variant", "lgd_district_code",
            "census2011_district_code", "status", "carved_from", "division", "headquarters",
            "osm_relation_id",
        ),
    )  # fmt: skip
    report.source_rows = len(rows)
    desired: dict[str, dict[str, Any]] = {}
    parents: dict[str, str] = {}
    lgd_codes: set[int | None] = set()
    for row in rows:
        slug = row["district_slug"].lower()
        if not slug or not row["name_en"] or not row["name_hi"]:
            report.skip("no slug or name")
            continue
        if row["status"] not in DistrictStatus.values:
            report.skip(f"unknown status {row['status']!r}")
            continue
        lgd_code = _code(row["lgd_district_code"])
        if slug in desired or (lgd_code and lgd_code in lgd_codes):
            report.skip("duplicate slug or LGD code")
            continue
        lgd_codes.add(lgd_code)
        desired[slug] = {
            "name_en": tidy_name(row["name_en"]),
            "name_hi": row["name_hi"],
            "name_hi_variant": row["name_hi_variant"],
            "lgd_code": lgd_code,
            "census2011_code": _code(row["census2011_district_code"]),
            "status": row["status"],
            "division": row["division"],
            "headquarters": tidy_name(row["headquarters"]),
            "osm_relation_id": _code(row["osm_relation_id"]),
        }
        if row["carved_from"]:
            # "Jaipur; Alwar": the first name is the main parent.
            parents[slug] = row["carved_from"].split(";")[0].strip()
    total = len(desired)
    if progress:
        progress("districts", 0, total)

    # A parent may be a district that does not exist yet, so every district is created first
    # (without its parent) and the parents are set in the comparison pass below.
    existing = set(District.objects.values_list("slug", flat=True))
    new = [
        District(slug=slug, **values) for slug, values in desired.items() if slug not in existing
    ]
    District.objects.bulk_create(new)
    created = {district.slug for district in new}
    report.created = len(created)
    report.not_in_source = len(existing - desired.keys())

    districts = {district.slug: district for district in District.objects.all()}
    lookup: dict[str, District] = {}
    for district in districts.values():
        for name in (district.slug, district.name_en, district.name_hi, district.name_hi_variant):
            if name:
                lookup.setdefault(_key(name), district)
    for slug, values in desired.items():
        parent = lookup.get(_key(parents[slug])) if slug in parents else None
        if slug in parents and parent is None:
            report.notes[f"carved_from {parents[slug]!r} not found"] += 1
        values["carved_from_id"] = parent.pk if parent else None

    to_update: list[District] = []
    to_update_fields: set[str] = set()
    for slug, values in desired.items():
        district = districts[slug]
        if any(getattr(district, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(district, name, value)
            to_update_fields.update(values)
            to_update.append(district)
            if slug not in created:
                report.updated += 1
        elif slug not in created:
            report.unchanged += 1
    if to_update:
        District.objects.bulk_update(to_update, _field_names(District, to_update_fields))
    if progress:
        progress("districts", total, total)


def _load_blocks(
    data_dir: Path, districts: dict[int, int], report: LevelReport, progress: Progress | None
) -> None:
    rows = _read(data_dir, BLOCKS_CSV, ("lgd_block_code", "block_name_en", "lgd_district_code"))
    report.source_rows = len(rows)
    desired: dict[Any, dict[str, Any]] = {}
    for row in rows:
        code = _code(row["lgd_block_code"])
        if code is None or not row["block_name_en"]:
            report.skip("no block code or name")
            continue
        if code in desired:
            report.skip("duplicate block code")
            continue
        district_id = _resolve_district(row["lgd_district_code"], districts, report)
        if district_id is None:
            continue
        desired[code] = {"name_en": tidy_name(row["block_name_en"]), "district_id": district_id}
    _sync(Block, key="lgd_code", desired=desired, report=report, level="blocks", progress=progress)


def _load_tehsils(
    data_dir: Path, districts: dict[int, int], report: LevelReport, progress: Progress | None
) -> None:
    rows = _read(
        data_dir,
        TEHSILS_CSV,
        ("lgd_subdistrict_code", "subdistrict_name_en", "lgd_district_code"),
    )
    report.source_rows = len(rows)
    desired: dict[Any, dict[str, Any]] = {}
    for row in rows:
        code = _code(row["lgd_subdistrict_code"])
        if code is None or not row["subdistrict_name_en"]:
            report.skip("no sub-district code or name")
            continue
        if code in desired:
            report.skip("duplicate sub-district code")
            continue
        district_id = _resolve_district(row["lgd_district_code"], districts, report)
        if district_id is None:
            continue
        desired[code] = {
            "name_en": tidy_name(row["subdistrict_name_en"]),
            "district_id": district_id,
        }
    _sync(
        Tehsil, key="lgd_code", desired=desired, report=report, level="tehsils", progress=progress
    )


def _load_urban_bodies(
    data_dir: Path, districts: dict[int, int], report: LevelReport, progress: Progress | None
) -> None:
    rows = _read(
        data_dir,
        ULBS_CSV,
        ("lgd_ulb_code", "ulb_name_en", "ulb_name_hi", "lgd_ulb_type_code", "lgd_district_code"),
    )
    report.source_rows = len(rows)
    desired: dict[Any, dict[str, Any]] = {}
    for row in rows:
        code = _code(row["lgd_ulb_code"])
        if code is None or not row["ulb_name_en"]:
            report.skip("no urban body code or name")
            continue
        if code in desired:
            report.skip("duplicate urban body code")
            continue
        body_type = ULB_TYPES.get(row["lgd_ulb_type_code"])
        if body_type is None:
            report.skip(f"unknown LGD urban body type {row['lgd_ulb_type_code']!r}")
            continue
        district_id = _resolve_district(row["lgd_district_code"], districts, report)
        if district_id is None:
            continue
        if not row["ulb_name_hi"]:
            report.notes["no Hindi name"] += 1
        desired[code] = {
            "name_en": tidy_name(row["ulb_name_en"]),
            "name_hi": " ".join(row["ulb_name_hi"].split()),
            "body_type": body_type.value,
            "district_id": district_id,
        }
    _sync(
        UrbanBody,
        key="lgd_code",
        desired=desired,
        report=report,
        level="urban_bodies",
        progress=progress,
    )


def _load_gram_panchayats(
    data_dir: Path, districts: dict[int, int], report: LevelReport, progress: Progress | None
) -> None:
    rows = _read(
        data_dir,
        GPS_CSV,
        (
            "gp_lgd_localbody_code", "gp_name_en", "ps_lgd_localbody_code", "ps_name_en",
            "lgd_block_code_matched", "lgd_district_code",
        ),
    )  # fmt: skip
    report.source_rows = len(rows)
    blocks = {
        code: (pk, district_id)
        for pk, code, district_id in Block.objects.values_list("pk", "lgd_code", "district_id")
    }
    desired: dict[Any, dict[str, Any]] = {}
    for row in rows:
        code = _code(row["gp_lgd_localbody_code"])
        samiti = _code(row["ps_lgd_localbody_code"])
        if code is None or samiti is None or not row["gp_name_en"]:
            report.skip("no GP code, samiti code or name")
            continue
        if code in desired:
            report.skip("duplicate GP code")
            continue
        district_id = _resolve_district(row["lgd_district_code"], districts, report)
        if district_id is None:
            continue
        block_id: int | None = None
        block_code = _code(row["lgd_block_code_matched"])
        if block_code is None:
            report.notes["samiti not matched to an LGD block"] += 1
        elif block_code not in blocks:
            report.notes[f"unknown block code {block_code}"] += 1
        elif blocks[block_code][1] != district_id:
            report.notes[f"block {block_code} is in another district"] += 1
        else:
            block_id = blocks[block_code][0]
        desired[code] = {
            "name_en": tidy_name(row["gp_name_en"]),
            "panchayat_samiti_code": samiti,
            "panchayat_samiti_name": tidy_name(row["ps_name_en"]),
            "block_id": block_id,
            "district_id": district_id,
        }
    _sync(
        GramPanchayat,
        key="lgd_code",
        desired=desired,
        report=report,
        level="gram_panchayats",
        progress=progress,
    )


@transaction.atomic
def load_geography(*, data_dir: Path | None = None, progress: Progress | None = None) -> LoadReport:
    """Load or refresh districts, blocks, tehsils, urban bodies and GPs from the CSV snapshots.

    Idempotent: it writes only rows that differ from the source, so running it twice changes
    nothing the second time. All levels are written in one transaction, so a failure halfway
    (a malformed file, a constraint) leaves the previous data as it was.
    """
    source = data_dir or DATA_DIR
    report = LoadReport()
    _load_districts(source, report.levels["districts"], progress)
    districts = {
        code: pk
        for pk, code in District.objects.values_list("pk", "lgd_code")
        if code is not None  # the 2023 districts have no LGD code; nothing in LGD points at them
    }
    _load_blocks(source, districts, report.levels["blocks"], progress)
    _load_tehsils(source, districts, report.levels["tehsils"], progress)
    _load_urban_bodies(source, districts, report.levels["urban_bodies"], progress)
    _load_gram_panchayats(source, districts, report.levels["gram_panchayats"], progress)
    return report
