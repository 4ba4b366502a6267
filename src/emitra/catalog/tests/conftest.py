from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import translation

from emitra.catalog import catalogfile, search


@pytest.fixture(autouse=True)
def _english_messages():
    """These tests read error messages; they are written in English (the msgids). The pages'
    Hindi is tested in test_pages and core/tests/test_i18n."""
    with translation.override("en"):
        yield


@pytest.fixture
def shipped_text() -> str:
    return catalogfile.SHIPPED.read_text(encoding="utf-8")


@pytest.fixture
def shipped_catalog(db, shipped_text):
    """The shipped catalog file, imported."""
    search.invalidate()
    result = catalogfile.import_catalog(shipped_text)
    yield result
    search.invalidate()


@pytest.fixture
def catalog_file(tmp_path: Path):
    def write(text: str) -> Path:
        path = tmp_path / "catalog.json"
        path.write_text(text, encoding="utf-8")
        return path

    return write
