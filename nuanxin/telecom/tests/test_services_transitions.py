"""listed → sent (a dispatch) → confirmed (by hand) → ended, "no cut-off" apart; the document
sent to the carrier in table 3's layout; the reminders of numbers not confirmed in time."""

import io
from datetime import date, timedelta

import pytest
from django.test import override_settings
from django.utils import timezone
from python_calamine import CalamineWorkbook

from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.notify.models import Notification
from nuanxin.orgs import services as org_services
from nuanxin.registry.choices import Carrier
from nuanxin.telecom.choices import ConfirmedHow, WaiverStatus
from nuanxin.telecom.models import Dispatch, Waiver
from nuanxin.telecom.services import documents, lists, reminders, transitions
from nuanxin.telecom.tests.fixtures import RETURNED, UNICOM, line_of, member, number, record_return

pytestmark = pytest.mark.django_db


def _world(p):
    deps = [member(p.shinan_hospital, f"移动{n}", number(n)) for n in range(1, 4)]
    deps.append(member(p.shinan_hospital, "联通一", UNICOM, returned=RETURNED))
    deps.append(member(p.shibei_hospital, "市北移动", number(9)))
    lists.sync(actor=SYSTEM)
    return deps


def test_send_marks_the_carriers_listed_numbers_in_reach_sent_in_one_dispatch(personas):
    deps = _world(personas)
    dispatch = transitions.send(actor=personas.yi, carrier="mobile", organisation=personas.shinan,
                                today=date(2020, 2, 10))
    assert (dispatch.carrier, dispatch.lines, dispatch.sent_on, dispatch.organisation) == (
        Carrier.MOBILE, 3, date(2020, 2, 10), personas.shinan)
    assert set(dispatch.waivers.values_list("status", flat=True)) == {WaiverStatus.SENT}
    assert line_of(deps[3]).status == WaiverStatus.LISTED  # unicom's list
    assert line_of(deps[4]).status == WaiverStatus.LISTED  # 市北区: outside 乙's reach
    row = AuditLog.objects.get(action="telecom.dispatch.send")
    assert row.detail == {"carrier": "mobile", "count": 3, "on": "2020-02-10", "held_back": 0}
    assert AuditLog.objects.filter(action="telecom.waiver.transition", detail__step="send").count() == 3


def test_nothing_to_send_is_refused(personas, english):
    _world(personas)
    with pytest.raises(ServiceError) as refused:
        transitions.send(actor=personas.yi, carrier="telecom", organisation=personas.shinan)
    assert refused.value.message == "Nothing to send: this carrier has no listed number here."
    with pytest.raises(NotAllowed):
        transitions.send(actor=personas.bing, carrier="mobile", organisation=personas.shinan)
    with pytest.raises(ServiceError):
        transitions.send(actor=personas.yi, carrier="broadnet", organisation=personas.shinan)
    assert Dispatch.objects.count() == 0


def test_the_document_is_table_3s_layout_with_the_waiver_period(personas):
    deps = _world(personas)
    transitions.send(actor=personas.yi, carrier="unicom", organisation=personas.shinan, today=date(2020, 3, 1))
    dispatch = transitions.send(actor=personas.yi, carrier="mobile", organisation=personas.shinan,
                                today=date(2020, 2, 10))
    export = documents.export(actor=personas.yi, dispatch=dispatch)
    assert export.filename == "通讯免费名单_移动_SN_20200210.xlsx"
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(export.content)).get_sheet_by_index(0).to_python()
    assert sheet[0][0] == "青岛市援鄂医疗队成员在鄂期间联系方式统计表"
    assert sheet[1][0] == "填报单位：市南区总工会" and sheet[1][4] == "填报日期：2020年2月10日"
    assert sheet[2] == ["序号", "姓名", "单位", "在武汉使用的手机号", "手机运营商", "免费起始日期", "结束日期"]
    assert sheet[3] == ["1", deps[0].worker.name, "市南区人民医院工会", "13900010001", "移动", "2020-02-02", "在鄂期间"]
    assert len(sheet) == 6
    row = AuditLog.objects.get(action="telecom.dispatch.export")
    assert (row.actor_id, row.detail) == (personas.yi.pk, {"carrier": "mobile", "rows": 3, "telecom_masked": 0})
    with pytest.raises(NotAllowed):
        documents.export(actor=personas.bing, dispatch=dispatch)


def test_confirm_no_cutoff_and_end_by_hand(personas):
    deps = _world(personas)
    transitions.send(actor=personas.yi, carrier="mobile", organisation=personas.shinan)
    line = line_of(deps[0])
    line = transitions.confirm(actor=personas.yi, line=line, version=line.version)
    assert (line.status, line.confirmed_how) == (WaiverStatus.CONFIRMED, ConfirmedHow.HAND)
    assert transitions.available(line) == ["confirm_no_cutoff"]  # still deployed: no "end"
    line = transitions.confirm_no_cutoff(actor=personas.yi, line=line)
    assert line.no_cutoff_confirmed_at is not None and line.status == WaiverStatus.CONFIRMED
    with pytest.raises(ServiceError):
        transitions.confirm_no_cutoff(actor=personas.yi, line=line)
    record_return(deps[0], timezone.localdate())  # back today: the sync leaves it to a person
    line = line_of(deps[0])
    line = transitions.end(actor=personas.yi, line=line)
    assert (line.status, line.period_to) == (WaiverStatus.ENDED, timezone.localdate())
    assert transitions.available(line) == []
    with pytest.raises(ServiceError):
        transitions.confirm(actor=personas.yi, line=line)
    steps = list(AuditLog.objects.filter(action="telecom.waiver.transition", object_id=str(line.pk))
                 .order_by("id").values_list("detail__step", flat=True))
    assert steps == ["send", "confirm", "confirm_no_cutoff", "end"]
    assert [h.status for h in line.history.order_by("history_id")] == [
        "listed", "sent", "confirmed", "confirmed", "confirmed", "ended"]  # the 4th: no cut-off, 5th: return


def test_a_stale_version_or_another_unit_is_refused(personas):
    deps = _world(personas)
    line = line_of(deps[0])
    opened = line.version
    transitions.confirm(actor=personas.yi, line=line, version=opened)
    with pytest.raises(Conflict):
        transitions.apply(actor=personas.yi, line=line, transition="end", version=opened)
    assert line_of(deps[0]).status == WaiverStatus.CONFIRMED
    with pytest.raises(NotAllowed):
        transitions.end(actor=personas.bing, line=line_of(deps[1]))
    with pytest.raises(NotAllowed):
        transitions.end(actor=personas.auditor, line=line_of(deps[1]))
    assert line_of(deps[1]).status == WaiverStatus.LISTED


def test_confirm_many_is_all_or_nothing(personas):
    deps = _world(personas)
    record_return(deps[2], date(2020, 3, 20))
    ended = transitions.end(actor=personas.yi, line=line_of(deps[2]))
    with pytest.raises(ServiceError):
        transitions.confirm_many(actor=personas.yi, lines=[line_of(deps[0]), ended])
    assert line_of(deps[0]).status == WaiverStatus.LISTED
    result = transitions.confirm_many(actor=personas.yi, lines=[line_of(deps[0]), line_of(deps[1])])
    assert (result.confirmed, result.flagged) == (2, 0)


@override_settings(NUANXIN_TELECOM_CONFIRM_DAYS=3)
def test_numbers_not_confirmed_in_time_are_reminded_once_a_day_to_the_nearest_admins(personas):
    deps = _world(personas)
    _unit_admin, _created = org_services.create_user(
        actor=SYSTEM, username="sn_h1_admin", organisation=personas.shinan_hospital, role=Role.ORG_ADMIN,
        password=personas.password, full_name="医院工会")
    transitions.send(actor=personas.yi, carrier="mobile", organisation=personas.shinan)
    transitions.send(actor=personas.bing, carrier="mobile", organisation=personas.shibei)
    now = timezone.now()
    assert reminders.remind_overdue(now=now + timedelta(days=2)) == 0  # not overdue yet
    later = now + timedelta(days=4)
    assert reminders.overdue(Waiver.objects.all(), later).count() == 4
    assert reminders.remind_overdue(now=later) == 2  # SN-H1's own admin, and 丙 for SB-H1
    notes = Notification.objects.filter(kind="telecom.overdue")
    assert sorted(n.recipient.username for n in notes) == ["bing", "sn_h1_admin"]
    assert reminders.remind_overdue(now=later + timedelta(hours=1)) == 0  # the same day: nothing again
    assert reminders.remind_overdue(now=later + timedelta(days=1)) == 2  # the next day: again
    transitions.confirm(actor=personas.yi, line=line_of(deps[0]))
    assert reminders.overdue(Waiver.objects.all(), later).count() == 3
