"""The hotline demo's crisis cases and callbacks: a crisis case handed over to the mental-health
centre, callbacks done, due and overdue on both hotlines, the overdue ones escalated; a second
run makes nothing; without the demo hotlines a note and nothing made."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nuanxin.core.models import AuditLog
from nuanxin.hotline.demo import cases as demo
from nuanxin.hotline.demo import hotlines as hotlines_demo
from nuanxin.hotline.models import Callback, CrisisCase
from nuanxin.hotline.selectors import cases as selectors
from nuanxin.notify.models import Notification
from nuanxin.orgs import demo as orgs_demo

# The demo's lines and audit names are compared in English (the default language is Chinese).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_the_demo_crisis_case_and_callbacks():
    lines: list[str] = []
    with time_machine.travel(NOW, tick=False):
        orgs_demo.build(out=lambda line: None)
        hotlines_demo.build(out=lambda line: None)
        demo.build(out=lines.append)
        city = hotlines_demo.hotline(hotlines_demo.CITY)
        laixi = hotlines_demo.hotline(hotlines_demo.LAIXI)
        crisis = CrisisCase.objects.get(hotline=city)
        assert (crisis.status, crisis.risk, crisis.handover_to) == ("handed_over", "imminent", "mh_centre")
        assert crisis.handover_person == "青岛市精神卫生中心 王医生（值班）"
        assert crisis.handover_at == NOW
        assert crisis.assessed_at == NOW and (crisis.ideation, crisis.plan, crisis.means) == (True, True, True)
        assert crisis.first_contact_at == NOW
        assert crisis.owner.username == "demo-counsellor"
        assert crisis.reason == "call_imminent"
        assert crisis.notes.filter(kind="note").count() == 1
        by_status = {
            name: sorted(Callback.objects.filter(hotline=hotline).values_list("status", flat=True))
            for name, hotline in (("city", city), ("laixi", laixi))
        }
        assert by_status == {
            "city": ["claimed", "closed", "closed", "done", "done", "done", "due", "due", "due"],
            "laixi": ["done", "due", "due"],
        }
        supervisor = city.members.get(kind="supervisor").user
        queue = list(selectors.callbacks(supervisor, hotline=city))
        assert [c.late for c in queue] == [1, 1, 0, 0]
        assert queue[3].preferred_counsellor.username == "demo-counsellor"
        # the two overdue city callbacks and the 莱西 one were escalated to their supervisors
        assert AuditLog.objects.filter(action="hotline.callback.escalate").count() == 3
        assert Notification.objects.filter(kind="hotline.callback_overdue", recipient=supervisor).count() == 2
        assert Notification.objects.filter(kind="hotline.crisis_opened", recipient=supervisor).count() == 1
        assert lines == ["Hotline crisis cases and callbacks: 13 made; 3 overdue escalated to the supervisors."]
    # a second run makes nothing
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        again: list[str] = []
        demo.build(out=again.append)
    assert again == []
    assert Callback.objects.count() == 12 and CrisisCase.objects.count() == 1


def test_without_the_demo_hotlines_a_note_and_nothing_made():
    lines: list[str] = []
    demo.build(out=lines.append)
    assert lines == [
        "Hotline demo: 青岛市总工会心理健康服务基地 is missing, so no crisis case or callback was made for it.",
        "Hotline demo: 莱西市职工心理服务中心 is missing, so no crisis case or callback was made for it.",
    ]
    assert Callback.objects.count() == 0 and CrisisCase.objects.count() == 0
