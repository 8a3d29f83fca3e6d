"""Authorization cases of the commendations' pages: the calls, award types and quotas (a city
administrator's), the board, a new nomination, a nomination's page, edit, actions, files,
notes, objections and certificate, and the figures.

The objects are built here through the services, in 市南区 (乙's scope): nominations of
市南区人民医院工会 (SN-H1); 丙 (市北区) is the other organisation. Calls and award types belong to
the whole tree (no other organisation: a grant at the root manages them)."""

from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nuanxin.core.policy import SYSTEM
from nuanxin.honours.models import AwardType, Call, Nomination, Objection
from nuanxin.honours.services import catalogue
from nuanxin.honours.services import nominations as services
from nuanxin.honours.tests.fixtures import ensure_award_types
from nuanxin.orgs.models import Organisation
from nuanxin.registry import services as registry
from nuanxin.registry.choices import TeamType
from tests.authz import Case, standard_cases

# The smallest PNG (1 × 1 pixel): a photo the attachment check accepts.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000001e221bc330000000049454e44ae426082"
)
GLOBAL = "award types and calls belong to the whole tree: only a grant at the root manages them"


def png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _call(name: str, *, open_it: bool = True) -> Call:
    call = catalogue.create_call(actor=SYSTEM, name=name, award_types=list(AwardType.objects.filter(active=True)),
                                 deadline=timezone.now() + timedelta(days=30), notice_days=5)
    return catalogue.open_call(call, actor=SYSTEM) if open_it else call


def _type(code: str) -> AwardType:
    return AwardType.objects.get(code=code)


def awarded(p, call: Call, unit, worker) -> Nomination:
    """A nomination of ``worker`` taken up the tree, put on notice, the notice moved into the
    past (as if it had run) and awarded."""
    n = services.nominate(actor=p.yi, call=call, award_type=_type("laodong_mofan"), organisation=unit,
                          worker=worker, story="抗疫一线先进事迹。")
    n = services.submit(n, actor=p.yi)
    n = services.recommend(n, actor=p.yi)
    n = services.start_notice(n, actor=p.jia)
    past = timezone.localdate() - timedelta(days=10)
    Nomination.objects.filter(pk=n.pk).update(notice_starts_on=past, notice_ends_on=past + timedelta(days=4))
    return services.decide(Nomination.objects.get(pk=n.pk), actor=p.jia, awarded=True)


def cases(p) -> list[Case]:
    # Other apps' cases may have added organisations (siblings are kept sorted by code, which
    # rewrites paths): read the unit back.
    unit = Organisation.objects.get(pk=p.shinan_hospital.pk)
    ensure_award_types()  # a transactional test before may have flushed the seeded ones
    call = _call("授权测试表彰")
    draft_call = _call("授权测试表彰（草稿）", open_it=False)
    to_open = _call("授权测试表彰（待开放）", open_it=False)
    to_close = _call("授权测试表彰（待截止）")
    own_type = catalogue.create_award_type(actor=SYSTEM, code="authz_test", name="授权测试奖", level="city",
                                           recipient="person")
    aid = registry.create_worker(actor=SYSTEM, organisation=unit, name="授权援鄂",
                                 team=TeamType.HUBEI_AID)
    other = registry.create_worker(actor=SYSTEM, organisation=unit, name="授权护士",
                                   team=TeamType.DESIGNATED_HOSPITAL)
    team, person = _type("gongren_xianfeng_hao"), _type("wuyi_jiangzhang")

    def draft(**kwargs):
        values = {"team_name": "授权测试团队"} if "worker" not in kwargs else {}
        return services.nominate(actor=p.yi, call=call, organisation=unit,
                                 award_type=person if "worker" in kwargs else team, story="先进事迹。",
                                 **values, **kwargs)

    shown = draft(worker=aid)
    edited = draft()
    submitted = draft()
    noted = draft()
    with_file = draft()
    spare_file = services.add_file(with_file, actor=p.yi, uploaded_file=png("spare.png"))
    on_notice = services.start_notice(services.recommend(services.submit(draft(worker=other), actor=p.yi),
                                                         actor=p.yi), actor=p.jia)
    objected = services.start_notice(
        services.recommend(services.submit(draft(), actor=p.yi), actor=p.yi), actor=p.jia
    )
    objection = services.record_objection(objected, actor=p.jia, text="事迹与实际不符。")
    winner = awarded(p, call, unit, registry.create_worker(actor=SYSTEM, organisation=unit, name="授权劳模",
                                                     team=TeamType.CDC))
    deadline = (timezone.localtime() + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    return [
        # --- catalogue
        *standard_cases(p, "honours:call_list", model=Call, action="view", allowed=p.viewer),
        *standard_cases(
            p, "honours:call_create", model=Call, action="manage", allowed=p.jia,
            data={"name": "2021 年度表彰", "award_types": [team.pk, person.pk], "deadline": deadline,
                  "notice_days": "5", "frontline_first": "on"},
        ),
        *standard_cases(
            p, "honours:call_edit", model=Call, action="manage", obj=draft_call, allowed=p.jia,
            data={"name": "授权测试表彰（草稿，改）", "award_types": [team.pk], "deadline": deadline,
                  "notice_days": "7", "version": str(draft_call.version)},
            no_other_org_because=GLOBAL,
        ),
        *standard_cases(p, "honours:call_open", model=Call, action="manage", obj=to_open, allowed=p.jia,
                        method="post", data={"version": str(to_open.version)}, no_other_org_because=GLOBAL),
        *standard_cases(p, "honours:call_close", model=Call, action="manage", obj=to_close, allowed=p.jia,
                        method="post", data={"version": str(to_close.version)}, no_other_org_because=GLOBAL),
        *standard_cases(
            p, "honours:call_quotas", model=Call, action="manage", obj=call, allowed=p.jia,
            data={f"q_{p.shinan.pk}_all": "3", f"q_{p.shinan.pk}_{person.pk}": "1"}, no_other_org_because=GLOBAL,
        ),
        *standard_cases(p, "honours:award_type_list", model=AwardType, action="view", allowed=p.viewer),
        *standard_cases(
            p, "honours:award_type_create", model=AwardType, action="manage", allowed=p.jia,
            data={"name": "青岛市抗疫先进个人", "code": "kangyi_xianjin", "level": "city", "recipient": "person"},
        ),
        *standard_cases(
            p, "honours:award_type_edit", model=AwardType, action="manage", obj=own_type, allowed=p.jia,
            data={"name": "授权测试奖（改）", "level": "city", "recipient": "person", "active": "on",
                  "version": str(own_type.version)},
            no_other_org_because=GLOBAL,
        ),
        # --- the board and the figures (a call of the whole tree; the level chosen is 市南区)
        Case("honours:call_board", allowed=p.yi, kwargs={"pk": call.pk}, query="level=SN", denied=p.viewer,
             other_org=p.bing),
        Case("honours:call_figures", allowed=p.viewer, kwargs={"pk": call.pk}, denied=p.counsellor,
             no_other_org_because="a call's figures count what each reader may report on"),
        # --- nominations
        *standard_cases(
            p, "honours:nomination_create", model=Nomination, action="nominate", obj=call, lookup="call_id",
            allowed=p.yi,
            data={"award_type": str(team.pk), "organisation": str(unit.pk),
                  "team_name": "急诊科护理团队", "story": "驰援一线，连续奋战。"},
            # 丙 is offered 市北区's units only: the form refuses 市南区's hospital.
            other_org=p.bing, other_org_status=200,
        ),
        *standard_cases(p, "honours:nomination_detail", model=Nomination, action="view", obj=shown, allowed=p.yi),
        *standard_cases(
            p, "honours:nomination_edit", model=Nomination, action="nominate", obj=edited, allowed=p.yi,
            data={"team_name": "授权测试团队（改）", "story": "改过的先进事迹。", "version": str(edited.version)},
        ),
        *standard_cases(
            p, "honours:nomination_action", model=Nomination, action="review", obj=submitted, allowed=p.yi,
            method="post", data={"action": "submit", "note": "", "version": str(submitted.version)},
        ),
        *standard_cases(p, "honours:nomination_file_add", model=Nomination, action="nominate", obj=with_file,
                        allowed=p.yi, method="post", data={"uploads": png()}),
        Case("honours:nomination_file_remove", allowed=p.yi, method="post", data={},
             kwargs={"pk": with_file.pk, "file_id": spare_file.pk}, denied=p.auditor, other_org=p.bing),
        *standard_cases(p, "honours:nomination_note", model=Nomination, action="review", obj=noted, allowed=p.yi,
                        method="post", data={"text": "请补充援鄂期间的照片。"}),
        *standard_cases(
            p, "honours:objection_create", model=Nomination, action="decide", obj=on_notice, allowed=p.jia,
            method="post", data={"text": "有群众反映事迹不实。", "raised_by": ""},
            no_other_org_because="only city administrators decide, over every nomination",
        ),
        *standard_cases(
            p, "honours:objection_answer", model=Objection, action="decide", obj=objection, allowed=p.jia,
            method="post", data={"upheld": "0", "answer": "经核实，事迹属实。", "version": str(objection.version)},
            no_other_org_because="only city administrators decide, over every nomination",
        ),
        *standard_cases(p, "honours:nomination_certificate", model=Nomination, action="view", obj=winner,
                        allowed=p.yi, audits="honours.certificate.pdf"),
    ]
