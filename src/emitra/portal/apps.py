from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The citizen portal (/my/) and its installable web app (manifest, service worker)."""

    name = "emitra.portal"
    label = "portal"
    verbose_name = _("Citizen portal")

    def ready(self) -> None:
        from emitra.portal.reconcile import online_bill_source, online_fee_source
        from emitra.settlement.gateway_orders import register_source

        register_source(online_bill_source())
        register_source(online_fee_source())
