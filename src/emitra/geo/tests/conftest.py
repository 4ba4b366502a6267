"""Fixtures: the full shipped data (about a second to load), or a small cut of it."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest

from emitra.geo import services
from emitra.geo.services import LoadReport, load_geography

AJMER, JAIPUR = "86", "102"


@pytest.fixture
def loaded_geo(db: None) -> LoadReport:
    """All shipped geography, loaded inside the test's transaction (rolled back after it)."""
    return load_geography()


def _copy(name: str, target: Path, keep: Callable[[dict[str, str]], bool]) -> None:
    with (services.DATA_DIR / name).open(encoding="utf-8", newline="") as source:
        reader = csv.DictReader(source)
        rows = [row for row in reader if keep(row)]
        fields = list(reader.fieldnames or ())
    with (target / name).open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture
def small_data_dir(tmp_path: Path) -> Path:
    """All 41 districts; blocks, tehsils and urban bodies of Ajmer and Jaipur; Ajmer's GPs."""
    _copy(services.DISTRICTS_CSV, tmp_path, lambda row: True)
    in_two = lambda row: row["lgd_district_code"] in (AJMER, JAIPUR)  # noqa: E731
    for name in (services.BLOCKS_CSV, services.TEHSILS_CSV, services.ULBS_CSV):
        _copy(name, tmp_path, in_two)
    _copy(services.GPS_CSV, tmp_path, lambda row: row["lgd_district_code"] == AJMER)
    return tmp_path


def append_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open(encoding="utf-8", newline="") as source:
        fields = list(csv.DictReader(source).fieldnames or ())
    with path.open("a", encoding="utf-8", newline="") as out:
        csv.DictWriter(out, fieldnames=fields, restval="").writerows(rows)


@pytest.fixture
def small_geo(db: None, small_data_dir: Path) -> LoadReport:
    return load_geography(data_dir=small_data_dir)
