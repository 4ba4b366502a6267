from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KiosksConfig(AppConfig):
    """The kiosk network; its periodic job (handlers.py) is found by core's autodiscovery."""

    name = "emitra.kiosks"
    label = "kiosks"
    verbose_name = _("Kiosk network")
