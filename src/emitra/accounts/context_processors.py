"""The role-aware menu in the page header."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from emitra.accounts.roles import ADMIN_SITE_ROLES, Role


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url: str


def navigation(request: HttpRequest) -> dict[str, list[MenuItem]]:
    items = [
        MenuItem(_("Home"), reverse("home")),
        MenuItem(_("Services"), reverse("services:index")),
        MenuItem(_("Districts"), reverse("geo:districts")),
        MenuItem(_("Track application"), reverse("applications:track")),
    ]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        role = getattr(user, "role", "")
        if role in (Role.STATE_ADMIN, Role.AUDITOR, Role.DISTRICT_ADMIN):
            items.append(MenuItem(_("People"), reverse("accounts:users")))
        if role in (Role.STATE_ADMIN, Role.AUDITOR, Role.DEPARTMENT_ADMIN, Role.DEPARTMENT_OFFICER):
            items.append(MenuItem(_("Departments"), reverse("catalog:departments")))
        if role == Role.OPERATOR:
            items.append(MenuItem(_("Counter"), reverse("console")))
        if role in (Role.LSP, Role.DISTRICT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR):
            items.append(MenuItem(_("Kiosks"), reverse("kiosks:list")))
        if role in (Role.DISTRICT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR):
            items.append(MenuItem(_("Complaints"), reverse("kiosks:complaints")))
        if role == Role.OPERATOR:
            items.append(MenuItem(_("Wallet"), reverse("payments:wallet")))
            items.append(MenuItem(_("Commission"), reverse("commission_statement")))
            items.append(MenuItem(_("Pay bills"), reverse("billpay:index")))
            items.append(MenuItem(_("Applications"), reverse("applications:services")))
        if role in (Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_ADMIN):
            items.append(MenuItem(_("Applications inbox"), reverse("applications:inbox")))
        if role in (Role.STATE_ADMIN, Role.AUDITOR):
            items.append(MenuItem(_("Applications"), reverse("applications:statewide")))
        if role in (Role.OPERATOR, Role.DISTRICT_ADMIN):
            items.append(MenuItem(_("Jan Aadhaar"), reverse("registry:changes")))
        if role == Role.CITIZEN:
            items.append(MenuItem(_("My e-Mitra"), reverse("portal:home")))
            items.append(MenuItem(_("Pay a bill"), reverse("portal:pay_bill")))
            items.append(MenuItem(_("My family"), reverse("registry:my_family")))
            items.append(MenuItem(_("Home visits"), reverse("home_visits:mine")))
        if role == Role.OPERATOR:
            items.append(MenuItem(_("Home visits"), reverse("home_visits:operator")))
        if role in (Role.DISTRICT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR):
            items.append(MenuItem(_("Home visits"), reverse("home_visits:district")))
        if role in (Role.DISTRICT_ADMIN, Role.STATE_ADMIN):
            items.append(MenuItem(_("e-Mitra Plus machines"), reverse("machine_admin:list")))
            items.append(
                MenuItem(_("Bill payments needing attention"), reverse("billpay:attention"))
            )
        if role in (Role.DEPARTMENT_OFFICER, Role.DEPARTMENT_ADMIN, Role.STATE_ADMIN, Role.AUDITOR):
            items.append(MenuItem(_("Certificates"), reverse("certificates:list")))
        if role in (Role.STATE_ADMIN, Role.AUDITOR):
            items.append(MenuItem(_("Settlement"), reverse("settlement:list")))
        if role in ADMIN_SITE_ROLES:
            items.append(MenuItem(_("Back office"), reverse("admin:index")))
        items.append(MenuItem(_("My account"), reverse("accounts:me")))
    return {"menu": items}
