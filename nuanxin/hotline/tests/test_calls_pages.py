"""The call pages: logging a call in one form, the list and its filters, the record, the edit
with its conflict, the htmx lookups, and who sees nothing (every read audited)."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.core import manifest
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.hotline.choices import MemberKind
from nuanxin.hotline.models import Call
from nuanxin.hotline.services import calls as services
from nuanxin.hotline.services import hotlines as hotline_services
from nuanxin.orgs import services as org_services
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def client_for(user) -> Client:
    client = Client()
    client.cookies["nuanxin_language"] = "en"
    client.force_login(user)
    return client


def log(h, actor=None, **kwargs):
    values = {"actor": actor or h.counsellor, "hotline": h.city, "started_at": NOW - timedelta(hours=1),
              "ended_at": NOW - timedelta(minutes=10), "line": h.line}
    values.update(kwargs)
    return services.record_call(**values)


FORM = {
    "started_at": "2026-03-02T09:00",
    "minutes": "55",
    "channel": "phone",
    "caller_kind": "family",
    "gender": "f",
    "age_band": "40-49",
    "topics": ["family_frontline", "sleep"],
    "interventions": ["listening", "relaxation"],
    "risk": "low",
    "outcome": "supported",
    "notes": "丈夫在武汉支援，担心他的安全。",
}


def test_a_counsellor_logs_a_call_in_one_form(h):
    client = client_for(h.counsellor)
    page = client.get(reverse("hotline:call_create"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "青岛市总工会心理健康服务基地" in html
    assert 'value="listening" id="id_interventions_0" autocomplete="off" checked' in html  # the default
    response = client.post(reverse("hotline:call_create"), {**FORM, "hotline": h.city.pk, "line": h.line.pk})
    call = Call.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:call_detail", args=[call.pk])
    assert (call.counsellor, call.caller_kind, call.duration_minutes, call.risk) == (h.counsellor, "family", 55, "low")
    assert call.topics == ["family_frontline", "sleep"]
    assert call.started_at == datetime(2026, 3, 2, 9, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))
    detail = client.get(response["Location"])
    text = detail.content.decode()
    assert "Worry for a family member on the front line、Sleep" in text
    assert "55 minutes" in text
    assert f'href="{reverse("hotline:assessment_take")}?call={call.pk}"' in text  # a scale during the call
    row = AuditLog.objects.get(action="hotline.call.read")
    assert row.detail == {"page": "call_detail", "calls": [call.pk]}


def test_a_call_that_just_ended_needs_no_start_time(h):
    client = client_for(h.counsellor)
    client.post(reverse("hotline:call_create"), {**FORM, "hotline": h.city.pk, "started_at": "", "minutes": "45"})
    call = Call.objects.get()
    assert (call.started_at, call.ended_at) == (NOW - timedelta(minutes=45), NOW)
    client.post(reverse("hotline:call_create"), {**FORM, "hotline": h.city.pk, "started_at": "", "minutes": ""})
    ongoing = Call.objects.exclude(pk=call.pk).get()
    assert (ongoing.started_at, ongoing.ended_at) == (NOW, None)  # logged as the call starts


def test_a_refusal_shows_on_the_form_and_saves_nothing(h):
    client = client_for(h.counsellor)
    response = client.post(
        reverse("hotline:call_create"),
        {**FORM, "hotline": h.city.pk, "callback_number": "13800001234"},
    )
    assert response.status_code == 200
    assert "The caller&#x27;s number is kept only with their consent to a callback" in response.content.decode()
    future = client.post(reverse("hotline:call_create"), {**FORM, "hotline": h.city.pk,
                                                          "started_at": "2026-03-02T12:00", "minutes": ""})
    assert "A call cannot start in the future." in future.content.decode()
    assert Call.objects.count() == 0


def test_another_hotline_is_not_found(h):
    client = client_for(h.stranger)
    assert client.get(reverse("hotline:call_create") + f"?hotline={h.city.pk}").status_code == 404
    response = client.post(reverse("hotline:call_create"), {**FORM, "hotline": h.city.pk})
    assert response.status_code == 404
    assert Call.objects.count() == 0


def test_a_counsellor_of_two_hotlines_chooses_one(personas, h):
    # The counsellor's grant is on the medical union: 市北区's hotline needs one there too.
    org_services.grant_role(actor=SYSTEM, user=h.counsellor, role=Role.COUNSELLOR, organisation=personas.shibei)
    hotline_services.add_member(actor=SYSTEM, hotline=h.other, user=h.counsellor, kind=MemberKind.COUNSELLOR)
    page = client_for(h.counsellor).get(reverse("hotline:call_create"))
    html = page.content.decode()
    assert f"?hotline={h.city.pk}" in html and f"?hotline={h.other.pk}" in html


def test_the_list_shows_the_hotlines_calls_filtered_and_audits_the_page(h):
    old = log(h, started_at=NOW - timedelta(days=3), ended_at=None, risk="medium")
    new = log(h, actor=h.colleague)
    services.record_call(actor=h.stranger, hotline=h.other, started_at=NOW - timedelta(hours=1))
    client = client_for(h.counsellor)
    page = client.get(reverse("hotline:call_list"))
    html = page.content.decode()
    assert "2 calls" in html
    assert f'data-call="{new.pk}"' in html and f'data-call="{old.pk}"' in html
    row = AuditLog.objects.get(action="hotline.call.read")
    assert row.detail == {"page": "call_list", "calls": sorted([old.pk, new.pk])}
    assert row.organisation == h.medical
    filtered = client.get(reverse("hotline:call_list"), {"risk": "medium"}).content.decode()
    assert "1 call<" in filtered and f'data-call="{old.pk}"' in filtered
    by_day = client.get(reverse("hotline:call_list"), {"start": "2026-03-02", "end": "2026-03-02"}).content.decode()
    assert f'data-call="{new.pk}"' in by_day and f'data-call="{old.pk}"' not in by_day
    by_counsellor = client.get(reverse("hotline:call_list"), {"counsellor": h.colleague.pk}).content.decode()
    assert f'data-call="{new.pk}"' in by_counsellor and f'data-call="{old.pk}"' not in by_counsellor
    # The other hotline's counsellor sees none of them, and nothing is recorded as read for them.
    stranger = client_for(h.stranger).get(reverse("hotline:call_list")).content.decode()
    assert f'data-call="{new.pk}"' not in stranger and "1 call<" in stranger


def test_those_who_see_figures_only_get_no_record(personas, h):
    call = log(h)
    for user in (personas.jia, personas.yi, personas.bing, personas.viewer, personas.auditor, h.coordinator):
        client = client_for(user)
        assert client.get(reverse("hotline:call_list")).status_code == 403, user
        assert client.get(reverse("hotline:call_detail", args=[call.pk])).status_code == 403, user
    stranger = client_for(h.stranger)
    assert stranger.get(reverse("hotline:call_detail", args=[call.pk])).status_code == 404
    assert stranger.get(reverse("hotline:call_detail", args=[call.pk + 1000])).status_code == 404
    assert stranger.get(reverse("hotline:call_update", args=[call.pk])).status_code == 404
    assert AuditLog.objects.filter(action="hotline.call.read").count() == 0


def test_the_menu_and_the_start_entry(personas, h):
    assert "hotline:call_list" in [e.url_name for e in manifest.menu_entries(h.counsellor)]
    assert "hotline:call_list" not in [e.url_name for e in manifest.menu_entries(personas.jia)]
    starts = [e.url_name for e in manifest.start_entries(h.counsellor)]
    assert "hotline:call_create" in starts
    assert "hotline:call_create" not in [e.url_name for e in manifest.start_entries(personas.viewer)]
    assert "hotline:call_create" not in [e.url_name for e in manifest.start_entries(h.coordinator)]
    log(h)
    home = client_for(h.counsellor).get(reverse("home")).content.decode()
    assert '<div class="display-6 fw-semibold" data-count="hotline_calls_today">1</div>' in home
    assert f'btn-primary btn-lg" href="{reverse("hotline:call_create")}">Log a call</a>' in home
    assert 'id="nx-menu-calls"' in home
    viewer_home = client_for(personas.viewer).get(reverse("home")).content.decode()
    assert 'id="nx-menu-calls"' not in viewer_home
    assert 'data-count="hotline_calls_today"' not in viewer_home


def test_an_edit_from_an_older_version_is_a_conflict_shown_beside_the_input(h):
    call = log(h, notes="原记录")
    url = reverse("hotline:call_update", args=[call.pk])
    data = {**FORM, "line": h.line.pk, "version": "1"}
    first = client_for(h.colleague).post(url, {**data, "notes": "同事的修改"})
    assert first.status_code == 302
    second = client_for(h.counsellor).post(url, {**data, "notes": "我的修改"})
    html = second.content.decode()
    assert second.status_code == 200
    assert "someone else changed this call record at 2026-03-02 10:00" in html
    assert 'id="nx-call-conflict"' in html and "同事的修改" in html
    assert "我的修改" in html  # the input is kept
    assert 'name="version" value="2"' in html
    call.refresh_from_db()
    assert (call.notes, call.version) == ("同事的修改", 2)
    third = client_for(h.counsellor).post(url, {**data, "version": "2", "notes": "我的修改"})
    assert third.status_code == 302
    call.refresh_from_db()
    assert (call.notes, call.version) == ("我的修改", 3)


def test_earlier_contacts_of_a_consenting_caller(h):
    earlier = log(h, started_at=NOW - timedelta(days=5), ended_at=None, callback_consent=True,
                  callback_number="13800001234", topics=["grief"], risk="medium", same_counsellor=True)
    services.record_call(actor=h.stranger, hotline=h.other, started_at=NOW - timedelta(days=1),
                         callback_consent=True, callback_number="13800001234", topics=["sleep"])
    client = client_for(h.counsellor)
    url = reverse("hotline:call_caller_history", args=[h.city.pk])
    html = client.post(url, {"callback_consent": "on", "callback_number": "138-0000-1234"}).content.decode()
    assert "1 earlier contact with this hotline" in html
    assert f'data-call="{earlier.pk}"' in html
    assert "2026-02-25 10:00" in html and "Grief" in html and "Medium" in html
    assert "asked for the same counsellor" in html
    assert "Sleep" not in html  # the other hotline's contact
    assert AuditLog.objects.get(action="hotline.call.caller_history").detail == {
        "hotline": h.city.pk, "calls": [earlier.pk]
    }
    without_consent = client.post(url, {"callback_number": "13800001234"}).content.decode()
    assert "only with the caller&#x27;s consent" in without_consent
    assert AuditLog.objects.filter(action="hotline.call.caller_history").count() == 1
    assert client_for(h.stranger).post(url, {"callback_consent": "on",
                                             "callback_number": "13800001234"}).status_code == 404


def test_the_register_lookup_shows_one_name_and_unit_and_links_on_save(personas, h):
    worker = registry_services.create_worker(
        actor=SYSTEM, organisation=h.medical, name="李医生", team=TeamType.HUBEI_AID, mobile="13700001111"
    )
    client = client_for(h.counsellor)
    url = reverse("hotline:call_register_lookup", args=[h.city.pk])
    html = client.post(url, {"link": "on", "link_mobile": "13700001111", "caller_kind": "worker"}).content.decode()
    assert "李医生 · 青岛市医务工会" in html
    assert "13700001111" not in html and "1111" not in html
    unknown = client.post(url, {"link": "on", "link_mobile": "13700009999", "caller_kind": "worker"})
    assert "No one in the register of this hotline&#x27;s organisation has this mobile." in unknown.content.decode()
    not_agreed = client.post(url, {"link_mobile": "13700001111", "caller_kind": "worker"}).content.decode()
    assert "李医生" not in not_agreed
    assert AuditLog.objects.filter(action="hotline.register_lookup").count() == 2
    response = client.post(
        reverse("hotline:call_create"),
        {**FORM, "caller_kind": "worker", "hotline": h.city.pk, "link": "on", "link_mobile": "137 0000 1111"},
    )
    assert response.status_code == 302
    assert Call.objects.get().worker == worker
    detail = client.get(response["Location"]).content.decode()
    assert "李医生 · 青岛市医务工会" in detail


def test_the_export_page_is_a_supervisors(h):
    assert client_for(h.counsellor).get(reverse("hotline:call_export")).status_code == 403
    page = client_for(h.supervisor).get(reverse("hotline:call_export"))
    assert page.status_code == 200
    assert "青岛市总工会心理健康服务基地" in page.content.decode()
    refused = client_for(h.supervisor).post(
        reverse("hotline:call_export"), {"hotline": h.city.pk, "start": "2026-03-01", "end": "2026-03-02",
                                         "reason": "查"}
    )
    assert refused.status_code == 200
    assert "Say why the records are exported (at least 5 characters)." in refused.content.decode()
    assert AuditLog.objects.filter(action="hotline.export").count() == 0


def test_a_high_risk_call_says_what_followed_and_links_it(h):
    from nuanxin.hotline.models import Callback, CrisisCase

    client = client_for(h.counsellor)
    response = client.post(
        reverse("hotline:call_create"),
        {**FORM, "hotline": h.city.pk, "risk": "high", "outcome": "crisis", "callback_consent": "on",
         "callback_number": "13800001234"},
        follow=True,
    )
    html = response.content.decode()
    assert "A crisis case was opened and the supervisors were told." in html
    case, callback = CrisisCase.objects.get(), Callback.objects.get()
    assert f'href="{reverse("hotline:crisis_detail", args=[case.pk])}"' in html
    assert f'href="{reverse("hotline:callback_detail", args=[callback.pk])}"' in html


def test_a_nonsense_callback_number_is_refused_on_the_page(h):
    client = client_for(h.counsellor)
    response = client.post(
        reverse("hotline:call_create"),
        {**FORM, "hotline": h.city.pk, "callback_consent": "on", "callback_number": "12345", "outcome": "callback"},
    )
    assert response.status_code == 200
    assert "“12345” is not a phone number." in response.content.decode()
    assert Call.objects.count() == 0


def test_the_call_page_shows_a_scales_band_by_its_label(h):
    from nuanxin.hotline.models import Assessment

    call = log(h)
    Assessment.objects.create(hotline=h.city, call=call, scale="GAD-7", answers=[2] * 6 + [0], score=12,
                              band="moderate", source="call")
    html = client_for(h.counsellor).get(reverse("hotline:call_detail", args=[call.pk])).content.decode()
    assert "GAD-7 · 12 · Moderate anxiety" in html
    assert "· moderate" not in html


def test_the_referral_page_preselects_no_target_and_asks_for_one(h):
    call = log(h)
    client = client_for(h.counsellor)
    url = reverse("hotline:referral_create", args=[call.pk])
    page = client.get(url).content.decode()
    options = page.split('name="target"', 1)[1].split("</select>", 1)[0]
    assert options.count("selected") == 1  # the empty first option only
    assert '<option value="" selected>— choose where to refer the caller —</option>' in page
    refused = client.post(url, {"note": "x"})
    assert refused.status_code == 200
    assert "Choose where the caller is referred to." in refused.content.decode()
    assert call.referrals.count() == 0
    done = client.post(url, {"target": "mh_centre"})
    assert done.status_code == 302
    assert call.referrals.get().target == "mh_centre"
