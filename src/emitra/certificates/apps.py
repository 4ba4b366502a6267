from typing import Any

from django.apps import AppConfig
from django.conf import settings
from django.core import checks
from django.utils.translation import gettext_lazy as _


@checks.register(checks.Tags.security, deploy=True)
def signing_files_exist(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Approvals would fail at the last step without the keys that sign certificates."""
    from emitra.certificates import signing

    if settings.DEV:
        return []
    missing = signing.missing_files()
    if missing:
        return [
            checks.Error(
                "certificate signing files missing: " + ", ".join(str(p) for p in missing),
                hint="Set CERT_SIGNING_KEY, CERT_SIGNING_CERT, CERT_CA_CERT and CERT_QR_KEY.",
                id="certificates.E001",
            )
        ]
    return []


class CertificatesConfig(AppConfig):
    name = "emitra.certificates"
    label = "certificates"
    verbose_name = _("Certificates")
