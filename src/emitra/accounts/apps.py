from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "emitra.accounts"
    label = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from emitra.accounts import signals  # noqa: F401  (login audit receivers)
        from emitra.accounts.roles import sync_role_groups

        post_migrate.connect(sync_role_groups, dispatch_uid="emitra.sync_role_groups")
