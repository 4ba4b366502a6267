"""Validate a scheme rules file (default: the shipped one) and list its schemes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from emitra.registry import eligibility


class Command(BaseCommand):
    help = "Check scheme eligibility rules: unknown fields or operators are refused."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("path", nargs="?", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["path"]) if options["path"] else None
        try:
            schemes = eligibility.load_schemes(path)
        except eligibility.RuleError as exc:
            raise CommandError(str(exc.message)) from exc
        for scheme in schemes:
            fields = ", ".join(sorted(eligibility.rule_fields(scheme.rule)))
            self.stdout.write(f"{scheme.code}: {fields} → {scheme.service or '-'}")
        self.stdout.write(f"{len(schemes)} schemes OK.")
