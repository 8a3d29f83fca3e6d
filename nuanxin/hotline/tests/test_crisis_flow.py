"""A crisis case from opening to closing: the structured risk assessment, the first contact (a
figure), the recorded hand-over an imminent case needs before follow-up, notes, closing by a
supervisor, and who may do what."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import CrisisCase, CrisisNote
from nuanxin.hotline.services import cases as services

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 3, 21, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _english(english):
    """Messages compared in English."""


def opened(h, risk: str = "imminent", actor=SYSTEM) -> CrisisCase:
    with time_machine.travel(NOW, tick=False):
        return services.open_crisis(actor=actor, hotline=h.city, risk=risk, reason="PHQ-9 第9题")


def assessed(h, case: CrisisCase, **kw) -> CrisisCase:
    answers = dict(ideation=True, plan=False, means=None, past_attempts=False, protective_factors="女儿", note="")
    return services.assess_crisis(actor=kw.pop("actor", h.counsellor), case=case, **{**answers, **kw})


def test_the_risk_assessment_is_recorded_with_counts_and_lengths_only_in_the_audit(h):
    case = opened(h, risk="high")
    with time_machine.travel(NOW + timedelta(minutes=20), tick=False):
        case = services.assess_crisis(
            actor=h.counsellor, case=case, ideation=True, plan=True, means=False, past_attempts=None,
            protective_factors="担心孩子没人照顾", note="夜班后独处时想法加重",
        )
    case.refresh_from_db()
    assert (case.ideation, case.plan, case.means, case.past_attempts) == (True, True, False, None)
    assert (case.protective_factors, case.assessment_note) == ("担心孩子没人照顾", "夜班后独处时想法加重")
    assert case.assessed_at == NOW + timedelta(minutes=20)
    assert case.owner_id == h.counsellor.pk  # nobody owned the case the public page opened
    assert case.status == "open"
    row = AuditLog.objects.get(action="hotline.crisis.assess")
    assert row.detail == {"answered": 3, "protective_factors": {"chars": 8}, "note": {"chars": 10}}
    assert list(CrisisNote.objects.filter(crisis=case, kind="edit").values_list("text", flat=True)) == [
        "Risk assessment recorded"
    ]


def test_re_rating_to_imminent_brings_the_first_contact_forward(h):
    case = opened(h, risk="high")
    assert case.due_at == NOW + timedelta(hours=2)
    case = assessed(h, case, risk="imminent")
    case.refresh_from_db()
    assert (case.risk, case.urgency, case.due_at) == ("imminent", "critical", NOW)
    assert AuditLog.objects.get(action="hotline.crisis.assess").detail == {
        "answered": 3, "protective_factors": {"chars": 2}, "note": {"chars": 0}
    }


def test_assessment_refusals(h, personas):
    case = opened(h)
    with pytest.raises(ServiceError) as empty:
        services.assess_crisis(actor=h.counsellor, case=case, ideation=None, plan=None, means=None,
                               past_attempts=None)
    assert str(empty.value) == "Record at least one answer of the assessment."
    with pytest.raises(ServiceError) as bad:
        services.assess_crisis(actor=h.counsellor, case=case, ideation="yes", plan=None, means=None,
                               past_attempts=None)
    assert (str(bad.value), bad.value.field) == ("Answer yes, no or not asked.", "ideation")
    with pytest.raises(ServiceError) as risk:
        assessed(h, case, risk="none")
    assert str(risk.value) == "Choose the risk level."
    for outsider in (h.stranger, h.coordinator, personas.jia, personas.viewer, personas.auditor):
        with pytest.raises(NotAllowed) as refused:
            assessed(h, case, actor=outsider)
        assert str(refused.value) == "Only the hotline's counsellors and supervisors change a crisis case."
    case.refresh_from_db()
    assert case.assessed_at is None and case.ideation is None
    assert not AuditLog.objects.filter(action="hotline.crisis.assess").exists()


def test_the_first_contact_is_kept_and_opens_contact(h):
    case = opened(h, risk="high")
    with time_machine.travel(NOW + timedelta(minutes=45), tick=False):
        case = services.record_contact(actor=h.colleague, case=case, note="已回拨，情绪平稳")
        assert case.status == "contacted"
        # a second contact keeps the first time
        later = services.record_contact(actor=h.counsellor, case=case, at=NOW + timedelta(minutes=40))
    later.refresh_from_db()
    assert later.first_contact_at == NOW + timedelta(minutes=45)
    assert later.owner_id == h.colleague.pk
    rows = list(AuditLog.objects.filter(action="hotline.crisis.contact").order_by("id").values_list("detail",
                                                                                                   flat=True))
    assert rows == [{"note": {"chars": 8}}, {"note": {"chars": 0}}]
    with time_machine.travel(NOW + timedelta(minutes=50), tick=False):
        for at in (NOW - timedelta(hours=1), NOW + timedelta(hours=1)):
            with pytest.raises(ServiceError) as bad:
                services.record_contact(actor=h.counsellor, case=case, at=at)
            assert str(bad.value) == "The contact must be between the opening of the case and now."


def test_an_imminent_case_needs_its_hand_over_before_follow_up(h):
    case = opened(h)
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        case = services.record_contact(actor=h.counsellor, case=case)
        assert services.needs_handover(case) is True
        assert services.crisis_targets(h.counsellor, case) == []  # no follow-up yet, no hand-over by status
        with pytest.raises(ServiceError) as refused:
            services.change_crisis_status(actor=h.counsellor, case=case, to="follow_up")
        assert str(refused.value) == (
            "The risk is imminent: record the hand-over (to the mental-health centre, 120 or 110) first."
        )
        with pytest.raises(ServiceError) as by_status:
            services.change_crisis_status(actor=h.counsellor, case=case, to="handed_over")
        assert str(by_status.value) == "Record the hand-over with its form: to whom, when, to which person."
        case = services.hand_over(
            actor=h.counsellor, case=case, to="mh_centre", at=NOW + timedelta(minutes=3),
            person="市精神卫生中心 王医生", note="已由120送至市精神卫生中心",
        )
    case.refresh_from_db()
    assert (case.status, case.handover_to) == ("handed_over", "mh_centre")
    assert case.handover_person == "市精神卫生中心 王医生"
    assert case.handover_at == NOW + timedelta(minutes=3)
    assert services.needs_handover(case) is False
    row = AuditLog.objects.get(action="hotline.crisis.handover")
    assert row.detail == {"note": {"chars": 14}}  # neither to whom nor the person
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        assert services.crisis_targets(h.counsellor, case) == ["follow_up"]
        case = services.change_crisis_status(actor=h.counsellor, case=case, to="follow_up")
        note = services.add_crisis_note(actor=h.counsellor, case=case, text="次日随访：已住院，家属陪同")
    assert (case.status, note.text) == ("follow_up", "次日随访：已住院，家属陪同")
    # closing: a supervisor, once the risk assessment is recorded
    assert services.crisis_targets(h.supervisor, case) == []
    with pytest.raises(ServiceError) as unassessed:
        services.change_crisis_status(actor=h.supervisor, case=case, to="closed")
    assert str(unassessed.value) == "Record the risk assessment before closing the case."
    case = assessed(h, case)
    assert services.crisis_targets(h.counsellor, case) == []
    assert services.crisis_targets(h.supervisor, case) == ["closed"]
    with pytest.raises(NotAllowed) as not_supervisor:
        services.change_crisis_status(actor=h.counsellor, case=case, to="closed")
    assert str(not_supervisor.value) == "Only a supervisor of the hotline closes a crisis case."
    closed = services.change_crisis_status(actor=h.supervisor, case=case, to="closed", note="稳定，结案")
    assert closed.status == "closed" and closed.closed_at is not None
    # reopening is a supervisor's, with a reason
    with pytest.raises(ServiceError) as no_reason:
        services.change_crisis_status(actor=h.supervisor, case=closed, to="follow_up")
    assert str(no_reason.value) == "Say why the case is reopened."
    with pytest.raises(ServiceError) as finished:
        assessed(h, closed)
    assert str(finished.value) == "The crisis case is closed: reopen it first."
    kinds = list(CrisisNote.objects.filter(crisis=case).order_by("id").values_list("kind", "to_status"))
    assert kinds == [
        ("opened", "open"), ("status", "contacted"), ("status", "handed_over"), ("status", "follow_up"),
        ("note", ""), ("edit", ""), ("status", "closed"),
    ]


def test_hand_over_refusals_change_nothing(h):
    case = opened(h)
    good = dict(actor=h.counsellor, case=case, to="120", at=NOW, person="120 调度员 李")
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        for change, message in (
            ({"to": ""}, "Choose to whom the case was handed over."),
            ({"to": "hospital"}, "Choose to whom the case was handed over."),
            ({"person": "  "}, "Name the person who took the case over."),
            ({"person": "x" * 101}, "This text must be at most 100 characters."),
            ({"at": NOW + timedelta(hours=1)}, "The hand-over time must be within the last seven days."),
            ({"at": NOW - timedelta(days=8)}, "The hand-over time must be within the last seven days."),
            ({"at": datetime(2020, 2, 3, 21, 0)}, "Give a date and time."),
        ):
            with pytest.raises(ServiceError) as refused:
                services.hand_over(**{**good, **change})
            assert str(refused.value) == message, change
        with pytest.raises(NotAllowed):
            services.hand_over(**{**good, "actor": h.stranger})
        handed = services.hand_over(**good)
        assert handed.handover_to == "120"
        with pytest.raises(ServiceError) as twice:
            services.hand_over(**good)
        assert str(twice.value) == "A crisis case that is “Handed over” cannot be handed over."
    assert AuditLog.objects.filter(action="hotline.crisis.handover").count() == 1


def test_a_high_risk_case_follows_up_without_a_hand_over(h):
    case = opened(h, risk="high")
    case = services.record_contact(actor=h.counsellor, case=case)
    assert services.crisis_targets(h.counsellor, case) == ["follow_up"]
    case = services.change_crisis_status(actor=h.counsellor, case=case, to="follow_up")
    assert case.status == "follow_up"
    with pytest.raises(ServiceError) as contacted:
        services.change_crisis_status(actor=h.counsellor, case=case, to="contacted")
    assert str(contacted.value) == "Record the first contact with its form."
