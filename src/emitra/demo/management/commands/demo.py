"""`emitra demo`: geography, departments and one user per role — safe to run twice."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.table import Table

from emitra.accounts.demo import DEMO_PASSWORD, DEPARTMENT_OF, PEOPLE, ensure_demo_people
from emitra.accounts.roles import STAFF_ROLES, Role
from emitra.applications.demo import ensure_demo_applications
from emitra.catalog.demo import ensure_demo_catalog, ensure_demo_departments
from emitra.core.money import format_inr
from emitra.kiosks.demo import ensure_demo_kiosks
from emitra.ledger.selectors import available_balance
from emitra.payments.demo import ensure_demo_wallets
from emitra.registry.demo import ensure_demo_families


class Command(BaseCommand):
    help = "Load demo data (development only): geography, the service catalog, one user per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEV:
            raise CommandError("demo data has known passwords; run it only with EMITRA_DEV=1.")
        console = Console(quiet=options["quiet"])
        call_command("load_geo", quiet=options["quiet"])
        created = ensure_demo_people()
        catalog = ensure_demo_catalog()
        ensure_demo_departments(DEPARTMENT_OF)
        wallets = ensure_demo_wallets()
        kiosks = ensure_demo_kiosks()
        # Approved applications yield signed certificates: the development CA must exist.
        call_command("certificates_ca", verbosity=0 if options["quiet"] else 1)
        applications = ensure_demo_applications()
        families = ensure_demo_families()
        table = Table(title="e-Mitra demo logins (development only)")
        for column in ("role", "login (SSO ID / mobile)", "password", "note"):
            table.add_column(column)
        for person in PEOPLE:
            password, note = DEMO_PASSWORD, ""
            if person.role == Role.CITIZEN:
                password, note = "—", f"mobile OTP, shown at {settings.SMS_GATEWAY_URL}/"
            elif person.role in STAFF_ROLES:
                note = "+ TOTP"
            table.add_row(
                str(person.role.label), f"{person.username} / {person.mobile}", password, note
            )
        console.print(table)
        console.print(
            "Staff (+ TOTP): add the key JBSWY3DPEHPK3PXP to an authenticator app, or run "
            "`.venv/bin/emitra totp_code <sso-id>` with EMITRA_DEV=1 for the current code."
        )
        console.print(f"{len(created)} demo user(s) created; the others already existed.")
        console.print(
            "Service catalog: "
            + (
                f"{sum(catalog.created.values())} row(s) created, "
                f"{sum(catalog.updated.values())} updated."
                if catalog.changed
                else "already up to date."
            )
        )
        for username, wallet in wallets.items():
            console.print(
                f"Wallet of {username}: {format_inr(available_balance(wallet), language='en')} "
                f"— top it up at /wallet/ (payment gateway simulator: "
                f"{settings.PAYMENT_GATEWAY_URL}/)."
            )
        console.print(
            f"Applications: {len(applications)} demo domicile applications filed by op.jaipur "
            "(one per workflow state) — the inbox of officer.revenue is /applications/inbox/."
        )
        console.print(
            "Kiosks (Jaipur, LSP lsp.jaipur, demo password): "
            + ", ".join(f"{k.code} {k.status} ({k.operator.username})" for k in kiosks)
            + " — the operator's counter is /console/."
        )
        console.print(
            "Jan Aadhaar demo families (Jaipur): "
            + ", ".join(f.family_id for f in families)
            + " — op.jaipur fetches one at /registry/consent/ (OTP to the family's mobile in the"
            " SMS simulator); the citizen 9829000001 sees hers at /registry/my-family/."
        )
