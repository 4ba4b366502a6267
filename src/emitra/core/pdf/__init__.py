"""PDFs from Typst templates, drawn only with the fonts shipped in `core/fonts/` (DESIGN.md §7).

A template is a `.typ` file under an app's `pdf/` folder, named like a Django template:
`render_pdf("ledger/statement.typ", data)` compiles `src/emitra/ledger/pdf/statement.typ`.
The data reaches the template as JSON (`sys.inputs.data`, read with `load-data()` from
`/core/pdf/layout.typ`), never pasted into Typst markup: a name like `*Sharma* #panic()`
prints as those characters. Templates see only files under `src/emitra/` (the Typst root).

Compilers are long-lived — the fonts, parsed templates and layout caches stay warm, a varying
document renders in a few milliseconds — and kept in a pool, one compiler per concurrent
render: a Typst compiler must not be used by two threads at once.
"""

from __future__ import annotations

import json
import queue
import re
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

import structlog
import typst
from django.utils import timezone

log = structlog.get_logger(__name__)

# src/emitra: the Typst root, so templates may `#import "/core/pdf/layout.typ": *`.
ROOT = Path(__file__).resolve().parent.parent.parent
# The only faces a PDF may use (OFL, see fonts/OFL.txt): Noto Sans for Latin and ₹, Noto Sans
# Devanagari, regular and bold; layout.typ names them in that order.
FONT_DIR = ROOT / "core" / "fonts"
# "app/name.typ" or "app/sub/name.typ": lower-case names only, so never ".." nor an absolute path.
_TEMPLATE_NAME = re.compile(
    r"^[a-z][a-z0-9_]*/(?:[a-z0-9_][a-z0-9_-]*/)*[a-z0-9_][a-z0-9_-]*\.typ$"
)


class PdfError(RuntimeError):
    """A template could not be compiled (a fault in the template or its data, not the user's)."""


def template_path(template: str) -> Path:
    """`"ledger/statement.typ"` → `src/emitra/ledger/pdf/statement.typ` (which must exist)."""
    if not _TEMPLATE_NAME.match(template):
        raise PdfError(f"not a PDF template name: {template!r} (expected 'app/name.typ')")
    app, _, rest = template.partition("/")
    path = ROOT / app / "pdf" / rest
    if not path.is_file():
        raise PdfError(f"no PDF template {template!r} at {path}")
    return path


class _CompilerPool:
    """Idle compilers waiting for work; a render takes one (or makes one) and gives it back."""

    def __init__(self) -> None:
        self._idle: queue.SimpleQueue[typst.Compiler] = queue.SimpleQueue()
        self._fonts: typst.Fonts | None = None
        self._lock = threading.Lock()

    def fonts(self) -> typst.Fonts:
        with self._lock:
            if self._fonts is None:
                self._fonts = typst.Fonts(
                    include_system_fonts=False,
                    include_embedded_fonts=False,
                    font_paths=[str(FONT_DIR)],
                )
            return self._fonts

    @contextmanager
    def compiler(self) -> Iterator[typst.Compiler]:
        try:
            compiler = self._idle.get_nowait()
        except queue.Empty:
            compiler = typst.Compiler(
                root=str(ROOT), font_paths=self.fonts(), ignore_system_fonts=True
            )
        try:
            yield compiler
        finally:
            self._idle.put(compiler)


_pool = _CompilerPool()


def font_families() -> list[str]:
    """The font families Typst can use — exactly the shipped ones, no system or built-in font."""
    return sorted(_pool.fonts().families())


def _reject(value: object) -> Any:
    raise TypeError(
        f"PDF data must be JSON (str, int, bool, None, lists, dicts); format {type(value).__name__}"
        " values as text first (money with core.money.format_inr, times with core.timeutil)"
    )


def render_pdf(
    template: str,
    data: Mapping[str, Any],
    *,
    created: datetime | None = None,
    strict: bool = False,
) -> bytes:
    """Compile `template` with `data` (JSON-serialisable) into PDF bytes.

    `created` is the document's creation time in the PDF metadata (default: now).
    Typst's warnings (say, a font family the template names but we do not ship) are logged;
    with `strict=True` they raise PdfError instead — the tests render that way.
    """
    path = template_path(template)
    payload = json.dumps(dict(data), ensure_ascii=False, default=_reject)
    moment = created or timezone.now()
    with _pool.compiler() as compiler:
        try:
            output, warnings = compiler.compile_with_warnings(
                input=str(path),
                format="pdf",
                sys_inputs={"data": payload},
                timestamp=int(moment.timestamp()),
            )
        except typst.TypstError as exc:
            raise PdfError(f"{template}: {exc.message}\n{exc.diagnostic}") from exc
    for warning in warnings:
        if strict:
            raise PdfError(f"{template}: {warning.message}\n{warning.diagnostic}")
        log.warning("pdf.typst_warning", template=template, message=warning.message)
    if not isinstance(output, bytes):  # pragma: no cover - PDF output is always one document
        raise PdfError(f"{template}: Typst returned no PDF")
    return output
