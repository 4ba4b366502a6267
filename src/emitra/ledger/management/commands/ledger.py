"""`emitra ledger verify`: recompute every balance and check every invariant."""

from __future__ import annotations

from io import StringIO
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from emitra.core.money import format_indian_number
from emitra.ledger.verify import verify_ledger


class Command(BaseCommand):
    help = "Ledger tools. `verify` recomputes balances from entries and checks all invariants."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="check every ledger invariant; exit 1 on any breach")

    def handle(self, *args: Any, **options: Any) -> None:
        buffer = StringIO()
        console = Console(file=buffer, highlight=False, width=100)
        report = verify_ledger()
        table = Table(title="e-Mitra ledger")
        table.add_column("what")
        table.add_column("count", justify="right")
        for label, value in (
            ("accounts", report.accounts),
            ("transactions", report.transactions),
            ("entries", report.entries),
            ("open holds", report.open_holds),
            ("breaches", len(report.breaches)),
        ):
            table.add_row(label, format_indian_number(value, language="en"))
        console.print(table)
        for line in report.breaches:
            console.print(f"BREACH: {line}")
        self.stdout.write(buffer.getvalue())
        if not report.ok:
            raise CommandError(f"ledger verify found {len(report.breaches)} breach(es)")
        self.stdout.write("ledger verify: every invariant holds")
