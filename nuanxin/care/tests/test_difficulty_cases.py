"""Difficulties as cases (nuanxin/cases): the bulk opening the importer calls, the migration that
made them cases, and the reopen reason's label on the page."""

from __future__ import annotations

import importlib
import io

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from nuanxin.care import services
from nuanxin.care.choices import DifficultySource
from nuanxin.care.models import Difficulty, DifficultyNote
from nuanxin.care.tests.helpers import W1, at, build_world, worker
from nuanxin.care.tests.pages_fixtures import client_for
from nuanxin.core.errors import ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM


def _shape(d: Difficulty):
    """A difficulty's values, notes and audit row, without ids and times."""
    d = Difficulty.objects.get(pk=d.pk)
    skip = {"id", "worker_id", "created_at", "updated_at"}
    values = {f.attname: getattr(d, f.attname) for f in Difficulty._meta.concrete_fields if f.attname not in skip}
    notes = list(d.notes.values_list("kind", "author_id", "from_status", "to_status", "text"))
    row = AuditLog.objects.get(action="difficulty.open", object_id=str(d.pk))
    detail = {k: v for k, v in row.detail.items() if k != "worker"}
    kind = row.object_repr.split("#")[0]  # "其他 #<pk>"
    return values, notes, (row.actor_id, row.actor_name, row.object_type, kind, row.organisation_id, detail)


def test_open_difficulties_opens_what_open_difficulty_opens(personas):
    w = build_world(personas)
    lone = worker(personas.shinan_hospital, "无人联系")  # no care contact: the actor owns it
    with at(W1):
        one = services.open_difficulty(
            actor=personas.yi, worker=w.a1, description="孩子无人照看", source=DifficultySource.IMPORT
        )
        alone = services.open_difficulty(
            actor=personas.yi, worker=lone, description="孩子无人照看", source=DifficultySource.IMPORT
        )
        items = [
            services.NewDifficulty(key=("row", 7), worker_id=w.a2.pk, organisation_id=w.a2.organisation_id,
                                   description=" 孩子无人照看 "),
            services.NewDifficulty(key=("row", 8), worker_id=lone.pk, organisation_id=lone.organisation_id,
                                   description="孩子无人照看"),
        ]
        with CaptureQueriesContext(connection) as queries:
            opened = services.open_difficulties(actor=personas.yi, items=items)
    assert set(opened) == {("row", 7), ("row", 8)}
    assert opened[("row", 7)].owner_id == personas.care.pk  # the family's care contact
    assert opened[("row", 8)].owner_id == personas.yi.pk
    assert _shape(opened[("row", 7)]) == _shape(one)
    assert _shape(opened[("row", 8)]) == _shape(alone)
    # a handful of queries, not a few per difficulty: owners, the cases, the notes, the units,
    # the audit rows (and the savepoint around them)
    assert len(queries) <= 8, [q["sql"] for q in queries]
    assert AuditLog.objects.filter(action="difficulty.open").count() == 4


def test_open_difficulties_by_the_system_and_its_refusals(personas):
    w = build_world(personas)
    with at(W1):
        opened = services.open_difficulties(
            actor=SYSTEM,
            items=[services.NewDifficulty(key=0, worker_id=w.a1.pk, organisation_id=w.a1.organisation_id,
                                          description="缺口罩", urgency="urgent")],
        )
        d = opened[0]
        assert (d.status, d.created_by, d.due_on.isoformat()) == ("open", None, "2020-01-30")
        assert AuditLog.objects.get(action="difficulty.open", object_id=str(d.pk)).actor_name.startswith("system")
        for bad in ({"category": "nonsense"}, {"urgency": "someday"}, {"description": "缺\u202e口罩"}):
            fields = {"key": 1, "worker_id": w.a1.pk, "organisation_id": w.a1.organisation_id, "description": "x"}
            with pytest.raises(ServiceError):
                services.open_difficulties(actor=SYSTEM, items=[services.NewDifficulty(**{**fields, **bad})])
        with pytest.raises(ValueError):
            services.open_difficulties(actor=SYSTEM, items=[services.NewDifficulty(**fields)] * 2)
        assert services.open_difficulties(actor=SYSTEM, items=[]) == {}
    assert Difficulty.objects.count() == 1 and DifficultyNote.objects.count() == 1


# The migration that made difficulties cases (care 0006), in two parts. (Migrating the test
# database back to 0005 and forwards again proved the same in 26 s of each run: going back
# unapplies every app that depends on care.)


@pytest.mark.django_db(transaction=True)  # SQLite's schema editor refuses to run inside a transaction
def test_the_migration_to_cases_changes_no_table():
    """Its schema step writes no SQL on this database: the rows, their notes and history stay as
    they are, on the same tables."""
    out = io.StringIO()
    call_command("sqlmigrate", "care", "0006_difficulty_is_a_case", stdout=out, no_color=True)
    statements = [line for line in out.getvalue().splitlines() if line.strip() and not line.startswith("--")]
    assert statements == (["BEGIN;", "COMMIT;"] if connection.features.can_rollback_ddl else [])
    assert out.getvalue().count("-- (no-op)") == 1


def test_the_migration_to_cases_aligns_units_and_writes_nothing_else(personas):
    """Its data step sets a difficulty whose unit column fell behind its worker's unit to the
    worker's, in one statement, and changes nothing else."""
    w = build_world(personas)
    with at(W1):
        a = services.open_difficulty(actor=personas.care, worker=w.a1, description="老人独居", category="eldercare")
        services.change_difficulty_status(actor=personas.care, difficulty=a, to="resolved")
        b = services.open_difficulty(actor=personas.bing, worker=w.b1, description="缺口罩", category="supplies")
    Difficulty.objects.filter(pk=b.pk).update(organisation=personas.shinan_hospital)  # stale unit
    fields = [f.attname for f in Difficulty._meta.concrete_fields if f.attname != "organisation_id"]
    before = list(Difficulty.objects.order_by("pk").values_list(*fields))
    notes = list(DifficultyNote.objects.order_by("pk").values_list())
    history = Difficulty.history.count()
    migration = importlib.import_module("nuanxin.care.migrations.0006_difficulty_is_a_case")
    with CaptureQueriesContext(connection) as queries:
        migration.align_units(django_apps, None)
    assert len(queries) == 1  # one UPDATE of the rows that differ
    assert list(Difficulty.objects.order_by("pk").values_list(*fields)) == before
    assert list(DifficultyNote.objects.order_by("pk").values_list()) == notes
    assert Difficulty.history.count() == history
    assert Difficulty.objects.get(pk=b.pk).organisation_id == w.b1.organisation_id
    assert Difficulty.objects.get(pk=a.pk).organisation_id == w.a1.organisation_id


def test_a_reopen_that_needs_a_reason_says_so_on_the_page(personas):
    w = build_world(personas)
    with at(W1):
        d = services.open_difficulty(actor=personas.care, worker=w.a1, description="缺口罩", category="supplies")
    client = client_for(personas.care)
    page = client.get(reverse("care:difficulty_detail", args=[d.pk])).content.decode()
    # open: no change needs a reason, the note is optional
    assert 'id="nx-note-required"' not in page
    services.change_difficulty_status(actor=personas.care, difficulty=d, to="resolved")
    response = client.get(reverse("care:difficulty_detail", args=[d.pk]))
    page = response.content.decode()
    assert response.context["reason_required"] is True
    form = page[page.index('id="nx-transition-form"') : page.index("</form>", page.index('id="nx-transition-form"'))]
    assert 'id="nx-note-required"' in form
    assert "(optional)" not in form and "选填" not in form
