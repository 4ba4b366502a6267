"""`emitra settle --day YYYY-MM-DD [--department CODE]`: settle departments' IST day."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from emitra.catalog.models import Department
from emitra.core.errors import DomainError
from emitra.core.money import format_inr
from emitra.settlement import services


class Command(BaseCommand):
    help = "Settle each department's revenue heads for one IST day (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--day", required=True, help="the IST day, YYYY-MM-DD")
        parser.add_argument("--department", default="", help="only this department's code")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            day = date.fromisoformat(options["day"])
        except ValueError as exc:
            raise CommandError(f"--day must be YYYY-MM-DD, not {options['day']!r}") from exc
        codes = (
            [options["department"]]
            if options["department"]
            else list(Department.objects.order_by("code").values_list("code", flat=True))
        )
        total = 0
        for index, code in enumerate(codes, start=1):
            try:
                settlement = services.settle_department_day(department_code=code, day=day)
            except DomainError as exc:
                raise CommandError(f"{code}: {exc.message}") from exc
            total += settlement.total
            self.stdout.write(
                f"[{index}/{len(codes)}] {code}: {settlement.number} "
                f"{format_inr(settlement.total, language='en')} "
                f"({len(settlement.head_totals)} heads, "
                f"{settlement.transaction_count} transactions)"
            )
        self.stdout.write(
            f"settled {len(codes)} department(s) for {day.isoformat()}: "
            f"{format_inr(total, language='en')}"
        )
