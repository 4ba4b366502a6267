"""Re-encrypt every Aadhaar vault entry (and bank account) under the first vault key.

Put the new key first in AADHAAR_VAULT_KEYS (keep the old ones after it), run this, then drop
the old keys. Safe to run again: entries already under the current key are re-encrypted too."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from rich.progress import Progress

from emitra.core import audit
from emitra.registry import vault
from emitra.registry.models import Member, VaultEntry

BATCH = 500


class Command(BaseCommand):
    help = "Re-encrypt the Aadhaar vault under the first key of AADHAAR_VAULT_KEYS."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        entries = VaultEntry.objects.order_by("pk")
        members = Member.objects.exclude(bank_account_cipher="").order_by("pk")
        total = entries.count() + members.count()
        done = 0
        with Progress(disable=options["quiet"]) as progress:
            task = progress.add_task("Re-encrypting", total=total)
            last = 0
            while batch := list(entries.filter(pk__gt=last)[:BATCH]):
                with transaction.atomic():
                    now = timezone.now()
                    for entry in batch:
                        VaultEntry.objects.filter(pk=entry.pk).update(
                            ciphertext=vault.rotate(entry.ciphertext), rotated_at=now
                        )
                last = batch[-1].pk
                done += len(batch)
                progress.update(task, advance=len(batch))
            last = 0
            while people := list(members.filter(pk__gt=last)[:BATCH]):
                with transaction.atomic():
                    for member in people:
                        Member.objects.filter(pk=member.pk).update(
                            bank_account_cipher=vault.rotate(member.bank_account_cipher)
                        )
                last = people[-1].pk
                done += len(people)
                progress.update(task, advance=len(people))
        with transaction.atomic():
            audit.record(
                actor=None,
                action="registry.vault_rotated",
                object_type="registry.vault",
                object_id="all",
                after={"entries": done},
            )
        if not options["quiet"]:
            self.stdout.write(f"Re-encrypted {done} entries under the current key.")
