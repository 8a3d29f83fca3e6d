"""The personas' snapshot (tests/snapshot.py) puts back exactly the rows the services make."""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.core import mail
from django.db import connection, transaction
from django.utils import timezone

import conftest
from nuanxin.core import audit
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.orgs import services as org_services
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Organisation
from tests.snapshot import SnapshotRefused, capture

pytestmark = pytest.mark.django_db

AT = dt.datetime(2020, 2, 3, 9, 30, 15, 123456, tzinfo=dt.UTC)


def _rows(snapshot):
    """Every row of every table the snapshot writes, as the database holds them now."""
    found = {}
    for table in snapshot.tables:
        names = [f.attname for f in table.fields]
        rows = [list(row) for row in table.model._base_manager.values_list(*names)]
        if "password" in names:  # salted: the same password hashes differently each time
            at = names.index("password")
            for row in rows:
                row[at] = check_password(conftest.PASSWORD, row[at])
        found[table.model._meta.db_table] = sorted(rows, key=repr)
    return found


def _same_ids_next(snapshot):
    """The sequences moved past the snapshot's ids (a flush does not reset them): put each back
    just before them, so that the services hand out the same ids as when the snapshot was taken."""
    with connection.cursor() as cursor:
        for table in snapshot.tables:
            model = table.model
            if model._meta.pk.get_internal_type() not in ("AutoField", "BigAutoField"):
                continue
            first = min(row[[f.attname for f in table.fields].index(model._meta.pk.attname)] for row in table.rows)
            if connection.vendor == "postgresql":
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence(%s, %s), %s, %s)",
                    [model._meta.db_table, model._meta.pk.column, max(first - 1, 1), first > 1],
                )
            else:
                cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [first - 1, model._meta.db_table])


def test_restored_personas_are_the_rows_and_objects_the_services_make(_personas_snapshot):
    snapshot = conftest._SNAPSHOTS["personas"]
    with time_machine.travel(AT, tick=False):
        sid = transaction.savepoint()
        restored = snapshot.restore()
        assert restored.yi.organisation.name == "市南区总工会"
        restored_rows = _rows(snapshot)
        transaction.savepoint_rollback(sid)

        sid = transaction.savepoint()
        _same_ids_next(snapshot)
        built = conftest.build_personas_through_services()
        built_rows = _rows(snapshot)
        transaction.savepoint_rollback(sid)

    assert restored_rows == built_rows
    assert sum(len(rows) for rows in restored_rows.values()) == 73
    for name in ("city", "shinan", "shibei_hospital", "med_group", "jia", "care", "viewer"):
        mine, theirs = getattr(restored, name), getattr(built, name)
        assert (type(mine), mine.pk) == (type(theirs), theirs.pk)
    assert restored.jia.date_joined == AT


def test_a_table_not_as_the_snapshot_found_it_builds_through_the_services(_personas_snapshot):
    snapshot = conftest._SNAPSHOTS["personas"]
    audit.record(SYSTEM, "test.before_personas")  # one more audit row than the snapshot found
    assert snapshot.usable() is False
    personas = conftest.build_personas()
    assert AuditLog.objects.filter(action="test.before_personas").count() == 1
    assert Organisation.objects.count() == 6
    assert personas.shinan.path.startswith(personas.city.path) and personas.shinan.depth == 2
    assert personas.jia.grants.get().organisation == personas.city


def test_restored_in_another_time_are_made_then(_personas_snapshot):
    with time_machine.travel(AT, tick=False):
        again = conftest.build_personas()
        assert again.care.date_joined == AT
        assert again.care.grants.get().created_at == AT
        assert timezone.localdate(again.care.date_joined) == dt.date(2020, 2, 3)
    assert Organisation.objects.count() == 6


def test_a_builder_that_changes_what_was_there_or_sends_mail_is_refused():
    city = org_services.create_organisation(
        actor=SYSTEM, code="CITY", name="青岛市总工会", kind=OrgKind.CITY_FEDERATION, parent=None
    )

    def renames():
        Organisation.objects.filter(pk=city.pk).update(name="改了")

    def mails():
        mail.send_mail("s", "b", "a@example.org", ["b@example.org"])

    with pytest.raises(SnapshotRefused, match="orgs_organisation: existing rows changed or deleted"):
        capture(renames)
    with pytest.raises(SnapshotRefused, match="sent e-mail"):
        capture(mails)
    assert Organisation.objects.get(pk=city.pk).name == "青岛市总工会"



def _award_type_rows() -> list[tuple]:
    """The honours' award types as the migrations left them (conftest read them once)."""
    table = next(t for t in conftest._SEEDS if t.model._meta.db_table == "honours_awardtype")
    return sorted(tuple(row) for row in table.rows)


def _award_types_now() -> list[tuple]:
    from nuanxin.honours.models import AwardType

    names = [f.attname for f in AwardType._meta.local_concrete_fields]
    return list(AwardType.objects.order_by("pk").values_list(*names))


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_may_empty_what_the_migrations_seeded():
    from nuanxin.honours.models import AwardType

    assert _award_types_now() == _award_type_rows() and len(_award_type_rows()) == 4
    AwardType.objects.all().delete()  # the teardown's flush empties every table anyway


@pytest.mark.django_db(transaction=True)
def test_the_next_test_finds_the_migrations_rows_put_back_with_their_ids():
    # (the previous test runs first: pytest-xdist hands out whole files, in order)
    assert _award_types_now() == _award_type_rows()
