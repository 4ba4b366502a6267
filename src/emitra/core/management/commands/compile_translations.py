"""Compile locale/*/LC_MESSAGES/*.po into .mo with Babel, so no system gettext is needed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Compile gettext catalogs (.po → .mo) for every locale path, without msgfmt."

    def handle(self, *args: Any, **options: Any) -> None:
        compiled = 0
        for root in map(Path, settings.LOCALE_PATHS):
            for po_path in sorted(root.glob("*/LC_MESSAGES/*.po")):
                mo_path = po_path.with_suffix(".mo")
                if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
                    continue
                with po_path.open("rb") as po_file:
                    catalog = read_po(po_file, locale=po_path.parts[-3])
                with mo_path.open("wb") as mo_file:
                    write_mo(mo_file, catalog, use_fuzzy=False)
                compiled += 1
                self.stdout.write(f"compiled {po_path}")
        self.stdout.write(f"{compiled} catalog(s) compiled")
