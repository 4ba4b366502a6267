import pytest
from django.db import DatabaseError, connection, transaction

from emitra.core import audit
from emitra.core.context import request_id_var
from emitra.core.models import AuditEntry


@pytest.mark.django_db
def test_an_audit_row_records_actor_action_object_and_request(make_user):
    user = make_user("state_admin")
    token = request_id_var.set("req-123456")
    try:
        entry = audit.record(
            actor=user, action="test.act", obj=user, before={"a": 1}, after={"a": 2}
        )
    finally:
        request_id_var.reset(token)
    entry.refresh_from_db()
    assert (entry.actor, entry.action, entry.object_type) == (user, "test.act", "accounts.user")
    assert entry.before == {"a": 1} and entry.after == {"a": 2}
    assert entry.request_id == "req-123456"


@pytest.mark.django_db
def test_personal_numbers_are_masked_in_audit_rows():
    entry = audit.record(
        actor=None, action="x", after={"mobile": "9829012345", "aadhaar": "2345 6789 0123"}
    )
    assert entry.after == {"mobile": "XXXXXX2345", "aadhaar": "XXXX-XXXX-0123"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sql",
    ["UPDATE core_auditentry SET action = 'forged'", "DELETE FROM core_auditentry"],
)
def test_the_database_refuses_to_change_audit_rows_even_bypassing_the_app(sql):
    audit.record(actor=None, action="kept")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    assert AuditEntry.objects.get().action == "kept"


@pytest.mark.django_db
def test_the_orm_cannot_delete_audit_rows_either():
    entry = audit.record(actor=None, action="kept")
    with pytest.raises(DatabaseError), transaction.atomic():
        entry.delete()
    assert AuditEntry.objects.filter(action="kept").exists()
