"""The periodic escalation: overdue callbacks and crisis cases whose first contact is overdue go
to the hotline's supervisors (in the app and by text message), once per due time, after the
escalation delay; a retried callback has a new due time."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import Callback, CallbackNote, CrisisCase
from nuanxin.hotline.services import cases as services
from nuanxin.hotline.services import escalation
from nuanxin.notify.models import Delivery, Notification

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 4, 10, 0, tzinfo=SH)


@pytest.fixture(autouse=True)
def _english(english, h):
    h.supervisor.mobile = "13800001111"
    h.supervisor.save(update_fields=["mobile"])


def queued(h, due_at, hotline=None) -> Callback:
    return services.open_callback(actor=SYSTEM, hotline=hotline or h.city, number="13800001234", due_at=due_at,
                                  severity="severe")


def test_an_overdue_callback_is_escalated_once_per_due_time(h):
    callback = queued(h, NOW)
    other = queued(h, NOW + timedelta(hours=5))
    queued(h, NOW - timedelta(hours=2), hotline=h.other)  # 市北's: no supervisor, escalated all the same
    # within the delay (30 minutes by default): nothing yet
    assert escalation.escalate_overdue(now=NOW + timedelta(minutes=29)) == {"callbacks": 1, "crises": 0}
    assert escalation.escalate_overdue(now=NOW + timedelta(minutes=30)) == {"callbacks": 1, "crises": 0}
    assert escalation.escalate_overdue(now=NOW + timedelta(hours=2)) == {"callbacks": 0, "crises": 0}
    callback.refresh_from_db()
    assert (callback.escalation_level, callback.escalated_at) == (1, NOW + timedelta(minutes=30))
    other.refresh_from_db()
    assert other.escalation_level == 0
    note = Notification.objects.get(recipient=h.supervisor, kind="hotline.callback_overdue")
    assert note.texts["en"] == [
        "Overdue callback at 青岛市总工会心理健康服务基地",
        "Due 2020-02-04 10:00. Open it to see who has it and what was tried.",
    ]
    assert note.url == services.link("hotline:callback_detail", callback.pk)
    sms = Delivery.objects.get(recipient=h.supervisor, channel="sms", template="hotline_callback_overdue")
    assert sms.params == {"hotline": "青岛市总工会心理健康服务基地", "url": note.url}
    assert "13800001234" not in sms.body
    row = AuditLog.objects.get(action="hotline.callback.escalate", object_id=str(callback.pk))
    assert row.actor_id is None
    assert row.detail == {"due": "2020-02-04T10:00:00+08:00", "supervisors": [h.supervisor.pk], "level": 1}
    entry = CallbackNote.objects.get(callback=callback, kind="escalation")
    assert entry.text == "Overdue since 2020-02-04 10:00: escalated to the hotline's supervisors."


def test_a_retried_callback_is_escalated_again_for_its_new_time(h):
    callback = queued(h, NOW)
    assert escalation.escalate_overdue(now=NOW + timedelta(hours=1)) == {"callbacks": 1, "crises": 0}
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        services.record_attempt(actor=h.counsellor, callback=callback, result="no_answer",
                                retry_at=NOW + timedelta(hours=4))
    assert escalation.escalate_overdue(now=NOW + timedelta(hours=4)) == {"callbacks": 0, "crises": 0}
    assert escalation.escalate_overdue(now=NOW + timedelta(hours=5)) == {"callbacks": 1, "crises": 0}
    assert escalation.escalate_overdue(now=NOW + timedelta(hours=6)) == {"callbacks": 0, "crises": 0}
    callback.refresh_from_db()
    assert callback.escalation_level == 2
    dues = sorted(AuditLog.objects.filter(action="hotline.callback.escalate").values_list("detail__due", flat=True))
    assert dues == ["2020-02-04T10:00:00+08:00", "2020-02-04T14:00:00+08:00"]
    assert Notification.objects.filter(kind="hotline.callback_overdue").count() == 2


def test_finished_callbacks_are_not_escalated(h, settings):
    settings.NUANXIN_HOTLINE_ESCALATION_DELAY_MINUTES = 0
    done = queued(h, NOW)
    with time_machine.travel(NOW - timedelta(minutes=10), tick=False):
        services.record_attempt(actor=h.counsellor, callback=done, result="reached", note="好")
    assert escalation.escalate_overdue(now=NOW) == {"callbacks": 0, "crises": 0}
    assert not Notification.objects.filter(kind="hotline.callback_overdue").exists()


def test_a_crisis_case_without_contact_in_time_is_escalated(h):
    with time_machine.travel(NOW, tick=False):
        late = services.open_crisis(actor=SYSTEM, hotline=h.city, risk="high", reason="PHQ-9")
        reached = services.open_crisis(actor=SYSTEM, hotline=h.city, risk="high", reason="PHQ-9 again")
        handed = services.open_crisis(actor=SYSTEM, hotline=h.city, risk="imminent", reason="PHQ-9 third")
        services.hand_over(actor=h.counsellor, case=handed, to="110", at=NOW, person="110 指挥中心")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        services.record_contact(actor=h.counsellor, case=reached)
    # due at 12:00, escalated from 12:30
    assert escalation.escalate_overdue(now=NOW + timedelta(hours=2, minutes=29)) == {"callbacks": 0, "crises": 0}
    assert escalation.escalate_overdue(now=NOW + timedelta(hours=2, minutes=30)) == {"callbacks": 0, "crises": 1}
    assert escalation.escalate_overdue(now=NOW + timedelta(hours=9)) == {"callbacks": 0, "crises": 0}
    late.refresh_from_db()
    assert late.escalation_level == 1
    note = Notification.objects.get(kind="hotline.crisis_overdue")
    assert note.recipient_id == h.supervisor.pk
    assert note.texts["en"][0] == "Crisis case at 青岛市总工会心理健康服务基地: no contact in time"
    sms = Delivery.objects.get(channel="sms", template="hotline_crisis_overdue")
    assert sms.body == (
        "Nuanxin: a crisis case at 青岛市总工会心理健康服务基地 has had no contact in time. Please sign in: "
        + services.link("hotline:crisis_detail", late.pk)
    )
    assert AuditLog.objects.get(action="hotline.crisis.escalate").object_id == str(late.pk)
    assert CrisisCase.objects.filter(escalation_level=0).count() == 2  # the one reached, the one handed over


def test_the_periodic_job_runs_the_escalation(h):
    from nuanxin.core.periodic import Every
    from nuanxin.hotline.periodic import cases as periodic

    assert {job.name: job.schedule for job in periodic.JOBS} == {"hotline.escalate_overdue": Every(5)}
    queued(h, NOW)
    job = periodic.JOBS[0]
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        assert job.task.call() == {"callbacks": 1, "crises": 0}
        assert job.task.call() == {"callbacks": 0, "crises": 0}
    assert AuditLog.objects.filter(action="hotline.callback.escalate").count() == 1
