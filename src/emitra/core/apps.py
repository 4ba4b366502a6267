from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "emitra.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from emitra.core import guards  # noqa: F401  (registers the SQLite guard function)
        from emitra.core.logging import configure_structlog

        configure_structlog()
        # Each app registers its outbox handlers and periodic jobs in a `handlers` module.
        autodiscover_modules("handlers")
