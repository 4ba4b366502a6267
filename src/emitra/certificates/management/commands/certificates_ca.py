"""`emitra certificates_ca`: the development certificate authority and keys, created once.

In production the CERT_* settings name files made by the state's real CA; this command then
only checks that they are there and refuses to create anything."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from emitra.certificates import signing


class Command(BaseCommand):
    help = "Create the development CA, signing certificate and QR key (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        paths = signing.configured_paths()
        if not settings.DEV:
            missing = signing.missing_files(paths)
            if missing:
                raise CommandError(
                    "certificate signing files are missing: "
                    + ", ".join(str(p) for p in missing)
                    + ". Production keys are not generated: set CERT_SIGNING_KEY, "
                    "CERT_SIGNING_CERT, CERT_CA_CERT and CERT_QR_KEY (EMITRA_DEV=1 creates "
                    "development ones)."
                )
            if options["verbosity"]:
                self.stdout.write("certificate signing files present")
            return
        try:
            created = signing.create_development_keys(paths)
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        where = paths.ca_cert.parent
        if options["verbosity"]:
            self.stdout.write(
                f"development CA and keys created in {where}"
                if created
                else f"development CA and keys already present in {where}"
            )
