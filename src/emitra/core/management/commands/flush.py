"""`flush` that may empty append-only tables: only the test suite and a reset dev DB need it."""

from __future__ import annotations

from typing import Any

from django.core.management.commands.flush import Command as DjangoFlush

from emitra.core.guards import maintenance


class Command(DjangoFlush):
    def handle(self, **options: Any) -> None:
        with maintenance(using=options["database"]):
            super().handle(**options)
