"""Onboarding: each step by the right role in the right scope, and only once; bad input
changes nothing."""

from __future__ import annotations

from datetime import time

import pytest

from emitra.accounts.roles import Role
from emitra.core.models import AuditEntry
from emitra.kiosks import services
from emitra.kiosks.errors import (
    DistrictOutsideLSP,
    DuplicateKioskCode,
    InvalidHours,
    KioskNotActive,
    NotAnLSP,
    OperatorHasKiosk,
    OutOfScope,
    PlaceOutsideDistrict,
    PlaceRequired,
    ReasonRequired,
    WrongRole,
    WrongStep,
)
from emitra.kiosks.models import Kiosk, KioskEvent, KioskStatus
from emitra.kiosks.tests import factories
from emitra.ledger import selectors as ledger_selectors

pytestmark = pytest.mark.django_db

STEP_ACTS = {
    KioskStatus.APPLIED: ("lsp", services.recommend_kiosk),
    KioskStatus.RECOMMENDED: ("district", services.approve_kiosk),
    KioskStatus.APPROVED: ("district", services.mark_trained),
    KioskStatus.TRAINED: ("district", services.activate_kiosk),
}
WRONG_ROLES = [
    Role.CITIZEN,
    Role.OPERATOR,
    Role.LSP,
    Role.DISTRICT_ADMIN,
    Role.DEPARTMENT_OFFICER,
    Role.DEPARTMENT_ADMIN,
    Role.PARTNER,
    Role.STATE_ADMIN,
    Role.AUDITOR,
]


def snapshot(kiosk: Kiosk) -> tuple[str, int, int]:
    kiosk.refresh_from_db()
    return kiosk.status, kiosk.version, KioskEvent.objects.filter(kiosk=kiosk).count()


def test_a_kiosk_goes_from_application_to_active_with_its_history_and_wallet(lsp, society):
    kiosk = factories.kiosk(lsp)
    assert kiosk.status == KioskStatus.APPLIED
    kiosk = services.recommend_kiosk(actor=lsp.user, kiosk=kiosk)
    kiosk = services.approve_kiosk(actor=society, kiosk=kiosk)
    kiosk = services.mark_trained(actor=society, kiosk=kiosk)
    assert ledger_selectors.wallet_of(kiosk.operator_id) is None
    kiosk = services.activate_kiosk(actor=society, kiosk=kiosk)

    assert kiosk.status == KioskStatus.ACTIVE
    assert kiosk.activated_at is not None
    assert ledger_selectors.wallet_of(kiosk.operator_id) is not None
    events = list(kiosk.events.values_list("from_status", "to_status", "actor_id"))
    assert events == [
        ("", "applied", lsp.user.pk),
        ("applied", "recommended", lsp.user.pk),
        ("recommended", "approved", society.pk),
        ("approved", "trained", society.pk),
        ("trained", "active", society.pk),
    ]
    assert AuditEntry.objects.filter(action="kiosks.activate", object_id=str(kiosk.pk)).exists()


WRONG_PAIRS = [
    (status, role)
    for status, (who, _act) in STEP_ACTS.items()
    for role in WRONG_ROLES
    if role != (Role.LSP if who == "lsp" else Role.DISTRICT_ADMIN)
]


@pytest.mark.parametrize(("status", "role"), WRONG_PAIRS)
def test_every_onboarding_step_refuses_the_wrong_role(lsp, jaipur, status, role):
    kiosk = factories.kiosk(lsp, status=status)
    _who, act = STEP_ACTS[status]
    actor = factories.user(role, jaipur)
    before = snapshot(kiosk)

    with pytest.raises((WrongRole, OutOfScope)):
        act(actor=actor, kiosk=kiosk)

    assert snapshot(kiosk) == before


@pytest.mark.parametrize("status", list(STEP_ACTS))
def test_every_onboarding_step_refuses_another_districts_actor(lsp, ajmer, status):
    kiosk = factories.kiosk(lsp, status=status)
    who, act = STEP_ACTS[status]
    if who == "lsp":
        actor = factories.lsp(ajmer).user  # an LSP, but not this kiosk's
    else:
        actor = factories.user(Role.DISTRICT_ADMIN, ajmer)
    before = snapshot(kiosk)

    with pytest.raises(OutOfScope):
        act(actor=actor, kiosk=kiosk)

    assert snapshot(kiosk) == before


def test_applying_refuses_other_roles_and_an_unregistered_lsp(jaipur):
    operator = factories.user(Role.OPERATOR, jaipur)
    gp = factories.gram_panchayat(jaipur)
    for role in [r for r in WRONG_ROLES if r != Role.LSP]:
        with pytest.raises(WrongRole):
            services.apply_kiosk(
                actor=factories.user(role, jaipur),
                code="JPR-0001",
                name="x",
                kiosk_type="assisted",
                category="B",
                operator=operator,
                gram_panchayat=gp,
            )
    with pytest.raises(NotAnLSP):
        services.apply_kiosk(
            actor=factories.user(Role.LSP, jaipur),
            code="JPR-0001",
            name="x",
            kiosk_type="assisted",
            category="B",
            operator=operator,
            gram_panchayat=gp,
        )
    assert not Kiosk.objects.exists()


def test_an_lsp_cannot_apply_for_a_kiosk_in_another_district(lsp, ajmer, jaipur):
    operator = factories.user(Role.OPERATOR, ajmer)
    gp = factories.gram_panchayat(ajmer)  # even with a GP that does lie in Ajmer

    with pytest.raises(DistrictOutsideLSP):
        services.apply_kiosk(
            actor=lsp.user,
            code="AJM-0001",
            name="x",
            kiosk_type="assisted",
            category="B",
            operator=operator,
            gram_panchayat=gp,
            district=ajmer,
        )

    assert not Kiosk.objects.exists()
    assert not KioskEvent.objects.exists()


def test_a_kiosk_that_closes_before_it_opens_is_refused(lsp, jaipur):
    with pytest.raises(InvalidHours):
        services.apply_kiosk(
            actor=lsp.user,
            code="JPR-0002",
            name="x",
            kiosk_type="assisted",
            category="B",
            operator=factories.user(Role.OPERATOR, jaipur),
            gram_panchayat=factories.gram_panchayat(jaipur),
            opens_at=time(18, 0),
            closes_at=time(9, 0),
        )
    assert not Kiosk.objects.exists()


def test_a_step_cannot_happen_twice_or_out_of_order(lsp, society):
    kiosk = factories.kiosk(lsp)
    with pytest.raises(WrongStep):
        services.approve_kiosk(actor=society, kiosk=kiosk)  # not recommended yet
    services.recommend_kiosk(actor=lsp.user, kiosk=kiosk)
    stale = Kiosk.objects.get(pk=kiosk.pk)
    services.approve_kiosk(actor=society, kiosk=stale)
    before = snapshot(kiosk)

    with pytest.raises(WrongStep):
        services.approve_kiosk(actor=society, kiosk=stale)  # the second click

    assert snapshot(kiosk) == before


def test_a_duplicate_kiosk_code_is_refused_and_nothing_changes(lsp, jaipur):
    factories.kiosk(lsp, code="JPR-K-0001")
    count = Kiosk.objects.count()

    with pytest.raises(DuplicateKioskCode) as refused:
        factories.kiosk(lsp, code="jpr-k-0001")

    assert "JPR-K-0001 is already in use" in str(refused.value.message)
    assert Kiosk.objects.count() == count


def test_one_operator_runs_one_kiosk(lsp, jaipur):
    operator = factories.user(Role.OPERATOR, jaipur)
    factories.kiosk(lsp, operator=operator)

    with pytest.raises(OperatorHasKiosk):
        factories.kiosk(lsp, operator=operator)


def test_a_gram_panchayat_outside_the_district_is_refused(lsp, ajmer):
    elsewhere = factories.gram_panchayat(ajmer)

    with pytest.raises(PlaceOutsideDistrict) as refused:
        factories.kiosk(lsp, gp=elsewhere)

    assert "does not lie in the kiosk's district" in str(refused.value.message)
    assert not Kiosk.objects.exists()


def test_an_urban_body_outside_the_district_is_refused_and_one_place_is_required(lsp, ajmer):
    operator = factories.user(Role.OPERATOR, lsp.district)
    args = {
        "actor": lsp.user,
        "code": "JPR-0009",
        "name": "x",
        "kiosk_type": "plus",
        "category": "A",
        "operator": operator,
    }
    with pytest.raises(PlaceOutsideDistrict):
        services.apply_kiosk(**args, urban_body=factories.urban_body(ajmer))
    with pytest.raises(PlaceRequired):
        services.apply_kiosk(**args)
    with pytest.raises(PlaceRequired):
        services.apply_kiosk(
            **args,
            gram_panchayat=factories.gram_panchayat(lsp.district),
            urban_body=factories.urban_body(lsp.district),
        )
    assert not Kiosk.objects.exists()


def test_a_new_district_accepts_the_gram_panchayats_of_its_parent(jaipur):
    kotputli = factories.district("kotputli-behror", carved_from=jaipur)
    provider = factories.lsp(kotputli)

    kiosk = factories.kiosk(provider, gp=factories.gram_panchayat(jaipur))

    assert kiosk.district == kotputli


def test_actions_on_a_suspended_kiosk_are_refused_with_a_clear_message(lsp, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.SUSPENDED, district_admin=society)
    before = snapshot(kiosk)

    for act in (services.suspend_kiosk,):
        with pytest.raises(KioskNotActive) as refused:
            act(actor=society, kiosk=kiosk, reason="again")
        assert "This kiosk is Suspended" in str(refused.value.message)
    with pytest.raises(KioskNotActive):
        services.activate_kiosk(actor=society, kiosk=kiosk)

    assert snapshot(kiosk) == before


def test_a_terminated_kiosk_cannot_be_reinstated(lsp, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.TERMINATED, district_admin=society)

    with pytest.raises(KioskNotActive) as refused:
        services.reinstate_kiosk(actor=society, kiosk=kiosk, reason="please")

    assert "Terminated" in str(refused.value.message)


def test_suspension_needs_a_reason_and_reinstatement_restores_activity(lsp, society, jaipur):
    kiosk = factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)
    with pytest.raises(ReasonRequired):
        services.suspend_kiosk(actor=society, kiosk=kiosk, reason="  ")

    state = factories.user(Role.STATE_ADMIN)
    kiosk = services.suspend_kiosk(actor=state, kiosk=kiosk, reason="overcharging")
    assert kiosk.status == KioskStatus.SUSPENDED
    kiosk = services.reinstate_kiosk(actor=society, kiosk=kiosk, reason="paid back")
    assert kiosk.status == KioskStatus.ACTIVE
    assert list(kiosk.events.values_list("reason", flat=True))[-2:] == [
        "overcharging",
        "paid back",
    ]


def test_discipline_refuses_another_district_and_the_lsp(lsp, ajmer, society):
    kiosk = factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)
    with pytest.raises(OutOfScope):
        services.suspend_kiosk(
            actor=factories.user(Role.DISTRICT_ADMIN, ajmer), kiosk=kiosk, reason="x"
        )
    with pytest.raises(WrongRole):
        services.terminate_kiosk(actor=lsp.user, kiosk=kiosk, reason="x")
    kiosk.refresh_from_db()
    assert kiosk.status == KioskStatus.ACTIVE


def test_history_rows_cannot_be_changed(lsp):
    from django.db import DatabaseError, transaction

    kiosk = factories.kiosk(lsp)
    with pytest.raises(DatabaseError), transaction.atomic():
        KioskEvent.objects.filter(kiosk=kiosk).update(reason="rewritten")


def test_serving_kiosk_tells_other_apps_whether_the_counter_may_serve(lsp, society, jaipur):
    from emitra.kiosks import selectors
    from emitra.kiosks.errors import NoKiosk

    active = factories.kiosk(lsp, status=KioskStatus.ACTIVE, district_admin=society)
    suspended = factories.kiosk(lsp, status=KioskStatus.SUSPENDED, district_admin=society)

    assert selectors.serving_kiosk(active.operator) == active
    assert selectors.category_of(active.operator) == "B"
    with pytest.raises(KioskNotActive) as refused:
        selectors.serving_kiosk(suspended.operator)
    assert "Suspended" in str(refused.value.message)
    nobody = factories.user(Role.OPERATOR, jaipur)
    with pytest.raises(NoKiosk):
        selectors.serving_kiosk(nobody)
    assert selectors.kiosk_of_operator(nobody) is None
    assert selectors.category_of(nobody) == ""
    assert selectors.kiosk_of_operator(lsp.user) is None


def test_a_malformed_code_or_an_unknown_type_is_refused(lsp, jaipur):
    from emitra.kiosks.errors import InvalidChoice, InvalidKioskCode

    args = {
        "actor": lsp.user,
        "name": "x",
        "category": "B",
        "operator": factories.user(Role.OPERATOR, jaipur),
        "gram_panchayat": factories.gram_panchayat(jaipur),
    }
    for code in ("AB", "JPR K 1", "-JPR", "X" * 21):
        with pytest.raises(InvalidKioskCode):
            services.apply_kiosk(**args, code=code, kiosk_type="assisted")
    with pytest.raises(InvalidChoice):
        services.apply_kiosk(**args, code="JPR-0001", kiosk_type="drone")
    assert not Kiosk.objects.exists()
