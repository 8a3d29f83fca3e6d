"""A nomination travels unit → district → city with a return for changes on the way, a public
notice with an objection answered, the city's award and a certificate (issue 13, item 9)."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.honours.models import Nomination, NominationNote, Objection
from nuanxin.honours.services import certificates
from nuanxin.honours.services import nominations as services
from nuanxin.honours.tests.fixtures import STORY, nomination

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(english):
    pass


def test_the_whole_way_up_with_a_return_for_changes(hw, monkeypatch):
    p = hw.p
    n = nomination(hw)
    assert (n.status, n.at_organisation, n.organisation, n.worker, n.owner) == (
        "draft", p.shinan_hospital, p.shinan_hospital, hw.aid_worker, hw.unit_admin
    )

    n = services.submit(n, actor=hw.unit_admin)
    assert (n.status, n.at_organisation) == ("review", p.shinan)
    assert n.submitted_at is not None

    # The unit cannot touch it now; 市北区 cannot review it; 市南区 returns it with a comment.
    with pytest.raises(ServiceError, match="Only a draft or a nomination returned"):
        services.update_nomination(n, actor=hw.unit_admin, story="改")
    with pytest.raises(NotAllowed):
        services.recommend(n, actor=hw.unit_admin)
    with pytest.raises(NotAllowed):
        services.recommend(n, actor=p.bing)
    with pytest.raises(ServiceError, match="Say what should be changed"):
        services.return_for_changes(n, actor=p.yi, note="")
    n = services.return_for_changes(n, actor=p.yi, note="请补充援鄂期间的具体事迹。")
    assert (n.status, n.at_organisation) == ("returned", p.shinan_hospital)

    n = services.update_nomination(n, actor=hw.unit_admin, story=STORY + "获评优秀队员。", version=n.version)
    assert n.story.endswith("获评优秀队员。")
    n = services.submit(n, actor=hw.unit_admin)
    assert (n.status, n.at_organisation) == ("review", p.shinan)

    n = services.recommend(n, actor=p.yi, note="同意推荐")
    assert (n.status, n.at_organisation) == ("review", p.city)
    # 市南区 has passed it on: it acts no more; the city puts it on notice.
    with pytest.raises(NotAllowed, match="being reviewed at 青岛市总工会"):
        services.reject(n, actor=p.yi, note="不同意")
    with pytest.raises(ServiceError, match="put on public notice, not recommended further"):
        services.recommend(n, actor=p.jia)

    today = timezone.localdate()
    n = services.start_notice(n, actor=p.jia)
    assert (n.status, n.notice_starts_on, n.notice_ends_on) == ("notice", today, today + timedelta(days=4))

    objection = services.record_objection(n, actor=p.jia, text="群众来信反映事迹有出入。", raised_by="")
    assert (objection.status, objection.received_on, objection.raised_by) == ("open", today, "")
    with pytest.raises(ServiceError, match="The public notice runs until"):
        services.decide(n, actor=p.jia, awarded=True)

    with time_machine.travel(timezone.now() + timedelta(days=5), tick=False):
        with pytest.raises(ServiceError, match="An objection awaits its answer"):
            services.decide(n, actor=p.jia, awarded=True)
        assert services.available_actions(p.jia, n) == []
        objection = services.answer_objection(objection, actor=p.jia, upheld=False, answer="经核实，事迹属实。")
        assert objection.status == "dismissed"
        n.refresh_from_db()
        assert services.available_actions(p.jia, n) == ["award", "not_award"]
        with pytest.raises(NotAllowed):
            services.decide(n, actor=p.yi, awarded=True)
        n = services.decide(n, actor=p.jia, awarded=True)
    year = timezone.localtime(hw.call.deadline).year  # the call's year (its deadline's), not the decision's
    assert n.status == "awarded"
    assert n.certificate_no == f"QDGH-{year}-{hw.call.pk:03d}-{n.pk:05d}"
    assert n.closed_at is not None

    # The timeline: every step with the level it was written at.
    notes = list(NominationNote.objects.filter(nomination=n).order_by("id").values_list(
        "kind", "from_status", "to_status", "level__code", "text"))
    assert notes == [
        ("opened", "", "draft", "SN-H1", ""),
        ("status", "draft", "review", "SN-H1", ""),
        ("status", "review", "returned", "SN", "请补充援鄂期间的具体事迹。"),
        ("edit", "", "", "SN-H1", "story"),
        ("status", "returned", "review", "SN-H1", ""),
        ("status", "review", "review", "SN", "同意推荐"),
        ("status", "review", "notice", "CITY", ""),
        ("status", "notice", "awarded", "CITY", ""),
    ]

    # Every step audited: ids, statuses and levels, never the story's words.
    rows = list(AuditLog.objects.filter(object_type="honours.nomination", object_id=str(n.pk)).order_by("id"))
    assert [r.action for r in rows] == [
        "honours.nomination.open",
        "honours.nomination.transition",
        "honours.nomination.transition",
        "honours.nomination.update",
        "honours.nomination.transition",
        "honours.nomination.transition",
        "honours.nomination.transition",
        "honours.nomination.transition",
    ]
    assert rows[0].detail == {
        "honours_call": hw.call.pk, "award_type": "wuyi_jiangzhang", "worker": hw.aid_worker.pk,
        "nominee_org": None, "story": {"chars": len(STORY)},
    }
    steps = [(r.detail["step"], r.detail["from"], r.detail["to"], r.detail["at_level"], r.detail["to_level"])
             for r in rows if r.action.endswith("transition")]
    assert steps == [
        ("submit", "draft", "review", "SN-H1", "SN"),
        ("return", "review", "returned", "SN", "SN-H1"),
        ("submit", "returned", "review", "SN-H1", "SN"),
        ("recommend", "review", "review", "SN", "CITY"),
        ("notice", "review", "notice", "CITY", "CITY"),
        ("award", "notice", "awarded", "CITY", "CITY"),
    ]
    assert rows[2].detail["note"] == {"chars": len("请补充援鄂期间的具体事迹。")}
    assert rows[-1].detail["certificate"] == n.certificate_no
    assert rows[3].detail["changed"] == ["story"]
    for row in AuditLog.objects.filter(action__startswith="honours."):
        assert "驰援武汉" not in str(row.detail)
        assert "事迹有出入" not in str(row.detail)
    answer = AuditLog.objects.get(action="honours.objection.answer")
    assert answer.detail == {"nomination": n.pk, "outcome": "dismissed", "answer": {"chars": 9}}

    # The certificate: a PDF made from the template with the nominee, the award, the issuer.
    seen = {}
    real_render = certificates.pdf.render

    def spy(template, context, **kwargs):
        seen.update(template=template, context=context)
        return real_render(template, context, **kwargs)

    monkeypatch.setattr(certificates.pdf, "render", spy)
    content = certificates.certificate_pdf(actor=hw.unit_admin, nomination=n)
    assert content.startswith(b"%PDF")
    assert len(content) > 1000
    assert seen["template"] == "honours/certificate_pdf.html"
    ctx = seen["context"]
    assert (ctx["nominee"], ctx["award"], ctx["issuer"], ctx["unit"], ctx["certificate_no"]) == (
        "张援鄂", "青岛市五一劳动奖章", "青岛市总工会", "市南区人民医院工会", n.certificate_no
    )
    row = AuditLog.objects.get(action="honours.certificate.pdf")
    assert row.detail == {"certificate": n.certificate_no, "bytes": len(content)}
    assert row.actor == hw.unit_admin


def test_the_certificate_is_for_awarded_nominations_and_their_readers(hw):
    n = nomination(hw)
    with pytest.raises(ServiceError, match="Only an awarded nomination has a certificate"):
        certificates.certificate_pdf(actor=hw.unit_admin, nomination=n)
    with pytest.raises(NotAllowed):
        certificates.certificate_pdf(actor=hw.p.bing, nomination=n)
    assert not AuditLog.objects.filter(action="honours.certificate.pdf").exists()


def test_reject_and_withdraw_need_a_reason_and_close_it(hw):
    p = hw.p
    n = services.submit(nomination(hw), actor=hw.unit_admin)
    with pytest.raises(ServiceError, match="Give the reason for rejecting"):
        services.reject(n, actor=p.yi, note=" ")
    n = services.reject(n, actor=p.yi, note="事迹不够突出")
    assert (n.status, n.at_organisation, n.closed_at is not None) == ("rejected", p.shinan, True)
    assert services.available_actions(hw.unit_admin, n) == []
    with pytest.raises(ServiceError, match="cannot be withdrawn"):
        services.withdraw(n, actor=hw.unit_admin, note="撤回")

    # The same worker may be nominated again once the first was rejected.
    m = nomination(hw)
    assert services.available_actions(hw.unit_admin, m) == ["submit", "withdraw"]
    with pytest.raises(ServiceError, match="Say why the nomination is withdrawn"):
        services.withdraw(m, actor=hw.unit_admin, note="")
    m = services.withdraw(m, actor=hw.unit_admin, note="本人谦让")
    assert m.status == "withdrawn"


def test_not_awarded_needs_a_reason_and_an_upheld_objection_bars_the_award(hw):
    p = hw.p
    n = services.start_notice(
        services.recommend(services.submit(nomination(hw), actor=hw.unit_admin), actor=p.yi), actor=p.jia
    )
    o = services.record_objection(n, actor=p.jia, text="反映材料不实", raised_by="市民甲")
    with pytest.raises(NotAllowed, match="Only the city federation's administrators answer objections"):
        services.answer_objection(o, actor=p.yi, upheld=True, answer="属实")
    with pytest.raises(ServiceError, match="Write the answer"):
        services.answer_objection(o, actor=p.jia, upheld=True, answer="")
    services.answer_objection(o, actor=p.jia, upheld=True, answer="经核实反映属实。")
    with pytest.raises(ServiceError, match="has been answered already"):
        services.answer_objection(o, actor=p.jia, upheld=False, answer="再议")
    with time_machine.travel(timezone.now() + timedelta(days=6), tick=False):
        with pytest.raises(ServiceError, match="An objection was upheld"):
            services.decide(n, actor=p.jia, awarded=True)
        with pytest.raises(ServiceError, match="Give the reason for not awarding"):
            services.decide(n, actor=p.jia, awarded=False)
        n = services.decide(n, actor=p.jia, awarded=False, note="异议成立")
    assert (n.status, n.certificate_no) == ("not_awarded", "")
    assert Objection.objects.get(pk=o.pk).answered_by == p.jia


def test_objections_only_during_the_notice_and_by_the_city(hw):
    p = hw.p
    n = services.submit(nomination(hw), actor=hw.unit_admin)
    with pytest.raises(ServiceError, match="while the nomination is on public notice"):
        services.record_objection(n, actor=p.jia, text="异议")
    n = services.start_notice(services.recommend(n, actor=p.yi), actor=p.jia)
    with pytest.raises(NotAllowed):
        services.record_objection(n, actor=p.yi, text="异议")
    with pytest.raises(ServiceError, match="cannot be received in the future"):
        services.record_objection(n, actor=p.jia, text="异议", received_on=timezone.localdate() + timedelta(days=1))
    with pytest.raises(ServiceError, match="Write the objection"):
        services.record_objection(n, actor=p.jia, text="  ")
    assert Objection.objects.count() == 0


def test_a_stale_version_is_a_conflict(hw):
    from nuanxin.core.errors import Conflict

    n = nomination(hw)
    old = n.version
    services.update_nomination(n, actor=hw.unit_admin, story="新的事迹", version=old)
    with pytest.raises(Conflict):
        services.submit(n, actor=hw.unit_admin, version=old)
    assert Nomination.objects.get(pk=n.pk).status == "draft"


def test_comments_carry_the_level(hw):
    p = hw.p
    n = services.submit(nomination(hw), actor=hw.unit_admin)
    a = services.comment(n, actor=p.yi, text="材料已收到")
    b = services.comment(n, actor=hw.unit_admin, text="已补充照片")
    assert (a.level, b.level) == (p.shinan, p.shinan_hospital)
    with pytest.raises(NotAllowed):
        services.comment(n, actor=p.bing, text="看看")
