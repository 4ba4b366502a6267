from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    """Rajasthan's administrative geography: districts, blocks, tehsils, GPs and urban bodies."""

    name = "emitra.geo"
    label = "geo"
    verbose_name = _("Geography")
    default_auto_field = "django.db.models.BigAutoField"
