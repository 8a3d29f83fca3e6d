"""Retention: records older than NUANXIN_HOTLINE_RETENTION_DAYS lose their identifying fields and
keep the coded ones; open cases are left alone; idempotent, batched, audited; the job and the
command."""

from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline import jobs_retention
from nuanxin.hotline.choices import AttemptResult, CallbackStatus, CrisisStatus, HandoverTo
from nuanxin.hotline.models import (
    Assessment,
    Call,
    Callback,
    CallbackAttempt,
    CallbackNote,
    CrisisCase,
    CrisisNote,
    Referral,
)
from nuanxin.hotline.periodic import JOBS
from nuanxin.hotline.selectors import stats
from nuanxin.hotline.services import retention
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
THEN = datetime(2020, 2, 3, 10, 0, tzinfo=SH)
SECRET = "只在记录里出现的细节"


def old_and_new(h, personas):
    """One record of every kind made at THEN, and a call and an assessment a year later."""
    worker = registry_services.create_worker(
        actor=SYSTEM, organisation=personas.shinan_hospital, name="保密一", team=TeamType.HUBEI_AID
    )
    with time_machine.travel(THEN, tick=False):
        call = Call.objects.create(
            hotline=h.city,
            line=h.line,
            counsellor=h.counsellor,
            started_at=THEN,
            ended_at=THEN + timedelta(minutes=40),
            worker=worker,
            topics=["sleep"],
            topic_note=SECRET,
            technique=SECRET,
            risk="high",
            callback_consent=True,
            callback_number="+8613800001234",
            caller_key="k" * 64,
            notes=SECRET,
        )
        assessment = Assessment.objects.create(
            hotline=h.city,
            scale="GAD-7",
            answers=[3, 3, 2, 2, 1, 1, 0],
            score=12,
            band="moderate",
            flagged=True,
            source="public",
            callback_consent=True,
            mobile="+8613800001234",
            caller_key="k" * 64,
        )
        closed_crisis = CrisisCase.objects.create(
            organisation=h.medical,
            hotline=h.city,
            call=call,
            status=CrisisStatus.CLOSED,
            risk="imminent",
            reason=SECRET,
            contact_number="+8613800001234",
            protective_factors=SECRET,
            assessment_note=SECRET,
            handover_to=HandoverTo.AMBULANCE,
            handover_person=SECRET,
            handover_note=SECRET,
            first_contact_at=THEN + timedelta(hours=1),
            closed_at=THEN + timedelta(days=2),
        )
        CrisisNote.objects.create(crisis=closed_crisis, text=SECRET)
        open_crisis = CrisisCase.objects.create(
            organisation=h.medical,
            hotline=h.city,
            status=CrisisStatus.FOLLOW_UP,
            contact_number="+8613800001234",
            protective_factors=SECRET,
        )
        done = Callback.objects.create(
            organisation=h.medical,
            hotline=h.city,
            status=CallbackStatus.DONE,
            number="+8613800001234",
            caller_key="k" * 64,
            due_at=THEN + timedelta(hours=4),
            first_contact_at=THEN + timedelta(hours=2),
            outcome=SECRET,
            closed_at=THEN + timedelta(hours=2),
        )
        CallbackNote.objects.create(callback=done, text=SECRET)
        CallbackAttempt.objects.create(callback=done, result=AttemptResult.REACHED, note=SECRET)
        referral = Referral.objects.create(
            hotline=h.city, call=call, target="mh_centre", note=SECRET, shared_summary=SECRET
        )
    with time_machine.travel(THEN + timedelta(days=365), tick=False):
        recent = Call.objects.create(
            hotline=h.city, started_at=THEN + timedelta(days=365), callback_number="+8613800005678", notes=SECRET
        )
    return call, assessment, closed_crisis, open_crisis, done, referral, recent


def test_old_records_lose_their_identifying_fields_and_keep_the_figures(personas, h):
    call, assessment, closed_crisis, open_crisis, done, referral, recent = old_and_new(h, personas)
    period = stats.Period(THEN.date(), THEN.date())
    before = stats.figures(personas.jia, h.medical, period, now=THEN + timedelta(days=3))
    # One day short of three years: nothing yet.
    with time_machine.travel(THEN + timedelta(days=3 * 365 - 1), tick=False):
        assert retention.anonymise_old_records(actor=SYSTEM)["calls"] == 0
    # Three years after the call but not after the crisis case was closed: the call only.
    with time_machine.travel(THEN + timedelta(days=3 * 365, hours=1), tick=False):
        assert retention.pending() == {"calls": 1, "assessments": 1, "crisis_cases": 0, "callbacks": 0, "referrals": 1}
    # Three years after the call, and after the crisis case and the callback were closed.
    with time_machine.travel(THEN + timedelta(days=3 * 365 + 3), tick=False):
        assert retention.pending() == {"calls": 1, "assessments": 1, "crisis_cases": 1, "callbacks": 1, "referrals": 1}
        counts = retention.anonymise_old_records(actor=SYSTEM)
        now = datetime.now(tz=SH)
    assert counts == {
        "calls": 1,
        "assessments": 1,
        "crisis_cases": 1,
        "callbacks": 1,
        "referrals": 1,
        "notes_emptied": 3,
    }
    call.refresh_from_db()
    assert (call.worker, call.family_member, call.callback_number, call.caller_key) == (None, None, "", "")
    assert (call.topic_note, call.technique, call.notes) == ("", "", "")
    assert (call.topics, call.risk, call.callback_consent, call.line, call.counsellor) == (
        ["sleep"],
        "high",
        True,
        h.line,
        h.counsellor,
    )
    assert call.anonymised_at == now
    assert call.version == 2
    assessment.refresh_from_db()
    assert (assessment.mobile, assessment.caller_key) == ("", "")
    assert (assessment.answers, assessment.score, assessment.band, assessment.flagged) == (
        [3, 3, 2, 2, 1, 1, 0],
        12,
        "moderate",
        True,
    )
    closed_crisis.refresh_from_db()
    assert [
        getattr(closed_crisis, f)
        for f in (
            "reason",
            "contact_number",
            "protective_factors",
            "assessment_note",
            "handover_person",
            "handover_note",
        )
    ] == [""] * 6
    assert (closed_crisis.risk, closed_crisis.handover_to, closed_crisis.status) == (
        "imminent",
        HandoverTo.AMBULANCE,
        CrisisStatus.CLOSED,
    )
    assert list(CrisisNote.objects.filter(crisis=closed_crisis).values_list("text", flat=True)) == [""]
    # A crisis case still followed up is never cleared, however old.
    open_crisis.refresh_from_db()
    assert (open_crisis.contact_number, open_crisis.protective_factors, open_crisis.anonymised_at) == (
        "+8613800001234",
        SECRET,
        None,
    )
    done.refresh_from_db()
    assert (done.number, done.caller_key, done.outcome) == ("", "", "")
    assert list(CallbackNote.objects.filter(callback=done).values_list("text", flat=True)) == [""]
    assert list(CallbackAttempt.objects.filter(callback=done).values_list("note", "result")) == [("", "reached")]
    referral.refresh_from_db()
    assert (referral.note, referral.shared_summary, referral.target) == ("", "", "mh_centre")
    recent.refresh_from_db()
    assert (recent.callback_number, recent.notes, recent.anonymised_at) == ("+8613800005678", SECRET, None)
    # The figures are the same after.
    after = stats.figures(personas.jia, h.medical, period, now=THEN + timedelta(days=3))
    assert after == before
    # One audit row, counts only.
    row = AuditLog.objects.filter(action="hotline.retention").order_by("pk").last()
    assert row.actor is None
    assert row.detail == {
        "days": 1095,
        "older_than": (THEN + timedelta(days=3)).astimezone(ZoneInfo("UTC")).isoformat(),
        "calls": 1,
        "assessments": 1,
        "crisis_cases": 1,
        "callbacks": 1,
        "referrals": 1,
        "notes_emptied": 3,
    }
    assert SECRET not in str(row.detail)


def test_a_second_run_changes_nothing(personas, h):
    old_and_new(h, personas)
    with time_machine.travel(THEN + timedelta(days=3 * 365 + 3), tick=False):
        retention.anonymise_old_records(actor=SYSTEM)
    with time_machine.travel(THEN + timedelta(days=3 * 365 + 4), tick=False):
        counts = retention.anonymise_old_records(actor=SYSTEM)
    assert counts == {
        "calls": 0,
        "assessments": 0,
        "crisis_cases": 0,
        "callbacks": 0,
        "referrals": 0,
        "notes_emptied": 0,
    }
    assert AuditLog.objects.filter(action="hotline.retention").count() == 2


def test_batches(personas, h):
    with time_machine.travel(THEN, tick=False):
        Call.objects.bulk_create([Call(hotline=h.city, started_at=THEN, notes=f"{SECRET}{i}") for i in range(7)])
    with time_machine.travel(THEN + timedelta(days=3 * 365 + 1), tick=False):
        counts = retention.anonymise_old_records(actor=SYSTEM, batch=3)
    assert counts["calls"] == 7
    assert Call.objects.filter(anonymised_at__isnull=True).count() == 0
    assert Call.objects.exclude(notes="").count() == 0


def test_the_setting_lengthens_the_period_only(personas, h, settings):
    old_and_new(h, personas)
    settings.NUANXIN_HOTLINE_RETENTION_DAYS = 5 * 365
    assert retention.retention_days() == 1825
    with time_machine.travel(THEN + timedelta(days=4 * 365), tick=False):
        assert retention.anonymise_old_records(actor=SYSTEM)["calls"] == 0
    settings.NUANXIN_HOTLINE_RETENTION_DAYS = 30  # shorter than the national rule: three years still
    assert retention.retention_days() == 1095


def test_the_job_and_the_command(personas, h):
    old_and_new(h, personas)
    assert [job.name for job in JOBS if job.name == "hotline.retention"] == ["hotline.retention"]
    with time_machine.travel(THEN + timedelta(days=3 * 365 + 1), tick=False):
        out = StringIO()
        call_command("hotline_retention", "--dry-run", stdout=out)
        assert "calls: 1" in out.getvalue()
        assert Call.objects.filter(anonymised_at__isnull=False).count() == 0
        result = jobs_retention.anonymise_old_records.call()
    assert result["calls"] == 1
    out = StringIO()
    with time_machine.travel(THEN + timedelta(days=3 * 365 + 2), tick=False):
        call_command("hotline_retention", stdout=out)
    assert "calls: 0" in out.getvalue()


def test_a_closed_case_without_a_closing_time_ages_from_its_opening(personas, h):
    with time_machine.travel(THEN, tick=False):
        case = Callback.objects.create(
            organisation=h.medical, hotline=h.city, status=CallbackStatus.CLOSED, number="+8613800001234",
            due_at=THEN, outcome=SECRET,
        )
        active = Callback.objects.create(
            organisation=h.medical, hotline=h.city, status=CallbackStatus.RETRY, number="+8613800001235",
            due_at=THEN,
        )
    with time_machine.travel(THEN + timedelta(days=3 * 365 + 1), tick=False):
        assert retention.anonymise_old_records(actor=SYSTEM)["callbacks"] == 1
    case.refresh_from_db()
    active.refresh_from_db()
    assert (case.number, case.outcome) == ("", "")
    assert (active.number, active.anonymised_at) == ("+8613800001235", None)
