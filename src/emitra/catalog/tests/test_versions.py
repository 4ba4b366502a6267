"""Versions and the rate card: drafts, publishing from a date, never overlapping, audited;
department admins touch only their own department, the state admin alone the rate card."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from emitra.accounts.roles import Role
from emitra.catalog import services
from emitra.catalog.models import CommissionRule, PublishStatus, RateCard, ServiceVersion
from emitra.catalog.services import assign_department_staff
from emitra.catalog.tests import factories
from emitra.core.errors import Conflict, InvalidInput, PermissionDenied
from emitra.core.models import AuditEntry


@pytest.fixture
def revenue_admin(make_user):
    admin = make_user(Role.DEPARTMENT_ADMIN)
    assign_department_staff(user=admin, department=factories.department("revenue"))
    return admin


@pytest.fixture
def published(db):
    service = factories.service()
    return service, factories.version(service, fees=[(factories.head(), 10_00)])


@pytest.mark.django_db
def test_publishing_a_draft_ends_the_version_before_it_there(published, revenue_admin):
    service, first = published
    draft = services.create_draft_version(actor=revenue_admin, service=service)
    start = timezone.now() + timedelta(days=7)

    services.publish_version(actor=revenue_admin, version=draft, effective_from=start)

    first.refresh_from_db()
    draft.refresh_from_db()
    assert first.effective_to == start
    assert (draft.status, draft.effective_from, draft.effective_to) == (
        PublishStatus.PUBLISHED,
        start,
        None,
    )
    assert [(f.revenue_head.code, f.amount) for f in draft.fees.all()] == [("revenue-fee", 10_00)]
    actions = list(
        AuditEntry.objects.filter(action__startswith="catalog.version")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["catalog.version_drafted", "catalog.version_published"]
    published_row = AuditEntry.objects.get(action="catalog.version_published")
    assert published_row.actor == revenue_admin
    assert published_row.after is not None
    assert published_row.after["previous"]["closed"] == first.pk


@pytest.mark.django_db
def test_a_version_cannot_take_effect_in_the_past(published, revenue_admin):
    service, _first = published
    draft = services.create_draft_version(actor=revenue_admin, service=service)

    with pytest.raises(InvalidInput) as refused:
        services.publish_version(
            actor=revenue_admin, version=draft, effective_from=timezone.now() - timedelta(days=1)
        )
    assert refused.value.code == "catalog.effective_in_past"


@pytest.mark.django_db
def test_a_published_version_is_never_edited(published, revenue_admin):
    _service, first = published
    first.service_charge = 99_00

    with pytest.raises(Conflict):
        services.save_draft_version(actor=revenue_admin, version=first)


@pytest.mark.django_db
def test_publishing_before_a_scheduled_version_is_refused(published, revenue_admin):
    service, _first = published
    later = services.create_draft_version(actor=revenue_admin, service=service)
    services.publish_version(
        actor=revenue_admin, version=later, effective_from=timezone.now() + timedelta(days=30)
    )
    earlier = services.create_draft_version(actor=revenue_admin, service=service)

    with pytest.raises(Conflict):
        services.publish_version(
            actor=revenue_admin, version=earlier, effective_from=timezone.now() + timedelta(days=10)
        )


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_overlapping_published_versions(db):
    """Even bypassing the services (a shell, a future importer), ranges cannot overlap."""
    service = factories.service()
    factories.version(service, number=1)  # open-ended from 2020
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.version(service, number=2, effective_from=factories.SINCE + timedelta(days=10))
    # drafts may overlap anything: only published ranges are guarded
    factories.version(
        service,
        number=3,
        status=PublishStatus.DRAFT,
        effective_from=factories.SINCE + timedelta(days=10),
    )
    assert ServiceVersion.objects.count() == 2


@pytest.mark.django_db(transaction=True)
def test_the_database_refuses_overlapping_rate_cards(db):
    factories.rate_card()
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.rate_card(effective_from=factories.SINCE + timedelta(days=1))


@pytest.mark.django_db
def test_the_database_refuses_shares_that_do_not_sum_to_100():
    with pytest.raises(IntegrityError), transaction.atomic():
        RateCard.objects.create(effective_from=factories.SINCE, kiosk_b_bp=8000)


@pytest.mark.django_db
def test_a_department_admin_cannot_touch_another_departments_service(revenue_admin):
    phed_service = factories.service("water", dept=factories.department("phed"))
    factories.version(phed_service)

    with pytest.raises(PermissionDenied):
        services.create_draft_version(actor=revenue_admin, service=phed_service)
    with pytest.raises(PermissionDenied):
        services.set_service_status(actor=revenue_admin, service=phed_service, status="suspended")
    phed_service.name_en = "Renamed"
    with pytest.raises(PermissionDenied):
        services.save_service(actor=revenue_admin, service=phed_service)


@pytest.mark.django_db
def test_a_department_admin_cannot_move_their_service_to_another_department(revenue_admin):
    service = factories.service()
    service.department = factories.department("phed")

    with pytest.raises(PermissionDenied):
        services.save_service(actor=revenue_admin, service=service)


@pytest.mark.django_db
def test_a_service_change_is_audited_with_before_and_after(revenue_admin):
    service = factories.service()
    service.sla_days = 3

    services.save_service(actor=revenue_admin, service=service)

    row = AuditEntry.objects.get(action="catalog.service_saved")
    assert row.before is not None and row.after is not None
    assert (row.before["sla_days"], row.after["sla_days"]) == (None, 3)


@pytest.mark.django_db
def test_only_the_state_admin_changes_the_rate_card_and_commission_rules(make_user, revenue_admin):
    state = make_user(Role.STATE_ADMIN)
    factories.rate_card()
    draft = RateCard(
        effective_from=timezone.now() + timedelta(days=1), g2c_application_charge=60_00
    )

    with pytest.raises(PermissionDenied):
        services.save_rate_card_draft(actor=revenue_admin, rate_card=draft)
    services.save_rate_card_draft(actor=state, rate_card=draft)
    start = timezone.now() + timedelta(days=1)
    services.publish_rate_card(actor=state, rate_card=draft, effective_from=start)

    assert RateCard.objects.get(effective_to=start).g2c_application_charge == 50_00
    assert AuditEntry.objects.filter(action="catalog.rate_card_published", actor=state).exists()
    with pytest.raises(PermissionDenied):
        services.save_commission_rule(
            actor=revenue_admin, rule=CommissionRule(code="x", name_en="X", name_hi="एक्स")
        )


@pytest.mark.django_db
def test_a_rate_card_whose_shares_do_not_sum_is_refused(make_user):
    state = make_user(Role.STATE_ADMIN)
    with pytest.raises(InvalidInput) as refused:
        services.save_rate_card_draft(
            actor=state, rate_card=RateCard(effective_from=timezone.now(), lsp_a_bp=900)
        )
    assert "Category A" in str(refused.value.message)


@pytest.mark.django_db
def test_a_commission_rule_in_use_keeps_its_shares(make_user):
    state = make_user(Role.STATE_ADMIN)
    rule = services.save_commission_rule(
        actor=state, rule=CommissionRule(code="b2c", name_en="B2C", name_hi="बी2सी")
    )
    factories.version(factories.service(), commission_rule=rule)
    rule.kiosk_a_bp, rule.state_a_bp = 7000, 2200

    with pytest.raises(Conflict):
        services.save_commission_rule(actor=state, rule=rule)


@pytest.mark.django_db
def test_a_draft_with_a_broken_form_cannot_be_published(published, revenue_admin):
    service, _first = published
    draft = services.create_draft_version(actor=revenue_admin, service=service)
    draft.form_schema = {"type": "object", "properties": {"a": {"x-field": "nonsense"}}}
    services.save_draft_version(actor=revenue_admin, version=draft)

    with pytest.raises(InvalidInput, match="form"):
        services.publish_version(
            actor=revenue_admin, version=draft, effective_from=timezone.now() + timedelta(hours=1)
        )
