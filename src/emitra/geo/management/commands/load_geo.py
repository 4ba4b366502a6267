"""`emitra load_geo`: load or refresh districts, blocks, tehsils, urban bodies and GPs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn
from rich.table import Table

from emitra.geo.services import LEVELS, GeoDataError, LoadReport, load_geography

LEVEL_LABELS = {
    "districts": gettext_lazy("Districts"),
    "blocks": gettext_lazy("Panchayat samitis (blocks)"),
    "tehsils": gettext_lazy("Tehsils"),
    "urban_bodies": gettext_lazy("Urban bodies"),
    "gram_panchayats": gettext_lazy("Gram panchayats"),
}


class Command(BaseCommand):
    help = "Load the geography master data from the shipped CSVs (safe to run again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--data-dir", type=Path, default=None, help="directory holding the CSVs"
        )
        parser.add_argument("--quiet", action="store_true", help="no progress bars or table")

    def handle(self, *args: Any, **options: Any) -> None:
        quiet: bool = options["quiet"] or options["verbosity"] == 0
        # Rich writes partial lines and control codes, so it gets the stream under Django's
        # OutputWrapper (which would add a newline to every write).
        console = Console(file=getattr(self.stdout, "_out", sys.stdout), quiet=quiet)
        try:
            if quiet:
                report = load_geography(data_dir=options["data_dir"])
            else:
                report = self._load_with_progress(console, options["data_dir"])
        except GeoDataError as exc:
            raise CommandError(str(exc)) from exc
        if not quiet:
            console.print(self._summary(report))
            for level in LEVELS:
                counts = report.levels[level]
                label = LEVEL_LABELS[level]
                for note, count in sorted(counts.notes.items()):
                    console.print(f"{label}: {note} — {count}", style="dim", markup=False)
                if counts.not_in_source:
                    console.print(
                        _("%(level)s: %(count)s in the database but not in the source (kept)")
                        % {"level": label, "count": counts.not_in_source},
                        markup=False,
                    )

    def _load_with_progress(self, console: Console, data_dir: Path | None) -> LoadReport:
        with Progress(
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=False,
        ) as bars:
            tasks: dict[str, TaskID] = {
                level: bars.add_task(str(LEVEL_LABELS[level]), total=None, start=False)
                for level in LEVELS
            }

            def progress(level: str, done: int, total: int) -> None:
                task = tasks[level]
                bars.start_task(task)
                bars.update(task, completed=done, total=total)

            return load_geography(data_dir=data_dir, progress=progress)

    def _summary(self, report: LoadReport) -> Table:
        table = Table(title=_("Geography loaded"))
        table.add_column(_("Level"), no_wrap=True)
        for heading in (_("In source"), _("Created"), _("Updated"), _("Unchanged"), _("Skipped")):
            table.add_column(heading, justify="right")
        if report.skipped:
            table.add_column(_("Why skipped"))
        for level in LEVELS:
            counts = report.levels[level]
            reasons = "; ".join(f"{reason}: {n}" for reason, n in counts.reasons.most_common())
            cells = [
                str(LEVEL_LABELS[level]),
                *(
                    str(n)
                    for n in (
                        counts.source_rows,
                        counts.created,
                        counts.updated,
                        counts.unchanged,
                        counts.skipped,
                    )
                ),
            ]
            table.add_row(*cells, *([reasons] if report.skipped else []))
        return table
