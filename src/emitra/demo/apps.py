from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """Demo data for every app; sits at the top of the import graph so it may use them all."""

    name = "emitra.demo"
    label = "demo"
    verbose_name = _("Demo data")
