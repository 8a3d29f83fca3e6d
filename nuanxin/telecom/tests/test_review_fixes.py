"""The review's telecom findings (F9–F13, F16, F18, F21): ending only a returned member's waiver
and re-opening it when the register shows them deployed again; figures that add up; the carrier
list masked for an auditor; missing departure dates; reply rows told apart; flagged lines not
confirmed; small page things."""

import io
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from python_calamine import CalamineWorkbook

from nuanxin.core import auditlabels
from nuanxin.core.errors import ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry import services as registry
from nuanxin.registry.choices import Carrier
from nuanxin.telecom.choices import WaiverStatus
from nuanxin.telecom.models import Waiver
from nuanxin.telecom.selectors import waivers as selectors
from nuanxin.telecom.services import lists, replies, transitions
from nuanxin.telecom.tests.fixtures import MOBILE, UNICOM, line_of, member, number, record_return
from nuanxin.telecom.tests.test_pages import client_for, messages_of
from nuanxin.telecom.tests.test_services_replies import workbook

pytestmark = pytest.mark.django_db

STILL_DEPLOYED = ("The register says the member is still deployed (no return date, or one in the future): record "
                  "the return in the register first, then end the waiver.")


# --- F9: "end" only for a returned member; the sync re-opens a line deployed again ------------


def test_end_is_refused_while_the_register_says_the_member_is_deployed(personas, english):
    dep = member(personas.shinan_hospital, "秦莲", number(1))
    lists.sync(actor=SYSTEM)
    line = line_of(dep)
    assert "end" not in transitions.available(line)
    with pytest.raises(ServiceError) as refused:
        transitions.end(actor=personas.yi, line=line)
    assert refused.value.message == STILL_DEPLOYED
    # A return date in the future: still deployed.
    record_return(dep, timezone.localdate() + timedelta(days=3))
    with pytest.raises(ServiceError) as refused:
        transitions.apply(actor=personas.yi, line=line_of(dep), transition="end")
    assert refused.value.message == STILL_DEPLOYED
    assert line_of(dep).status == WaiverStatus.LISTED
    assert not AuditLog.objects.filter(action="telecom.waiver.transition", detail__step="end").exists()
    # The page: no end button, a word saying why.
    c = client_for(personas.yi)
    page = c.get(reverse("telecom:waiver_detail", args=[line.pk])).content.decode()
    assert 'data-step="end"' not in page and 'id="nx-line-deployed"' in page
    posted = c.post(reverse("telecom:waiver_transition", args=[line.pk]),
                    {"transition": "end", "version": line_of(dep).version})
    assert posted.status_code == 200 and messages_of(posted) == [STILL_DEPLOYED]
    # Returned today: it can be ended, the button asks first (data-nx-confirm, handled in telecom.js).
    record_return(dep, timezone.localdate())
    line = line_of(dep)
    assert transitions.available(line) == ["confirm", "end"]
    page = c.get(reverse("telecom:waiver_detail", args=[line.pk])).content.decode()
    assert 'id="nx-line-deployed"' not in page
    assert ('data-nx-confirm="End the fee waiver of 秦莲 (returned on ' + timezone.localdate().isoformat()
            + ')? The carrier may then charge the number again."') in page
    assert "nuanxin/telecom.js" in page and "<script>" not in page
    line = transitions.end(actor=personas.yi, line=line)
    assert (line.status, line.period_to) == (WaiverStatus.ENDED, timezone.localdate())


def test_the_sync_reopens_an_ended_line_whose_deployment_is_open_again(personas):
    dep = member(personas.shinan_hospital, "秦莲", number(1), returned=date(2020, 3, 20))
    lists.sync(actor=SYSTEM)
    transitions.confirm(actor=personas.yi, line=line_of(dep))
    transitions.end(actor=personas.yi, line=line_of(dep))
    # The return date was a mistake: removed in the register.
    registry.save_deployment(actor=SYSTEM, worker=dep.worker, deployment=dep, returned_on=None)
    result = lists.sync(actor=SYSTEM)
    assert (result.reopened, result.ended) == (1, 0)
    line = line_of(dep)
    assert (line.status, line.ended_at, line.period_to) == (WaiverStatus.CONFIRMED, None, None)
    row = AuditLog.objects.get(action="telecom.waiver.reopen")
    assert row.detail == {"worker": dep.worker_id, "from": "ended", "to": "confirmed", "mobile": "139****0001"}
    summary = AuditLog.objects.filter(action="telecom.list.sync").latest("id")
    assert summary.detail["reopened"] == 1 and "numbers_replaced" in summary.detail
    assert "replaced" not in summary.detail
    # Nothing more the second time; a never-sent ended line goes back on the list as listed.
    assert lists.sync(actor=SYSTEM).reopened == 0
    other = member(personas.shinan_hospital, "梁霄", number(2), returned=date(2020, 3, 20))
    lists.sync(actor=SYSTEM)
    transitions.end(actor=personas.yi, line=line_of(other))
    registry.save_deployment(actor=SYSTEM, worker=other.worker, deployment=other,
                             returned_on=timezone.localdate() + timedelta(days=10))
    lists.sync(actor=SYSTEM)
    assert line_of(other).status == WaiverStatus.LISTED


# --- F10: the figures add up -------------------------------------------------------------


def test_the_figures_columns_add_up_to_the_numbers(personas, english):
    returned = date(2020, 3, 20)
    deps = [member(personas.shinan_hospital, f"移动{n}", number(n), returned=None if n == 2 else returned)
            for n in range(1, 7)]
    changed = member(personas.shinan_hospital, "换号", number(7))
    lists.sync(actor=SYSTEM)
    transitions.send(actor=personas.yi, carrier="mobile", organisation=personas.shinan)
    transitions.confirm(actor=personas.yi, line=line_of(deps[1]))
    transitions.confirm(actor=personas.yi, line=line_of(deps[2]))
    transitions.end(actor=personas.yi, line=line_of(deps[2]))  # ended after confirmed
    transitions.end(actor=personas.yi, line=line_of(deps[3]))  # ended, sent but never confirmed
    member(personas.shinan_hospital, "新列", number(8))  # listed
    registry.save_deployment(actor=SYSTEM, worker=changed.worker, deployment=changed, deployed_mobile=number(17))
    lists.sync(actor=SYSTEM)  # the changed number's old line: not counted; the new one listed
    rows = {r.name: r for r in selectors.figures(personas.yi)}
    mobile = rows["mobile"]
    assert (mobile.numbers, mobile.listed, mobile.sent, mobile.confirmed_open, mobile.ended) == (8, 2, 3, 1, 2)
    assert mobile.listed + mobile.sent + mobile.confirmed_open + mobile.ended == mobile.numbers
    assert (mobile.confirmed, mobile.share) == (2, 25)  # confirmed 1 + ended after confirmed 1, of 8
    for r in rows.values():
        assert r.listed + r.sent + r.confirmed_open + r.ended == r.numbers
    total = selectors.totals(list(rows.values()))
    assert total.listed + total.sent + total.confirmed_open + total.ended == total.numbers == 8
    page = client_for(personas.viewer).get(reverse("telecom:figures")).content.decode()
    cells = {col: page.split('<tr data-row="mobile">')[1].split(f'data-col="{col}">')[1].split("<")[0]
             for col in ("numbers", "listed", "sent", "confirmed_open", "ended", "share")}
    assert cells == {"numbers": "8", "listed": "2", "sent": "3", "confirmed_open": "1", "ended": "2", "share": "25%"}
    assert 'id="nx-telecom-table-note"' in page and "the four add up to the numbers" in page
    # F21: no wrapping per character on a phone; one wording for flagged numbers.
    assert 'class="table table-sm small mb-0 text-nowrap" id="nx-telecom-table"' in page
    assert '<th scope="col" class="text-end">Carrier to be confirmed</th>' in page


# --- F16: the carrier list masked for an auditor ------------------------------------------


def test_an_auditor_downloads_the_carrier_list_masked_and_audited(personas):
    for n in (1, 2):
        member(personas.shinan_hospital, f"移动{n}", number(n))
    lists.sync(actor=SYSTEM)
    dispatch = transitions.send(actor=personas.yi, carrier="mobile", organisation=personas.shinan)
    url = reverse("telecom:dispatch_download", args=[dispatch.pk])
    numbers = {}
    for who in ("yi", "auditor"):
        file = client_for(getattr(personas, who)).get(url)
        assert file.status_code == 200
        rows = CalamineWorkbook.from_filelike(io.BytesIO(file.content)).get_sheet_by_index(0).to_python()
        numbers[who] = [r[3] for r in rows[3:]]
    assert numbers == {"yi": ["13900010001", "13900010002"], "auditor": ["139****0001", "139****0002"]}
    rows = list(AuditLog.objects.filter(action="telecom.dispatch.export").order_by("id"))
    assert [(r.actor_id, r.detail["rows"], r.detail["telecom_masked"]) for r in rows] == [
        (personas.yi.pk, 2, 0), (personas.auditor.pk, 2, 2)]


# --- F11: a missing departure date ---------------------------------------------------------


def test_a_missing_departure_date_is_said_and_sending_warns(personas):
    member(personas.shinan_hospital, "张伟", number(1), departed=None)
    member(personas.shinan_hospital, "刘洋", number(2))
    lists.sync(actor=SYSTEM)
    c = client_for(personas.yi)
    listing = c.get(reverse("telecom:waiver_list") + "?carrier=mobile").content.decode()
    assert "departure date not recorded" in listing and "? –" not in listing
    form = c.get(reverse("telecom:dispatch_create") + "?carrier=mobile").content.decode()
    assert 'id="nx-send-undated"' in form
    assert "1 listed number has no departure date in the register" in form
    assert 'data-undated="1"' in form
    sent = c.post(reverse("telecom:dispatch_create"), {"carrier": "mobile", "organisation": personas.shinan.pk})
    assert sent.status_code == 302
    assert messages_of(sent) == [
        "2 numbers marked as sent. Download the list and send it to the carrier.",
        "1 numbers of this list have no departure date in the register: the carrier needs the start of the "
        "waiver. Record the departure dates in the register.",
    ]
    detail = c.get(sent["Location"]).content.decode()
    assert 'id="nx-dispatch-undated"' in detail
    line = Waiver.objects.get(worker__name="张伟")
    assert "departure date not recorded" in c.get(reverse("telecom:waiver_detail", args=[line.pk])).content.decode()


# --- F12: reply rows told apart, every row listed -----------------------------------------


def test_the_reply_page_shows_row_numbers_and_names_in_english(personas):
    member(personas.shinan_hospital, "移动1", number(1))
    lists.sync(actor=SYSTEM)
    upload = workbook([["姓名", "号码"], ["甲某", "18605320001"], ["乙某", "18600010001"], ["丙某", "abc"]])
    reply = replies.import_reply(actor=personas.yi, carrier="mobile", organisation=personas.shinan,
                                 uploaded_file=upload)
    assert [(r["line"], r["name"], r["mobile"], r["problem"]) for r in reply.unmatched] == [
        (2, "甲某", "186****0001", "not_listed"), (3, "乙某", "186****0001", "not_listed"),
        (4, "丙某", "abc", "not_a_number")]
    page = client_for(personas.yi).get(reverse("telecom:reply_detail", args=[reply.pk])).content.decode()
    assert '<tr data-problem="not_listed" data-row="2"><td class="text-nowrap">Row 2</td>' in page
    assert "<td class=\"text-break\">乙某</td>" in page and ">abc<" in page
    assert "回执" not in page  # the sheet's name is not shown for a one-sheet file


# --- F13: small things ---------------------------------------------------------------------


def test_a_flagged_line_is_not_confirmed_alone_or_in_bulk(personas, english):
    flagged = member(personas.shinan_hospital, "王芳", MOBILE, carrier=Carrier.UNICOM)
    plain = member(personas.shinan_hospital, "赵联通", UNICOM)
    lists.sync(actor=SYSTEM)
    line = line_of(flagged)
    assert line.carrier_flagged and transitions.available(line) == ["confirm_carrier"]
    with pytest.raises(ServiceError) as refused:
        transitions.confirm(actor=personas.yi, line=line)
    assert refused.value.message == ("The carrier of this number is to be confirmed: confirm the carrier first, "
                                     "then mark the number confirmed.")
    c = client_for(personas.yi)
    listing = c.get(reverse("telecom:waiver_list") + "?carrier=unicom").content.decode()
    assert f'id="nx-line-{line.pk}"' not in listing  # no checkbox for the flagged line
    assert (f'<label class="nx-tap justify-content-center flex-shrink-0" for="nx-line-{line_of(plain).pk}">'
            in listing)
    only = c.post(reverse("telecom:confirm_many"), {"lines": [line.pk], "back": "carrier=unicom"})
    assert only["Location"] == reverse("telecom:waiver_list") + "?carrier=unicom"
    assert messages_of(only) == ["The carrier of the chosen numbers is to be confirmed: confirm their carrier "
                                 "first, then mark them confirmed."]
    c.get(only["Location"])  # the messages said
    both = c.post(reverse("telecom:confirm_many"), {"lines": [line.pk, line_of(plain).pk]})
    assert messages_of(both) == [
        "Numbers confirmed: 1.",
        "Numbers left unconfirmed because their carrier is to be confirmed first: 1."]
    assert (line_of(flagged).status, line_of(plain).status) == (WaiverStatus.LISTED, WaiverStatus.CONFIRMED)


def test_home_keeps_the_carrier_and_current_leaves_out_ended_lines(personas):
    dep = member(personas.shinan_hospital, "已返回", number(1), returned=date(2020, 3, 20))
    member(personas.shinan_hospital, "在派", number(2))
    lists.sync(actor=SYSTEM)
    transitions.end(actor=personas.yi, line=line_of(dep))
    c = client_for(personas.yi)
    assert c.get(reverse("telecom:home") + "?carrier=unicom")["Location"] == "/telecom/lists/?carrier=unicom"
    assert c.get(reverse("telecom:home") + "?carrier=bogus")["Location"] == "/telecom/lists/"
    tab = next(t for t in selectors.tabs(personas.yi) if t.name == "mobile")
    assert (tab.total, tab.by_status["ended"]) == (1, 1)
    current = c.get(reverse("telecom:waiver_list") + "?carrier=mobile").content.decode()
    assert "在派" in current and "已返回" not in current
    ended = c.get(reverse("telecom:waiver_list") + "?carrier=mobile&status=ended").content.decode()
    assert "已返回" in ended


def test_people_by_name_and_a_higher_levels_dispatch_without_its_link(personas):
    dep = member(personas.shinan_hospital, "胡菁昭", number(1))
    lists.sync(actor=SYSTEM)
    dispatch = transitions.send(actor=personas.jia, carrier="mobile", organisation=personas.city)
    line = line_of(dep)
    transitions.confirm(actor=personas.yi, line=line)
    city = client_for(personas.jia).get(reverse("telecom:dispatch_detail", args=[dispatch.pk])).content.decode()
    assert " · 甲</p>" in city
    page = client_for(personas.yi).get(reverse("telecom:waiver_detail", args=[line.pk])).content.decode()
    assert (f'<span id="nx-line-sent-above">Sent (by a higher level) {timezone.localdate().isoformat()}</span>'
            in page)
    assert reverse("telecom:dispatch_detail", args=[dispatch.pk]) not in page
    assert " · 乙</li>" in page and ">yi<" not in page  # the history names the person


def test_the_sync_count_of_changed_numbers_has_its_own_label():
    with translation.override("en"):
        assert auditlabels.detail_key_label("numbers_replaced") == "Numbers changed"
        assert auditlabels.detail_key_label("replaced") == "Addresses replaced"  # the hotline's, untouched
        assert auditlabels.detail_key_label("reopened") == "Lines open again (member deployed)"
        assert auditlabels.action_label("telecom.waiver.reopen") == (
            "Fee-waiver number open again (the member is deployed)")
