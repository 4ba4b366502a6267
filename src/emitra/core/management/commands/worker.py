"""`emitra worker`: run outbox handlers and periodic jobs until stopped (Ctrl-C / SIGTERM)."""

from __future__ import annotations

import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections

from emitra.core import jobs, outbox


class Command(BaseCommand):
    help = "Run the outbox worker (inline, or dispatching to Celery) and periodic jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="process what is due, then exit")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between polls")

    def handle(self, *args: Any, **options: Any) -> None:
        stopping = False

        def stop(signum: int, frame: object) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        backend = settings.OUTBOX_BACKEND
        self.stdout.write(
            f"emitra worker: outbox backend {backend}; handlers: "
            f"{', '.join(sorted(outbox.HANDLERS)) or '-'}"
        )
        while not stopping:
            close_old_connections()
            count = outbox.dispatch_due() if backend == "celery" else outbox.run_due()
            jobs.run_due_jobs()
            if options["once"]:
                self.stdout.write(f"processed {count} message(s)")
                return
            if count == 0:
                time.sleep(options["interval"])
        self.stdout.write("emitra worker: stopped")
