"""`emitra certificates_verify FILE`: check a certificate PDF's signature offline.

Validates the PAdES signature with pyHanko against the configured CA certificate (or the one
given with --ca, e.g. the file published at /certificates/verify/ca.pem), with no network:
the file must carry exactly one signature, intact, chaining to that CA, covering the whole
file (nothing added after signing). Prints the verdict and the signer; exits 1 when the
signature is not valid, so scripts can rely on the exit status."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from emitra.certificates import signing

MAX_BYTES = 20 * 1024 * 1024  # a certificate is tens of kilobytes


def _reasons(check: signing.SignatureCheck) -> list[str]:
    if not check.signed:
        return ["the file is not a signed PDF"]
    if not check.intact:
        return ["the signed content was changed, or the file carries more than one signature"]
    reasons = []
    if not check.trusted:
        reasons.append("the signer does not chain to the trusted certificate authority")
    if not check.covers_whole_file:
        reasons.append("content was added to the file after it was signed")
    return reasons


class Command(BaseCommand):
    help = "Check the digital signature of a certificate PDF (offline); exit 1 if not valid."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="the certificate PDF to check")
        parser.add_argument(
            "--ca",
            type=Path,
            default=None,
            help="the CA certificate (PEM) to trust instead of the configured one",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        if path.stat().st_size > MAX_BYTES:
            raise CommandError(f"{path}: too large for a certificate")
        paths = signing.configured_paths()
        if options["ca"] is not None:
            paths = replace(paths, ca_cert=options["ca"])
        try:
            ca = signing.ca_info(paths)
        except (signing.SigningNotConfigured, ValueError) as exc:
            raise CommandError(f"cannot read the CA certificate {paths.ca_cert}: {exc}") from exc
        check = signing.check_pdf_signature(path.read_bytes(), paths=paths)
        if check.ok:
            self.stdout.write(f"VALID: {path}")
            self.stdout.write(f"Signed by: {check.signer}")
            self.stdout.write(f"Certificate authority: {ca.subject} (SHA-256 {ca.sha256})")
            self.stdout.write("The signature is intact and covers the whole file.")
            return
        self.stdout.write(f"NOT VALID: {path}")
        if check.signer:
            self.stdout.write(f"Signed by: {check.signer}")
        for reason in _reasons(check):
            self.stdout.write(f"- {reason}")
        raise CommandError("the signature is not valid")
