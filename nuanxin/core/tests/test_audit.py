"""The audit trail is append-only: neither the ORM nor raw SQL can change or remove a row."""

import pytest
from django.db import DatabaseError, connection, transaction

from nuanxin.core import audit, context
from nuanxin.core.models import AppendOnlyError, AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture
def row(personas):
    return audit.record(personas.yi, "worker.create", object_type="registry.worker", object_id=5,
                        object_repr="张三", organisation=personas.shinan, detail={"a": 1})


def test_record_fills_every_column(personas):
    token = context.set_current(context.RequestContext(ip="192.0.2.7", channel="api"))
    try:
        row = audit.record(personas.yi, "org.update", obj=personas.shinan_hospital, organisation=personas.shinan,
                           detail={"name": ["旧", "新"]})
    finally:
        context.reset(token)
    row.refresh_from_db()
    assert (row.actor, row.actor_name, row.action, row.object_type, row.object_id, row.object_repr) == (
        personas.yi, "yi", "org.update", "orgs.organisation", str(personas.shinan_hospital.pk), "市南区人民医院工会"
    )
    assert (row.organisation, row.outcome, row.ip, row.channel, row.detail) == (
        personas.shinan, "success", "192.0.2.7", "api", {"name": ["旧", "新"]}
    )


def test_system_rows_name_the_channel(db):
    assert audit.record(None, "x.y").actor_name == "system:cli"


def test_the_orm_refuses_to_change_rows(row):
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=row.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):
        row.delete()
    row.action = "x"
    with pytest.raises(AppendOnlyError):
        row.save()
    assert AuditLog.objects.get(pk=row.pk).action == "worker.create"


def test_the_database_refuses_an_update(row):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE core_auditlog SET action = %s WHERE id = %s", ["x", row.pk])
    assert AuditLog.objects.get(pk=row.pk).action == "worker.create"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps DELETE for the test runner's flush")
def test_the_database_refuses_a_delete(row):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM core_auditlog WHERE id = %s", [row.pk])
    assert AuditLog.objects.filter(pk=row.pk).count() == 1


def test_rows_keep_their_actor_and_organisation(row, personas):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError) as refused:
        personas.yi.delete()
    assert row in {obj for obj in refused.value.protected_objects if isinstance(obj, AuditLog)}
    assert AuditLog.objects.get(pk=row.pk).actor == personas.yi


def test_the_client_address_behind_one_proxy_is_the_one_the_proxy_saw(settings, rf):
    from nuanxin.core.context import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    settings.NUANXIN_BEHIND_PROXY = False
    assert client_ip(request) == "10.0.0.2"  # without a proxy the header is anyone's to forge
    settings.NUANXIN_BEHIND_PROXY = True
    assert client_ip(request) == "203.0.113.7"  # the last entry, appended by the proxy
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="not an address")) == "10.0.0.2"
    assert client_ip(rf.get("/", REMOTE_ADDR="10.0.0.2")) == "10.0.0.2"
