"""The rules of a nomination and of the catalogue: who nominates whom (as the award type's
recipient kind says), the story's length, the call's deadline and status, files checked by
content, the award types and calls only a city administrator manages."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from nuanxin.core import attachments
from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.honours.models import STORY_MAX, AwardType, Nomination
from nuanxin.honours.services import catalogue
from nuanxin.honours.services import nominations as services
from nuanxin.honours.tests.fixtures import PERSON, TEAM, UNIT, nomination, open_call

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _english(english):
    pass


def test_the_story_is_limited_with_the_projects_message(hw):
    n = nomination(hw, story="事" * STORY_MAX)
    assert len(n.story) == STORY_MAX
    with pytest.raises(ServiceError) as exc:
        nomination(hw, worker=hw.nurse, story="事" * (STORY_MAX + 1))
    assert (exc.value.message, exc.value.field) == ("At most 3000 characters; this has 3001.", "story")
    with pytest.raises(ServiceError, match="this has 3002"):
        services.update_nomination(n, actor=hw.unit_admin, story="事" * (STORY_MAX + 2))
    assert Nomination.objects.count() == 1


def test_a_nomination_without_a_story_cannot_be_submitted(hw):
    n = nomination(hw, story="")
    with pytest.raises(ServiceError, match="Write the story before submitting"):
        services.submit(n, actor=hw.unit_admin)


def test_the_deadline_and_a_closed_call(hw):
    p = hw.p
    returned = services.return_for_changes(
        services.submit(nomination(hw), actor=hw.unit_admin), actor=p.yi, note="请修改"
    )
    draft = nomination(hw, worker=hw.nurse)
    with time_machine.travel(hw.call.deadline + timedelta(minutes=1), tick=False):
        with pytest.raises(ServiceError, match=r"The deadline for nominations \(.*\) has passed") as exc:
            nomination(hw, code=TEAM)
        assert exc.value.field == "call"
        with pytest.raises(ServiceError, match="has passed"):
            services.submit(draft, actor=hw.unit_admin)
        # A nomination returned for changes was submitted in time: it goes back up.
        assert services.submit(returned, actor=hw.unit_admin).status == "review"
    catalogue.close_call(hw.call, actor=p.jia)
    with pytest.raises(ServiceError, match="This call is not open for nominations"):
        nomination(hw, code=TEAM)
    draft_call = catalogue.create_call(
        actor=p.jia, name="2021 年度表彰", award_types=[hw.type(PERSON)], deadline=timezone.now() + timedelta(days=9)
    )
    with pytest.raises(ServiceError, match="This call is not open for nominations"):
        nomination(hw, call=draft_call)


def test_the_nominee_follows_the_award_types_recipient(hw):
    p = hw.p
    with pytest.raises(ServiceError, match="is awarded to a person: choose a registered worker") as exc:
        services.nominate(actor=hw.unit_admin, call=hw.call, award_type=hw.type(PERSON),
                          organisation=p.shinan_hospital, team_name="团队")
    assert exc.value.field == "worker"
    with pytest.raises(ServiceError, match="The worker is not registered in this unit"):
        nomination(hw, worker=hw.worker_b)
    with pytest.raises(ServiceError, match="is awarded to a collective: name the team"):
        services.nominate(actor=hw.unit_admin, call=hw.call, award_type=hw.type(TEAM),
                          organisation=p.shinan_hospital, worker=hw.aid_worker)
    with pytest.raises(ServiceError, match="A union nominates its own unit or one below it"):
        nomination(hw, code=UNIT, nominee_organisation=p.shibei_hospital)
    team = nomination(hw, code=TEAM, team_name="重症医学科\n护理团队")
    assert (team.team_name, team.worker, team.nominee_organisation) == ("重症医学科 护理团队", None, None)
    unit = nomination(hw, code=UNIT)
    assert (unit.nominee_organisation, unit.worker, unit.team_name) == (p.shinan_hospital, None, "")
    assert services.nominee_label(unit) == "市南区人民医院工会"

    # Once per call and award type; another award type is another nomination.
    nomination(hw)
    with pytest.raises(ServiceError, match="already nominated for this award in this call"):
        nomination(hw)
    nomination(hw, code="laodong_mofan")


def test_who_nominates(hw):
    p = hw.p
    with pytest.raises(NotAllowed, match="Only the administrators of a unit's union nominate"):
        nomination(hw, actor=p.bing)
    with pytest.raises(NotAllowed):
        nomination(hw, actor=p.viewer)
    with pytest.raises(NotAllowed):
        nomination(hw, actor=p.auditor)
    with pytest.raises(ServiceError, match="a union below it nominates"):
        nomination(hw, actor=p.jia, organisation=p.city, code=TEAM)
    # A district administrator may nominate for a unit of its district.
    assert nomination(hw, actor=p.yi).organisation == p.shinan_hospital
    assert not AuditLog.objects.filter(action="honours.nomination.open", actor=p.bing).exists()


def test_files_are_checked_by_content_and_only_while_editable(hw):
    n = nomination(hw)
    photo = services.add_file(n, actor=hw.unit_admin, uploaded_file=PNG, name="合影.png")
    assert (photo.kind, photo.original_name, photo.organisation) == ("png", "合影.png", hw.p.shinan_hospital)
    with pytest.raises(ServiceError, match=r"not a \.pdf file as its name says"):
        services.add_file(n, actor=hw.unit_admin, uploaded_file=PNG, name="事迹.pdf")
    with pytest.raises(NotAllowed):
        services.add_file(n, actor=hw.p.bing, uploaded_file=PNG, name="x.png")
    assert attachments.may_view(hw.p.yi, n) and not attachments.may_view(hw.p.bing, n)
    n = services.submit(n, actor=hw.unit_admin)
    with pytest.raises(ServiceError, match="Only a draft or a nomination returned"):
        services.add_file(n, actor=hw.unit_admin, uploaded_file=PNG, name="y.png")
    with pytest.raises(ServiceError, match="Only a draft or a nomination returned"):
        services.remove_file(n, actor=hw.unit_admin, attachment=photo)
    assert [a.pk for a in attachments.for_owner(n)] == [photo.pk]


def test_the_catalogue_is_the_citys(hw):
    p = hw.p
    with pytest.raises(NotAllowed, match="Only a city administrator"):
        catalogue.create_award_type(actor=p.yi, code="sn_xianjin", name="市南区先进个人", level="district",
                                    recipient="person")
    t = catalogue.create_award_type(actor=p.jia, code="qd_youxiu_hushi", name="青岛市优秀护士", level="city",
                                    recipient="person", description="")
    assert (t.code, t.level, t.recipient, t.active, t.created_by) == ("qd_youxiu_hushi", "city", "person", True, p.jia)
    with pytest.raises(ServiceError, match="An award type with this code exists already"):
        catalogue.create_award_type(actor=p.jia, code="qd_youxiu_hushi", name="别的", level="city",
                                    recipient="person")
    with pytest.raises(ServiceError, match="An award type of this name and level exists already"):
        catalogue.create_award_type(actor=p.jia, code="other", name="青岛市优秀护士", level="city",
                                    recipient="person")
    with pytest.raises(ServiceError, match="The code is 2–40 lower-case letters"):
        catalogue.create_award_type(actor=p.jia, code="优秀", name="优秀", level="city", recipient="person")
    row = AuditLog.objects.get(action="honours.award_type.create")
    assert row.detail == {"code": "qd_youxiu_hushi", "award_level": "city", "recipient": "person"}

    person = hw.type(PERSON)
    nomination(hw)
    with pytest.raises(ServiceError, match="who it is for cannot change"):
        catalogue.update_award_type(person, actor=p.jia, recipient="unit")
    person = catalogue.update_award_type(person, actor=p.jia, active=False, version=person.version)
    assert person.active is False
    with pytest.raises(ServiceError, match="This award type is no longer awarded"):
        nomination(hw, worker=hw.nurse)

    call = catalogue.create_call(actor=p.jia, name="2021 年度表彰", award_types=[t],
                                 deadline=timezone.now() + timedelta(days=20), notice_days=7)
    assert (call.status, call.organisation, call.notice_days) == ("draft", p.city, 7)
    with pytest.raises(ServiceError, match="The public notice lasts 1 to 60 days"):
        catalogue.update_call(call, actor=p.jia, notice_days=0)
    with pytest.raises(ServiceError, match="Give the deadline's date and time"):
        catalogue.update_call(call, actor=p.jia, deadline="2020-01-01")
    assert catalogue.open_call(call, actor=p.jia).status == "open"
    with pytest.raises(ServiceError, match="This call is open already"):
        catalogue.open_call(call, actor=p.jia)
    assert catalogue.close_call(call, actor=p.jia).status == "closed"
    assert [r.detail for r in AuditLog.objects.filter(action__in=["honours.call.open", "honours.call.close"],
                                                      object_id=str(call.pk)).order_by("id")] == [
        {"from": "draft", "to": "open"}, {"from": "open", "to": "closed"}
    ]
    # An award type with nominations stays in its call.
    with pytest.raises(ServiceError, match="cannot be taken out of it"):
        catalogue.update_call(hw.call, actor=p.jia, award_types=[t])


def test_the_seeded_award_types():
    assert sorted(AwardType.objects.values_list("code", "name", "level", "recipient")) == [
        ("gongren_xianfeng_hao", "青岛市工人先锋号", "city", "collective"),
        ("laodong_mofan", "青岛市劳动模范", "city", "person"),
        ("wuyi_jiangzhang", "青岛市五一劳动奖章", "city", "person"),
        ("wuyi_jiangzhuang", "青岛市五一劳动奖状", "city", "unit"),
    ]


def test_a_second_call_counts_apart(hw):
    other = open_call("2021 年度表彰")
    nomination(hw)
    assert nomination(hw, call=other).call == other
