"""The callback and crisis case pages: the queue in its order with its filters, a callback's
page with the claim and the attempt form, the crisis case's assessment and hand-over forms,
every read audited, and nobody else's records reachable."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import Callback, CallbackAttempt, CrisisCase
from nuanxin.hotline.services import cases as services

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")
NOW = datetime(2020, 2, 4, 10, 0, tzinfo=SH)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["nuanxin_language"] = "en"
    return client


def queued(h, due_at, severity="moderate", hotline=None, **kw) -> Callback:
    return services.open_callback(actor=SYSTEM, hotline=hotline or h.city, number="13800001234", due_at=due_at,
                                  severity=severity, **kw)


@pytest.fixture
def queue(h):
    with time_machine.travel(NOW - timedelta(days=1), tick=False):
        later = queued(h, NOW + timedelta(hours=20))
        overdue = queued(h, NOW - timedelta(hours=1))
        crisis_later = queued(h, NOW + timedelta(hours=30), severity="crisis")
        soon = queued(h, NOW + timedelta(hours=2), preferred_counsellor=h.colleague)
        done = queued(h, NOW + timedelta(hours=1))
        services.record_attempt(actor=h.counsellor, callback=done, result="reached", note="好")
        foreign = queued(h, NOW - timedelta(hours=3), hotline=h.other)
    return later, overdue, crisis_later, soon, done, foreign


def ids(response, attr="data-callback") -> list[int]:
    import re

    return [int(x) for x in re.findall(rf'{attr}="(\d+)"', response.content.decode())]


def test_the_queue_overdue_first_then_crisis_then_by_due_time(h, queue):
    later, overdue, crisis_later, soon, done, foreign = queue
    client = client_for(h.counsellor)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("hotline:callback_list"))
        assert response.status_code == 200
        assert ids(response) == [overdue.pk, crisis_later.pk, soon.pk, later.pk]
        html = response.content.decode()
        assert "Asked for hotline-colleague" in html
        assert html.count(">Moderate</span>") == 3 and html.count(">Crisis</span>") == 1
        assert html.count('data-late="1"') == 1
        assert ids(client.get(reverse("hotline:callback_list") + "?overdue=on")) == [overdue.pk]
        assert ids(client.get(reverse("hotline:callback_list") + "?status=done")) == [done.pk]
        assert ids(client.get(reverse("hotline:callback_list") + f"?status=all&hotline={h.city.pk}")) == [
            overdue.pk, crisis_later.pk, done.pk, soon.pk, later.pk,
        ]
        # another hotline named in the query: the same 404 as a missing one
        assert client.get(reverse("hotline:callback_list") + f"?hotline={h.other.pk}").status_code == 404
        # its counsellor sees only its own queue
        assert ids(client_for(h.stranger).get(reverse("hotline:callback_list"))) == [foreign.pk]
    rows = AuditLog.objects.filter(action="hotline.callback.read", actor=h.counsellor).order_by("id")
    assert rows[0].detail == {"page": "callback_list", "callbacks": sorted([later.pk, overdue.pk, crisis_later.pk,
                                                                             soon.pk])}
    assert rows[0].organisation_id == h.medical.pk


def test_outsiders_reach_no_callback(h, personas, queue):
    later = queue[0]
    for user in (personas.viewer, personas.jia, personas.auditor, h.coordinator):
        client = client_for(user)
        assert client.get(reverse("hotline:callback_list")).status_code == 403, user
        assert client.get(reverse("hotline:callback_detail", args=[later.pk])).status_code == 403, user
    stranger = client_for(h.stranger)
    assert stranger.get(reverse("hotline:callback_detail", args=[later.pk])).status_code == 404
    assert stranger.post(reverse("hotline:callback_claim", args=[later.pk]), {"version": 1}).status_code == 404
    assert not AuditLog.objects.filter(action="hotline.callback.read", object_id=str(later.pk)).exists()
    assert not AuditLog.objects.filter(action="hotline.callback.read").exclude(actor=h.stranger).exists()


def test_claim_and_record_an_attempt_through_the_pages(h, queue):
    soon = queue[3]
    client = client_for(h.counsellor)
    url = reverse("hotline:callback_detail", args=[soon.pk])
    with time_machine.travel(NOW, tick=False):
        page = client.get(url)
        html = page.content.decode()
        assert 'id="nx-claim"' in html and "The caller asked for hotline-colleague again." in html
        assert 'href="tel:+8613800001234"' in html
        response = client.post(reverse("hotline:callback_claim", args=[soon.pk]), {"version": soon.version})
        assert response.status_code == 302 and response["Location"] == url
        soon.refresh_from_db()
        assert (soon.status, soon.owner_id) == ("claimed", h.counsellor.pk)
        # a colleague sees it is taken, and cannot record for it
        other = client_for(h.colleague).get(url).content.decode()
        assert 'id="nx-claimed-by-other"' in other and 'id="nx-attempt-form"' not in other
        # no answer without a time: the refusal on the form, nothing saved
        bad = client.post(reverse("hotline:callback_attempt", args=[soon.pk]),
                          {"version": soon.version, "result": "no_answer", "channel": "phone", "note": ""})
        assert bad.status_code == 200
        assert "Say when to try again." in bad.content.decode()
        assert CallbackAttempt.objects.count() == 1  # the "done" one of the fixture
        ok = client.post(reverse("hotline:callback_attempt", args=[soon.pk]), {
            "version": soon.version, "result": "no_answer", "channel": "phone", "retry_at": "2020-02-04T15:30",
        })
        assert ok.status_code == 302
    soon.refresh_from_db()
    assert (soon.status, soon.owner_id, soon.retry_at) == ("retry", None, datetime(2020, 2, 4, 15, 30, tzinfo=SH))
    assert AuditLog.objects.filter(action="hotline.callback.read", object_id="", detail__page="callback").exists()


def test_a_supervisor_closes_an_untried_callback(h, queue):
    later = queue[0]
    url = reverse("hotline:callback_close", args=[later.pk])
    assert client_for(h.counsellor).post(url, {"version": later.version, "note": "重复"}).status_code == 403
    assert client_for(h.supervisor).post(url, {"version": later.version, "note": "重复登记"}).status_code == 302
    later.refresh_from_db()
    assert later.status == "closed"


def test_the_crisis_pages(h, personas):
    with time_machine.travel(NOW, tick=False):
        late = services.open_crisis(actor=SYSTEM, hotline=h.city, risk="high", reason="PHQ-9 第9题 1分")
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        imminent = services.open_crisis(actor=h.counsellor, hotline=h.city, risk="imminent", reason="来电：已有计划",
                                        contact_number="13800001234")
    client = client_for(h.counsellor)
    with time_machine.travel(NOW + timedelta(hours=3), tick=False):
        listing = client.get(reverse("hotline:crisis_list"))
        # both without contact in time: imminent risk first
        assert ids(listing, "data-crisis") == [imminent.pk, late.pk]
        assert ids(client.get(reverse("hotline:crisis_list") + "?overdue=on"), "data-crisis") == [imminent.pk, late.pk]
        url = reverse("hotline:crisis_detail", args=[imminent.pk])
        html = client.get(url).content.decode()
        assert 'id="nx-crisis-needs-handover"' in html and 'id="nx-handover-form"' in html
        assert 'id="nx-assess-form"' in html
        assessed = client.post(reverse("hotline:crisis_assess", args=[imminent.pk]), {
            "version": imminent.version, "ideation": "yes", "plan": "yes", "means": "no", "past_attempts": "",
            "protective_factors": "母亲", "note": "", "risk": "imminent",
        })
        assert assessed.status_code == 302
        imminent.refresh_from_db()
        assert (imminent.ideation, imminent.plan, imminent.means, imminent.past_attempts) == (True, True, False, None)
        handed = client.post(reverse("hotline:crisis_handover", args=[imminent.pk]), {
            "version": imminent.version, "to": "110", "at": "2020-02-04T12:50", "person": "派出所 张警官",
            "note": "",
        })
        assert handed.status_code == 302
        imminent.refresh_from_db()
        assert (imminent.status, imminent.handover_to, imminent.handover_person) == ("handed_over", "110",
                                                                                       "派出所 张警官")
        html = client.get(url).content.decode()
        assert 'data-transition="follow_up"' in html and 'id="nx-handover-form"' not in html
        moved = client.post(reverse("hotline:crisis_status", args=[imminent.pk]),
                            {"version": imminent.version, "to": "follow_up", "note": ""})
        assert moved.status_code == 302
        noted = client.post(reverse("hotline:crisis_note", args=[imminent.pk]), {"text": "家属已陪同就医"})
        assert noted.status_code == 302
        contact = client.post(reverse("hotline:crisis_contact", args=[late.pk]),
                              {"version": late.version, "at": "", "note": "已回拨"})
        assert contact.status_code == 302
    late.refresh_from_db()
    assert (late.status, late.first_contact_at) == ("contacted", NOW + timedelta(hours=3))
    assert CrisisCase.objects.get(pk=imminent.pk).status == "follow_up"
    reads = AuditLog.objects.filter(action="hotline.crisis.read", actor=h.counsellor)
    assert reads.filter(detail__page="crisis_list").count() == 2
    assert reads.filter(detail__page="crisis").count() == 2
    # outsiders
    for user in (personas.viewer, personas.jia, h.coordinator):
        assert client_for(user).get(reverse("hotline:crisis_list")).status_code == 403
    assert client_for(h.stranger).get(url).status_code == 404
    assert ids(client_for(h.stranger).get(reverse("hotline:crisis_list")), "data-crisis") == []


def test_the_menu_and_counters(h, personas, queue):
    from nuanxin.hotline.views import callbacks as views

    assert [entry.visible(h.counsellor) for entry in views.MENU] == [True, True]
    assert [entry.visible(personas.viewer) for entry in views.MENU] == [False, False]
    assert [entry.visible(h.coordinator) for entry in views.MENU] == [False, False]
    with time_machine.travel(NOW, tick=False):
        assert [counter.count(h.counsellor) for counter in views.COUNTERS] == [4, 0]
    assert [counter.count(personas.jia) for counter in views.COUNTERS] == [None, None]


def test_claiming_a_taken_or_changed_callback_says_why_and_changes_nothing(h, queue, english):
    soon = queue[3]
    services.claim_callback(actor=h.counsellor, callback=soon)
    soon.refresh_from_db()
    colleague = client_for(h.colleague)
    url = reverse("hotline:callback_claim", args=[soon.pk])
    response = colleague.post(url, {"version": soon.version}, follow=True)
    assert response.redirect_chain == [(reverse("hotline:callback_detail", args=[soon.pk]), 302)]
    assert "心理援助师 has claimed this callback." in response.content.decode()
    stale = colleague.post(reverse("hotline:callback_release", args=[soon.pk]), {"version": soon.version - 1},
                           follow=True)
    assert "changed" in stale.content.decode()
    soon.refresh_from_db()
    assert (soon.status, soon.owner_id) == ("claimed", h.counsellor.pk)
    claims = AuditLog.objects.filter(
        action__in=["hotline.callback.claim", "hotline.callback.release"], object_id=str(soon.pk)
    )
    assert list(claims.values_list("action", "object_repr")) == [("hotline.callback.claim", f"callback #{soon.pk}")]
