"""Periodic jobs (expire holds, escalate SLAs …) run by `emitra worker` on a fixed interval."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

log = structlog.get_logger(__name__)


@dataclass
class PeriodicJob:
    name: str
    every_seconds: float
    fn: Callable[[], object]
    next_run: float = field(default=0.0)


JOBS: dict[str, PeriodicJob] = {}


def periodic(
    name: str, *, every_seconds: float
) -> Callable[[Callable[[], object]], Callable[[], object]]:
    def register(fn: Callable[[], object]) -> Callable[[], object]:
        JOBS[name] = PeriodicJob(name=name, every_seconds=every_seconds, fn=fn)
        return fn

    return register


def run_due_jobs(clock: Callable[[], float] = time.monotonic) -> list[str]:
    """Run every job whose interval has passed; one failing job does not stop the others."""
    ran = []
    for job in JOBS.values():
        now = clock()
        if now < job.next_run:
            continue
        job.next_run = now + job.every_seconds
        try:
            job.fn()
            ran.append(job.name)
        except Exception:
            log.exception("job.failed", job=job.name)
    return ran
