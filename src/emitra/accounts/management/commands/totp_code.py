"""`emitra totp_code <sso-id>`: the current code of a demo staff user (development only)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = "Print the current TOTP code of a user's authenticator (only with EMITRA_DEV=1)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEV:
            raise CommandError("totp_code is a development aid; set EMITRA_DEV=1.")
        device = TOTPDevice.objects.filter(
            user__username=options["username"], confirmed=True
        ).first()
        if device is None:
            raise CommandError("no confirmed authenticator for that user")
        self.stdout.write(f"{totp(device.bin_key, device.step, device.t0, device.digits):06d}")
