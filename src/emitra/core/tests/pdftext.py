"""Text of a PDF as `pdftotext` (Debian's poppler-utils) extracts it — what a reader copying,
searching or listening to the document gets.

Without pdftotext the test is skipped, or fails when the run says its parts must be present
(EMITRA_REQUIRE set, as in .ci/run, which installs poppler-utils)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

PDFTOTEXT = "pdftotext"


def pdf_text(pdf: bytes, *, layout: bool = False) -> str:
    tool = shutil.which(PDFTOTEXT)
    if tool is None:
        reason = "needs pdftotext (Debian package poppler-utils)"
        if os.environ.get("EMITRA_REQUIRE"):
            pytest.fail(f"{reason}; EMITRA_REQUIRE is set", pytrace=False)
        pytest.skip(reason)
    args = [tool, "-enc", "UTF-8", *(["-layout"] if layout else []), "-", "-"]
    return subprocess.run(args, input=pdf, capture_output=True, check=True).stdout.decode()


def squeezed(text: str) -> str:
    """Without white space: extractors may put spaces inside Devanagari words (DESIGN.md §7)."""
    return re.sub(r"\s+", "", text)
