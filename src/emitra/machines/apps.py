from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MachinesConfig(AppConfig):
    name = "emitra.machines"
    label = "machines"
    verbose_name = _("e-Mitra Plus machines")

    def ready(self) -> None:
        from emitra.machines import handlers  # noqa: F401 - registers the outbox handlers
