"""`emitra lsp register` and `emitra lsp list`: LSPs from the command line.

    emitra lsp register --login lsp.ajmer --name "Ajmer Digital Services" --district ajmer \
        --by state.admin
    emitra lsp list [--district ajmer]

`--by` names the state admin (or the district's society) on whose authority the LSP is
registered: the same role and scope checks as the page, and the audit row names them."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from emitra.accounts.models import User
from emitra.core.errors import DomainError
from emitra.geo.models import District
from emitra.kiosks import selectors, services


class Command(BaseCommand):
    help = "Register local service providers (LSPs) and list them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        register = sub.add_parser("register", help="register the organisation behind an LSP login")
        register.add_argument("--login", required=True, help="the LSP login's SSO ID or mobile")
        register.add_argument("--name", required=True, help="the organisation's name")
        register.add_argument("--district", required=True, help="district slug, e.g. ajmer")
        register.add_argument(
            "--by", required=True, help="username of the state admin or district society acting"
        )
        listing = sub.add_parser("list", help="list registered LSPs")
        listing.add_argument("--district", default="", help="district slug")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "register":
            self._register(options)
        else:
            self._list(options)

    def _register(self, options: dict[str, Any]) -> None:
        actor = User.objects.filter(username=options["by"].strip().lower()).first()
        if actor is None:
            raise CommandError(f"no user {options['by']!r}")
        district = District.objects.filter(slug=options["district"].strip().lower()).first()
        if district is None:
            raise CommandError(f"no district {options['district']!r}")
        try:
            lsp = services.register_lsp(
                actor=actor,
                user=services.find_lsp_login(options["login"]),
                name=options["name"],
                district=district,
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from None
        self.stdout.write(f"registered LSP {lsp.name!r} ({lsp.user.username}) in {district.slug}")

    def _list(self, options: dict[str, Any]) -> None:
        rows = selectors.all_lsps(
            selectors.LSPFilters(district=options["district"].strip().lower())
        )
        for lsp in rows:
            self.stdout.write(
                f"{lsp.district.slug}\t{lsp.user.username}\t{lsp.name}\t"
                f"{lsp.kiosk_count} kiosks, {lsp.active_count} active"  # type: ignore[attr-defined]
            )
