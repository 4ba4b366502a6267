"""Real headless Chromium (Debian's, never a downloaded one) driven by Playwright's sync API."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TIMEOUT_MS = 30_000  # generous: the first launch on a cold machine is slow. Never asserted on.


class LazyBrowser:
    """One Chromium per module, started on first use — after the root conftest has had its say
    on whether Chromium must be present (skip, or fail under EMITRA_REQUIRE=chromium)."""

    def __init__(self) -> None:
        self._playwright: Any = None
        self._browser: Any = None

    def get(self) -> Any:
        if self._browser is None:
            from playwright.sync_api import sync_playwright

            self._playwright = sync_playwright().start()
            self._browser = self._playwright.chromium.launch(
                executable_path=os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
                args=CHROMIUM_ARGS,
                timeout=2 * TIMEOUT_MS,
            )
        return self._browser

    def close(self) -> None:
        if self._browser is not None:
            self._browser.close()
        if self._playwright is not None:
            self._playwright.stop()


@pytest.fixture(scope="module")
def _chromium() -> Iterator[LazyBrowser]:
    browser = LazyBrowser()
    yield browser
    browser.close()


@pytest.fixture
def browser_page(_required_parts: None, _chromium: LazyBrowser) -> Iterator[Any]:
    """A fresh page in its own browser context (no cookies shared between tests)."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    context = _chromium.get().new_context(locale="en-IN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()
