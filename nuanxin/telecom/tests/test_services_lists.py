"""The lists kept up with table 3: one line per (deployment, number), the carrier disagreement
flagged, numbers changed during the deployment listed again, periods and ends."""

from datetime import date

import pytest

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry import services as registry
from nuanxin.registry.choices import Carrier, TeamType
from nuanxin.telecom.choices import WaiverStatus
from nuanxin.telecom.models import Dispatch, Waiver
from nuanxin.telecom.services import lists, transitions
from nuanxin.telecom.tests.fixtures import MOBILE, RETURNED, TELECOM, UNICOM, line_of, member

pytestmark = pytest.mark.django_db
TODAY = date(2020, 3, 1)


def test_sync_lists_every_aid_member_number_once(personas):
    a = member(personas.shinan_hospital, "张援鄂", MOBILE)
    b = member(personas.shibei_hospital, "李援鄂", UNICOM, returned=RETURNED)
    member(personas.shinan_hospital, "王护士", TELECOM, team=TeamType.DESIGNATED_HOSPITAL)  # not the aid team
    result = lists.sync(actor=SYSTEM, today=TODAY)
    assert (result.created, result.replaced, result.updated, result.ended) == (2, 0, 0, 0)
    line = line_of(a)
    assert (line.worker_id, line.mobile, line.carrier, line.segment_carrier, line.carrier_flagged, line.status,
            line.period_from, line.period_to) == (
        a.worker_id, "+8613900010001", Carrier.MOBILE, Carrier.MOBILE, False, WaiverStatus.LISTED,
        date(2020, 2, 2), None)
    assert line_of(b).period_to == RETURNED
    again = lists.sync(actor=SYSTEM, today=TODAY)
    assert (again.created, again.changed, again.unchanged) == (0, False, 2)
    assert Waiver.objects.count() == 2
    assert AuditLog.objects.filter(action="telecom.waiver.list").count() == 2
    assert AuditLog.objects.filter(action="telecom.list.sync").count() == 1  # the second run changed nothing


def test_stated_carrier_disagreeing_with_the_segment_is_flagged(personas):
    """Item 10: a China Mobile segment stated as China Unicom (the number was ported)."""
    dep = member(personas.shinan_hospital, "张携号", MOBILE, carrier=Carrier.UNICOM)
    agree = member(personas.shinan_hospital, "李一致", TELECOM, carrier=Carrier.TELECOM)
    lists.sync(actor=SYSTEM, today=TODAY)
    line = line_of(dep)
    assert (line.carrier, line.segment_carrier, line.carrier_flagged) == (Carrier.UNICOM, Carrier.MOBILE, True)
    assert line_of(agree).carrier_flagged is False
    row = AuditLog.objects.get(action="telecom.waiver.list", object_id=str(line.pk))
    assert (row.detail["carrier"], row.detail["segment_carrier"], row.detail["flagged"]) == (
        "unicom", "mobile", True)
    assert row.detail["mobile"] == "139****0001"


def test_a_flagged_line_is_not_sent_until_a_person_confirms_the_carrier(personas, english):
    dep = member(personas.shinan_hospital, "张携号", MOBILE, carrier=Carrier.UNICOM)
    lists.sync(actor=SYSTEM, today=TODAY)
    with pytest.raises(ServiceError) as refused:
        transitions.send(actor=personas.yi, carrier="unicom", organisation=personas.shinan)
    assert refused.value.message == (
        "Nothing to send: the 1 listed numbers of this carrier wait for their carrier to be confirmed.")
    assert Dispatch.objects.count() == 0
    line = transitions.confirm_carrier(actor=personas.yi, line=line_of(dep), choice="segment")
    assert (line.carrier, line.carrier_flagged, line.status) == (Carrier.MOBILE, False, WaiverStatus.LISTED)
    dep.refresh_from_db()
    assert dep.carrier == Carrier.MOBILE  # table 3 says it too
    again = lists.sync(actor=SYSTEM, today=TODAY)
    assert (again.changed, line_of(dep).carrier_flagged) == (False, False)
    dispatch = transitions.send(actor=personas.yi, carrier="mobile", organisation=personas.shinan)
    assert list(dispatch.waivers.values_list("pk", flat=True)) == [line.pk]


def test_keeping_the_stated_carrier_settles_the_flag_until_the_carrier_changes(personas):
    dep = member(personas.shinan_hospital, "张携号", MOBILE, carrier=Carrier.UNICOM)
    lists.sync(actor=SYSTEM, today=TODAY)
    line = transitions.confirm_carrier(actor=personas.yi, line=line_of(dep), choice="stated")
    assert (line.carrier, line.carrier_flagged, line.carrier_checked_by) == (Carrier.UNICOM, False, personas.yi)
    assert lists.sync(actor=SYSTEM, today=TODAY).changed is False
    assert line_of(dep).carrier_flagged is False
    # The register now says China Telecom: the person's check no longer holds.
    registry.save_deployment(actor=SYSTEM, worker=dep.worker, deployment=dep, carrier=Carrier.TELECOM)
    result = lists.sync(actor=SYSTEM, today=TODAY)
    line = line_of(dep)
    assert (result.updated, line.carrier, line.carrier_flagged, line.carrier_checked_at) == (
        1, Carrier.TELECOM, True, None)


def test_a_number_changed_during_the_deployment_goes_on_the_list_again(personas):
    dep = member(personas.shinan_hospital, "张换号", MOBILE)
    lists.sync(actor=SYSTEM, today=TODAY)
    old = line_of(dep)
    transitions.send(actor=personas.yi, carrier="mobile", organisation=personas.shinan)
    dep = registry.save_deployment(actor=SYSTEM, worker=dep.worker, deployment=dep, deployed_mobile=UNICOM,
                                   carrier="")
    result = lists.sync(actor=SYSTEM, today=TODAY)
    assert (result.created, result.replaced) == (1, 1)
    new = line_of(dep)
    old.refresh_from_db()
    assert (old.status, old.replaced_by_id) == (WaiverStatus.REPLACED, new.pk)
    assert (new.status, new.carrier, new.mobile) == (WaiverStatus.LISTED, Carrier.UNICOM, "+8618600010001")
    assert AuditLog.objects.filter(action="telecom.waiver.replace", object_id=str(old.pk)).count() == 1
    # The new number is on the unicom list to send.
    dispatch = transitions.send(actor=personas.yi, carrier="unicom", organisation=personas.shinan)
    assert list(dispatch.waivers.values_list("pk", flat=True)) == [new.pk]


def test_a_carrier_changed_on_a_sent_number_goes_back_on_the_new_carriers_list(personas):
    dep = member(personas.shinan_hospital, "张改运营商", MOBILE)
    lists.sync(actor=SYSTEM, today=TODAY)
    transitions.send(actor=personas.yi, carrier="mobile", organisation=personas.shinan)
    registry.save_deployment(actor=SYSTEM, worker=dep.worker, deployment=dep, carrier=Carrier.TELECOM)
    lists.sync(actor=SYSTEM, today=TODAY)
    line = line_of(dep)
    assert (line.status, line.carrier, line.dispatch_id, line.carrier_flagged) == (
        WaiverStatus.LISTED, Carrier.TELECOM, None, True)


def test_return_sets_the_period_and_a_confirmed_line_ends_once_it_is_past(personas):
    dep = member(personas.shinan_hospital, "张返青", MOBILE)
    lists.sync(actor=SYSTEM, today=TODAY)
    line = transitions.confirm(actor=personas.yi, line=line_of(dep))
    dep = registry.save_deployment(actor=SYSTEM, worker=dep.worker, deployment=dep, returned_on=RETURNED)
    result = lists.sync(actor=SYSTEM, today=date(2020, 3, 21))  # the return day itself: still open
    line = line_of(dep)
    assert (result.updated, result.ended, line.period_to, line.status) == (1, 0, RETURNED, WaiverStatus.CONFIRMED)
    result = lists.sync(actor=SYSTEM, today=date(2020, 3, 22))
    line = line_of(dep)
    assert (result.ended, line.status) == (1, WaiverStatus.ENDED)
    row = AuditLog.objects.get(action="telecom.waiver.transition", object_id=str(line.pk), detail__step="end")
    assert (row.actor_id, row.detail["from"], row.detail["to"]) == (None, "confirmed", "ended")


def test_a_listed_line_of_a_returned_member_stays_open_to_be_asked_for(personas):
    dep = member(personas.shinan_hospital, "张已返", MOBILE, returned=RETURNED)
    lists.sync(actor=SYSTEM, today=date(2020, 6, 1))
    assert line_of(dep).status == WaiverStatus.LISTED


def test_a_user_syncs_only_their_reach(personas):
    member(personas.shinan_hospital, "张市南", MOBILE)
    member(personas.shibei_hospital, "李市北", UNICOM)
    result = lists.sync(actor=personas.yi, today=TODAY)
    assert result.created == 1
    assert list(Waiver.objects.values_list("worker__name", flat=True)) == ["张市南"]
    with pytest.raises(NotAllowed):
        lists.sync(actor=personas.yi, organisation=personas.shibei)
    with pytest.raises(NotAllowed):
        lists.sync(actor=personas.viewer)


def test_removing_a_deployment_from_the_register_removes_its_lines(personas):
    dep = member(personas.shinan_hospital, "张删除", MOBILE)
    lists.sync(actor=SYSTEM, today=TODAY)
    registry.remove_deployment(actor=SYSTEM, deployment=dep)
    assert Waiver.objects.count() == 0
