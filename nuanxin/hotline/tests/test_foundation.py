"""The hotline's foundation: members reach only their hotline, in their capacity; the
organisation's administrators, viewers and auditors reach the hotline but no record."""

import pytest

from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline import callers
from nuanxin.hotline.choices import MemberKind
from nuanxin.hotline.models import Call, Hotline, HotlineMember
from nuanxin.hotline.services import hotlines as hotline_services

pytestmark = pytest.mark.django_db


def test_hotline_reach(personas, h):
    p = personas
    assert list(Hotline.objects.for_user(h.counsellor)) == [h.city]
    assert list(Hotline.objects.for_user(h.stranger)) == [h.other]
    assert list(Hotline.objects.for_user(h.supervisor)) == [h.city]
    assert list(Hotline.objects.for_user(h.coordinator)) == [h.city]
    assert set(Hotline.objects.for_user(p.jia)) == {h.city, h.other}
    assert list(Hotline.objects.for_user(p.bing)) == [h.other]
    assert list(Hotline.objects.for_user(p.yi)) == []
    assert set(Hotline.objects.for_user(p.auditor)) == {h.city, h.other}


def test_records_reach_only_counsellors_and_supervisors_of_the_hotline(personas, h):
    p = personas
    call = Call(hotline=h.city)
    assert Call.policy.allows(h.counsellor, "record", call) is True
    assert Call.policy.allows(h.supervisor, "view", call) is True
    assert Call.policy.allows(h.supervisor, "export", call) is True
    assert Call.policy.allows(h.counsellor, "export", call) is False
    for outsider in (h.coordinator, h.stranger, p.jia, p.bing, p.viewer, p.auditor, p.care):
        assert Call.policy.allows(outsider, "view", call) is False, outsider


def test_a_removed_member_reaches_nothing(personas, h):
    member = HotlineMember.objects.get(hotline=h.city, user=h.counsellor, kind=MemberKind.COUNSELLOR)
    hotline_services.remove_member(actor=SYSTEM, member=member)
    assert list(Hotline.objects.for_user(h.counsellor)) == []
    assert Call.policy.allows(h.counsellor, "view", Call(hotline=h.city)) is False


def test_a_member_needs_the_role(personas, h):
    with pytest.raises(ServiceError) as exc:
        hotline_services.add_member(actor=SYSTEM, hotline=h.city, user=personas.viewer, kind=MemberKind.COUNSELLOR)
    assert exc.value.field == "user"
    # 市北区's counsellor holds the role in 市北区 only, not on the medical union.
    with pytest.raises(ServiceError):
        hotline_services.add_member(actor=SYSTEM, hotline=h.city, user=h.stranger, kind=MemberKind.COUNSELLOR)


def test_caller_key_recognises_the_same_number_written_differently():
    assert callers.caller_key("138 0000 1234") == callers.caller_key("+86 13800001234")
    assert callers.caller_key("13800001234") != callers.caller_key("13800001235")
    assert callers.caller_key("") == ""
    with pytest.raises(ServiceError):
        callers.caller_key("12")
