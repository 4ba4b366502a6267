"""`emitra catalog import FILE` · `emitra catalog export FILE` · `emitra catalog check FILE`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from emitra.catalog import catalogfile


class Command(BaseCommand):
    help = "Import, export or check the service catalog file (JSON, format emitra-catalog/1)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        for name, text in (
            ("import", "validate the whole file, then apply all of it or nothing"),
            ("check", "validate the file without changing anything"),
            ("export", "write the published catalog to the file ('-' for standard output)"),
        ):
            sub = actions.add_parser(name, help=text)
            sub.add_argument("file", nargs="?", default=str(catalogfile.SHIPPED))

    def handle(self, *args: Any, **options: Any) -> None:
        action, file = options["action"], options["file"]
        if action == "export":
            text = catalogfile.dumps(catalogfile.export_catalog())
            if file == "-":
                self.stdout.write(text, ending="")
            else:
                Path(file).write_text(text, encoding="utf-8")
                self.stdout.write(f"exported to {file}")
            return
        try:
            text = Path(file).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        try:
            if action == "check":
                document = catalogfile.validate(text)
                self.stdout.write(f"{file}: valid, {len(document['services'])} services")
                return
            result = catalogfile.import_catalog(text)
        except catalogfile.CatalogFileError as error:
            for line in catalogfile.iter_problems(error):
                self.stderr.write(f"{file}: {line}")
            raise CommandError(
                f"{file}: refused, {len(error.problems)} problem(s); nothing was imported"
            ) from error
        if not result.changed:
            self.stdout.write(f"{file}: nothing to change")
            return
        self.stdout.write(
            f"{file}: created {sum(result.created.values())}, "
            f"updated {sum(result.updated.values())}, "
            f"unchanged {sum(result.unchanged.values())}"
        )
