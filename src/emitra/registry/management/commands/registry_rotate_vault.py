"""Re-encrypt everything held under the vault keys with the first vault key: every Aadhaar
vault entry, every member's bank account, and the bank accounts inside change requests
(``payload["member"]`` / ``payload["members"][*]``: a pending request is applied from its
payload, so a cipher left under an old key would break its approval once that key is dropped).

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
from emitra.registry.models import ChangeRequest, Member, VaultEntry

BATCH = 500
CIPHER_SUFFIX = "_cipher"


def rotate_ciphers(value: Any) -> tuple[Any, int]:
    """`value` (a JSON payload) with every non-empty ``*_cipher`` string re-encrypted under the
    current key, and how many were re-encrypted."""
    if isinstance(value, list):
        rotated = [rotate_ciphers(item) for item in value]
        return [item for item, _ in rotated], sum(n for _, n in rotated)
    if not isinstance(value, dict):
        return value, 0
    out: dict[str, Any] = {}
    count = 0
    for key, item in value.items():
        if key.endswith(CIPHER_SUFFIX) and isinstance(item, str) and item:
            out[key] = vault.rotate(item)
            count += 1
        else:
            out[key], n = rotate_ciphers(item)
            count += n
    return out, count


class Command(BaseCommand):
    help = "Re-encrypt the Aadhaar vault under the first key of AADHAAR_VAULT_KEYS."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--quiet", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        entries = VaultEntry.objects.order_by("pk")
        members = Member.objects.exclude(bank_account_cipher="").order_by("pk")
        changes = ChangeRequest.objects.order_by("pk")
        total = entries.count() + members.count() + changes.count()
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
            last = 0
            while keys := list(changes.filter(pk__gt=last).values_list("pk", flat=True)[:BATCH]):
                with transaction.atomic():
                    # Locked, so an approval cannot read the payload half-way through.
                    for change in ChangeRequest.objects.select_for_update().filter(pk__in=keys):
                        payload, count = rotate_ciphers(change.payload)
                        if count:
                            ChangeRequest.objects.filter(pk=change.pk).update(payload=payload)
                            done += count
                last = keys[-1]
                progress.update(task, advance=len(keys))
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
