"""The Celery application used when OUTBOX_BACKEND=celery (Redis or RabbitMQ broker)."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "emitra.settings.production")

app = Celery("emitra")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["emitra.core"])
