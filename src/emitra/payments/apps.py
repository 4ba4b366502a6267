from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _

DEV_SECRET = "dev-pg-secret"  # noqa: S105 - the simulator's development secret, refused below


@checks.register(checks.Tags.security, deploy=True)
def gateway_secret_is_set(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Callbacks signed with the development secret could be forged by anyone who read it."""
    if not settings.DEV and settings.PAYMENT_GATEWAY_SECRET in ("", DEV_SECRET):
        return [
            checks.Error(
                "PAYMENT_GATEWAY_SECRET is unset or the development default.",
                hint="Set it to the merchant secret the payment gateway signs callbacks with.",
                id="payments.E001",
            )
        ]
    return []


class PaymentsConfig(AppConfig):
    name = "emitra.payments"
    label = "payments"
    verbose_name = _("Payments")
