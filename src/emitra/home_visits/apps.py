from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HomeVisitsConfig(AppConfig):
    name = "emitra.home_visits"
    label = "home_visits"
    verbose_name = _("e-Mitra@Home visits")

    def ready(self) -> None:
        from emitra.home_visits import notify

        notify.register_sms_templates()
