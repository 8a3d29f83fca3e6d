"""The case services for a case of no registered worker (``CaseBase``): a hotline's callback is
opened in its organisation (``organisation=``), moved, noted, handed over and escalated like a
difficulty, with the same notes and audit rows; a case of a worker keeps its worker's unit."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nuanxin.care.models import Difficulty
from nuanxin.cases import services as cases
from nuanxin.cases.lifecycle import NoteKind, Urgency
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import Callback, CallbackNote
from nuanxin.hotline.tests.conftest import make_hotlines

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = datetime(2020, 2, 3, 12, 0, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _english(english):
    """Messages compared in English (the Chinese catalogue has the life cycle's refusals)."""


@pytest.fixture
def h(personas):
    return make_hotlines(personas)


def _open(h, actor, **kw) -> Callback:
    return cases.open(
        Callback,
        actor=actor,
        organisation=h.city.organisation,
        fields={"hotline": h.city, "due_at": NOON, "severity": "moderate", "number": "+8613800001234"},
        urgency=Urgency.NORMAL,
        **kw,
    )


def test_a_case_without_a_worker_opens_in_the_organisation_named(h):
    with time_machine.travel(NOON, tick=False):
        callback = _open(h, h.counsellor, owner=None, default_owner=None)
    callback.refresh_from_db()
    assert callback.organisation_id == h.medical.pk
    assert callback.hotline_id == h.city.pk
    assert (callback.status, callback.urgency, callback.owner_id) == ("due", "normal", h.counsellor.pk)
    assert callback.due_on == date(2020, 2, 6)  # the life cycle's three days for "normal"
    assert callback.created_by_id == h.counsellor.pk
    notes = list(CallbackNote.objects.filter(callback=callback).values_list("kind", "author_id", "to_status"))
    assert notes == [(NoteKind.OPENED, h.counsellor.pk, "due")]
    row = AuditLog.objects.get(action="hotline.callback.open", object_id=str(callback.pk))
    assert (row.actor_id, row.organisation_id, row.detail) == (h.counsellor.pk, h.medical.pk, {})


def test_the_system_opens_one_in_the_queue_with_no_owner(h):
    callback = cases.open(
        Callback,
        actor=SYSTEM,
        organisation=h.city.organisation,
        fields={"hotline": h.city, "due_at": NOON},
        urgency=Urgency.URGENT,
        detail={"severity": "crisis"},
    )
    assert callback.owner_id is None and callback.created_by_id is None
    row = AuditLog.objects.get(action="hotline.callback.open", object_id=str(callback.pk))
    assert (row.actor_id, row.detail) == (None, {"severity": "crisis"})


def test_the_policy_reads_the_unsaved_case_placed_by_its_fields(h):
    # a counsellor of another hotline, an administrator and a viewer may not open one here
    for outsider in (h.stranger, h.coordinator):
        with pytest.raises(NotAllowed) as refused:
            _open(h, outsider)
        assert str(refused.value) == "Only a counsellor of the hotline opens a callback."
    assert Callback.objects.count() == 0
    assert cases.may_open(h.counsellor, Callback, organisation=h.city.organisation, hotline=h.city) is True
    assert cases.may_open(h.supervisor, Callback, organisation=h.city.organisation, hotline=h.city) is True
    assert cases.may_open(h.stranger, Callback, organisation=h.city.organisation, hotline=h.city) is False
    assert cases.may_open(h.stranger, Callback, organisation=h.other.organisation, hotline=h.other) is True


def test_placing_a_case_wrongly_is_the_callers_mistake(h, personas):
    fields = {"hotline": h.city, "due_at": NOON}
    with pytest.raises(ValueError, match="needs its organisation"):
        cases.open(Callback, actor=SYSTEM, fields=fields, urgency=Urgency.NORMAL)
    with pytest.raises(ValueError, match="concerns no worker"):
        cases.open(Callback, actor=SYSTEM, worker=object(), fields=fields, urgency=Urgency.NORMAL)
    with pytest.raises(ValueError, match="not in fields"):
        cases.open(
            Callback,
            actor=SYSTEM,
            organisation=h.medical,
            fields={**fields, "organisation": h.medical},
            urgency=Urgency.NORMAL,
        )
    with pytest.raises(ValueError, match="opened for a worker"):
        cases.open(
            Difficulty, actor=SYSTEM, organisation=personas.shinan, fields={"description": "x"}, urgency="normal"
        )
    with pytest.raises(ServiceError) as bad:
        cases.open(Callback, actor=SYSTEM, organisation=h.medical, fields=fields, urgency="someday")
    assert bad.value.field == "urgency"
    assert Callback.objects.count() == 0


def test_moving_noting_and_handing_over_a_case_without_a_worker(h):
    with time_machine.travel(NOON, tick=False):
        callback = _open(h, SYSTEM)
        claimed = cases.transition(callback, actor=h.counsellor, to="claimed")
        assert claimed.status == "claimed"
        entry = cases.note(claimed, actor=h.counsellor, text="约好晚上再打")
        assert entry.text == "约好晚上再打"
        # only a supervisor hands it over to a colleague
        with pytest.raises(NotAllowed) as refused:
            cases.update(claimed, actor=h.counsellor, owner=h.colleague)
        assert str(refused.value) == "Only a supervisor of the hotline hands a callback over."
        handed = cases.update(claimed, actor=h.supervisor, owner=h.colleague)
        assert handed.owner_id == h.colleague.pk
        # someone who does not serve the hotline cannot own it
        with pytest.raises(ServiceError) as bad:
            cases.update(handed, actor=h.supervisor, owner=h.stranger)
        assert str(bad.value) == "hotline-stranger does not serve this hotline."
        done = cases.transition(handed, actor=h.colleague, to="done")
        # and the stranger cannot touch it at all
        with pytest.raises(NotAllowed):
            cases.note(done, actor=h.stranger, text="看看")
    done.refresh_from_db()
    assert (done.status, done.closed_at) == ("done", NOON)
    kinds = list(CallbackNote.objects.filter(callback=done).order_by("id").values_list("kind", "to_status"))
    assert kinds == [("opened", "due"), ("status", "claimed"), ("note", ""), ("owner", ""), ("status", "done")]
    actions = list(
        AuditLog.objects.filter(object_id=str(done.pk), action__startswith="hotline.callback.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "hotline.callback.open",
        "hotline.callback.transition",
        "hotline.callback.note",
        "hotline.callback.update",
        "hotline.callback.transition",
    ]
    assert cases.allowed_targets(h.counsellor, done) == []
    assert cases.allowed_targets(h.stranger, done) == []


def test_owner_candidates_of_a_case_without_a_worker(h):
    holders = set(cases.owner_candidates(Callback, h.medical).values_list("username", flat=True))
    # the holders of the record role over the medical union (the relation narrows each to rows)
    assert holders == {"counsellor", "hotline-supervisor", "hotline-colleague"}


def test_escalating_a_case_without_a_worker_starts_from_its_organisation(h, personas):
    with time_machine.travel(NOON, tick=False):
        callback = _open(h, h.counsellor)
    assert cases.unit_of(callback) == h.medical
    assert cases.escalation_level(callback, date(2020, 2, 6)) == 0
    assert cases.escalation_level(callback, date(2020, 2, 7)) == 1
    # the medical union sits under the city: one level up at most
    assert cases.escalation_level(callback, date(2020, 3, 30)) == 1
    told: list = []

    def notify(case, level, org, users):
        told.append((case.pk, level, org.code, sorted(u.username for u in users)))

    assert cases.escalate_overdue(Callback, actor=SYSTEM, notify=notify, today=date(2020, 2, 7)) == 1
    assert cases.escalate_overdue(Callback, actor=SYSTEM, notify=notify, today=date(2020, 2, 8)) == 0
    # no supervisor holds the role over the city itself, so nobody is named there
    assert told == [(callback.pk, 1, "CITY", [])]
    callback.refresh_from_db()
    assert callback.escalation_level == 1
    row = AuditLog.objects.get(action="hotline.callback.escalate", object_id=str(callback.pk))
    assert row.detail == {"level": 1, "to": "CITY", "admins": []}


def test_open_many_without_a_worker(h):
    with time_machine.travel(NOON, tick=False):
        opened = cases.open_many(
            Callback,
            actor=SYSTEM,
            items=[
                cases.NewCase(
                    key=n,
                    worker_id=None,
                    organisation_id=h.medical.pk,
                    fields={"hotline": h.city, "due_at": NOON + timedelta(hours=n)},
                    urgency=Urgency.NORMAL,
                )
                for n in range(3)
            ],
        )
    assert sorted(opened) == [0, 1, 2]
    assert Callback.objects.filter(organisation=h.medical, status="due", owner=None).count() == 3
    assert CallbackNote.objects.filter(kind="opened").count() == 3
    assert AuditLog.objects.filter(action="hotline.callback.open").count() == 3
    with pytest.raises(ValueError, match="has no worker"):
        cases.open_many(
            Callback,
            actor=SYSTEM,
            items=[cases.NewCase(key=9, worker_id=1, organisation_id=h.medical.pk, fields={}, urgency="normal")],
        )
