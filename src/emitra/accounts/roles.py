"""The roles of DESIGN.md §2 and what each may do in the back office."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITIZEN = "citizen", _("Citizen")
    OPERATOR = "operator", _("Kiosk operator")
    LSP = "lsp", _("Local service provider")
    DISTRICT_ADMIN = "district_admin", _("District e-governance society")
    DEPARTMENT_OFFICER = "department_officer", _("Department officer")
    DEPARTMENT_ADMIN = "department_admin", _("Department admin")
    PARTNER = "partner", _("B2C partner")
    STATE_ADMIN = "state_admin", _("State admin (DoIT&C)")
    AUDITOR = "auditor", _("Auditor")


# Government staff: a password is not enough, they must also pass TOTP.
STAFF_ROLES = frozenset(
    {
        Role.DISTRICT_ADMIN,
        Role.DEPARTMENT_OFFICER,
        Role.DEPARTMENT_ADMIN,
        Role.STATE_ADMIN,
        Role.AUDITOR,
    }
)
# Roles that open the Django admin (back office); what they see there is set by permissions.
ADMIN_SITE_ROLES = frozenset({Role.DEPARTMENT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR})
# Roles that see everything (read) across districts and departments.
STATEWIDE_ROLES = frozenset({Role.STATE_ADMIN, Role.AUDITOR})

_VIEW_ALL = [
    "core.view_auditentry",
    "core.view_outboxmessage",
    "core.view_idseries",
    "accounts.view_user",
    "geo.view_district",
    "geo.view_block",
    "geo.view_tehsil",
    "geo.view_grampanchayat",
    "geo.view_urbanbody",
    "catalog.view_department",
    "catalog.view_revenuehead",
    "catalog.view_category",
    "catalog.view_documenttype",
    "catalog.view_service",
    "catalog.view_servicedocument",
    "catalog.view_serviceversion",
    "catalog.view_versionfee",
    "catalog.view_ratecard",
    "catalog.view_commissionrule",
    "ledger.view_account",
    "ledger.view_journaltransaction",
    "ledger.view_entry",
    "ledger.view_hold",
    "payments.view_topup",
    "payments.view_gatewaycallback",
]

# A department admin edits their own department's services and drafts (scoped in the admin
# and re-checked in catalog.services); rate cards and commission rules are the state's.
_DEPARTMENT_CATALOG = [
    "catalog.view_department",
    "catalog.change_department",
    "catalog.view_revenuehead",
    "catalog.add_revenuehead",
    "catalog.change_revenuehead",
    "catalog.view_category",
    "catalog.view_documenttype",
    "catalog.view_service",
    "catalog.add_service",
    "catalog.change_service",
    "catalog.view_servicedocument",
    "catalog.add_servicedocument",
    "catalog.change_servicedocument",
    "catalog.delete_servicedocument",
    "catalog.view_serviceversion",
    "catalog.add_serviceversion",
    "catalog.change_serviceversion",
    "catalog.view_versionfee",
    "catalog.add_versionfee",
    "catalog.change_versionfee",
    "catalog.delete_versionfee",
    "catalog.view_ratecard",
    "catalog.view_commissionrule",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CITIZEN: [],
    Role.OPERATOR: [],
    Role.LSP: [],
    Role.PARTNER: [],
    Role.DISTRICT_ADMIN: ["accounts.view_user", "geo.view_district", "geo.view_grampanchayat"],
    Role.DEPARTMENT_OFFICER: [
        "catalog.view_department",
        "catalog.view_service",
        "catalog.view_serviceversion",
    ],
    Role.DEPARTMENT_ADMIN: _DEPARTMENT_CATALOG,
    Role.AUDITOR: _VIEW_ALL,
    Role.STATE_ADMIN: [
        *_VIEW_ALL,
        "core.change_outboxmessage",
        "accounts.add_user",
        "accounts.change_user",
        "geo.change_district",
        "geo.change_block",
        "geo.change_tehsil",
        "geo.change_grampanchayat",
        "geo.change_urbanbody",
        *_DEPARTMENT_CATALOG,
        "catalog.add_department",
        "catalog.add_category",
        "catalog.change_category",
        "catalog.add_documenttype",
        "catalog.change_documenttype",
        "catalog.add_ratecard",
        "catalog.change_ratecard",
        "catalog.add_commissionrule",
        "catalog.change_commissionrule",
    ],
}


def sync_role_groups(sender: Any = None, **kwargs: Any) -> None:
    """Make one auth Group per role hold exactly its permissions.

    Runs once per `migrate`, on the last app's post_migrate, after creating every app's
    permissions (Django creates them per app, so earlier apps' signals come too early)."""
    from django.apps import apps as global_apps
    from django.contrib.auth.management import create_permissions
    from django.contrib.auth.models import Group, Permission

    configs = list(global_apps.get_app_configs())
    if sender is not None and sender is not configs[-1]:
        return
    for config in configs:
        create_permissions(config, verbosity=0, using=kwargs.get("using", "default"))

    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=f"role:{role}")
        wanted = []
        for dotted in perms:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if perm is not None:
                wanted.append(perm)
        group.permissions.set(wanted)
