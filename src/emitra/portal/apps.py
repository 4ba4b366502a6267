from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The citizen portal (/my/) and its installable web app (manifest, service worker)."""

    name = "emitra.portal"
    label = "portal"
    verbose_name = _("Citizen portal")
