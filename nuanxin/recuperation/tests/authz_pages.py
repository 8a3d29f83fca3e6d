"""Authorization cases of recuperation's pages: the programmes, bases and batches (a city
administrator's forms), a batch's page, roster, cost and fill, nominating, a candidate's page
and buttons, and the figures.

The objects are built here through the services: workers of 市南区人民医院工会 (SN-H1, in 乙's
scope) nominated by 乙; 丙 (市北区) is the other organisation. Bases, programmes and batches
belong to the whole tree (no other organisation: a grant at the root manages them)."""

from datetime import timedelta

from django.utils import timezone

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs.models import Organisation
from nuanxin.recuperation.models import Base, Batch, Candidate, Offer, Programme
from nuanxin.recuperation.services import candidates
from nuanxin.recuperation.services import catalogue as services
from nuanxin.registry import services as registry
from nuanxin.registry.choices import TeamType
from tests.authz import Case, standard_cases

GLOBAL = "bases, programmes and batches belong to the whole tree: only a grant at the root manages them"


def cases(p) -> list[Case]:
    from nuanxin.funds.tests.fixtures import fund_with, user

    unit = Organisation.objects.get(pk=p.shinan_hospital.pk)  # paths may have moved: read it back
    today = timezone.localdate()
    start = today + timedelta(days=30)
    base = services.create_base(actor=SYSTEM, name="授权测试疗养院", address="青岛市", capacity=50)
    spare_base = services.create_base(actor=SYSTEM, name="授权测试疗养院（改）", address="青岛市", capacity=20)
    programme = services.open_programme(
        services.create_programme(actor=SYSTEM, name="授权测试疗休养", cost_per_place="1800"), actor=SYSTEM
    )
    draft = services.create_programme(actor=SYSTEM, name="授权测试疗休养（草稿）")
    to_open = services.create_programme(actor=SYSTEM, name="授权测试疗休养（待开放）")
    to_close = services.open_programme(services.create_programme(actor=SYSTEM, name="授权测试疗休养（待结束）"),
                                       actor=SYSTEM)

    def batch(name: str, places: int = 2, starts_on=start) -> Batch:
        return services.create_batch(actor=SYSTEM, programme=programme, base=base, name=name, places=places,
                                     starts_on=starts_on, ends_on=starts_on + timedelta(days=6),
                                     today=starts_on - timedelta(days=1))

    main = batch("授权第一期", places=10)
    to_edit = batch("授权待改")
    to_close_batch = batch("授权待截止")
    to_open_batch = services.close_batch(batch("授权待开放"), actor=SYSTEM)
    to_finish = batch("授权已开始", starts_on=today)
    to_fill = batch("授权待发放", places=1)
    offered = batch("授权已发放")
    attending = batch("授权出勤", places=1)
    charged = batch("授权计费", places=1)
    counter = iter(range(1, 100))

    def worker():
        return registry.create_worker(actor=SYSTEM, organisation=unit, name=f"疗养授权{next(counter)}",
                                      team=TeamType.HUBEI_AID)

    def nominate(b: Batch) -> Candidate:
        return candidates.nominate(actor=p.yi, batch=b, worker=worker())

    shown = nominate(main)
    withdrawing = nominate(main)
    nominate(to_fill)
    offers = [nominate(offered), nominate(offered)]
    candidates.fill(actor=SYSTEM, batch=offered)
    accept_offer, decline_offer = (Offer.objects.get(candidate=c, status="open") for c in offers)
    attendee = nominate(attending)
    nominate(attending)  # waiting: takes the place of a no-show
    nominate(charged)
    for b in (attending, charged):
        for offer in candidates.fill(actor=SYSTEM, batch=b):
            candidates.accept(actor=p.yi, offer=offer)
    attendee = Candidate.objects.get(pk=attendee.pk)
    # The cost is charged once the batch is held: 授权计费 started today, its person came, held.
    Batch.objects.filter(pk=charged.pk).update(starts_on=today, ends_on=today)
    for came in Candidate.objects.filter(batch=charged, status="accepted"):
        candidates.record_attendance(actor=SYSTEM, candidate=came, attended=True)
    charged = services.finish_batch(Batch.objects.get(pk=charged.pk), actor=SYSTEM)
    free_worker = worker()
    clerk = user("recup_clerk", p.city, Role.FUND_CLERK, "疗养经办人")
    approver = user("recup_approver", p.city, Role.FUND_APPROVER, "疗养审批人")
    fund = fund_with(clerk, approver, p.city, "100000", name="疗休养授权测试资金")

    def version(obj):
        return str(type(obj).objects.get(pk=obj.pk).version)

    later = start + timedelta(days=40)
    return [
        # --- programmes and bases
        *standard_cases(p, "recuperation:programme_list", model=Programme, action="view", allowed=p.viewer),
        *standard_cases(p, "recuperation:programme_detail", model=Programme, action="view", obj=programme,
                        allowed=p.yi, no_other_org_because=GLOBAL),
        *standard_cases(
            p, "recuperation:programme_create", model=Programme, action="manage", allowed=p.jia,
            data={"name": "授权新疗休养", "rank_1": "aid_team", "rank_2": "days_deployed", "offer_hours": "48",
                  "cost_per_place": "1200"},
        ),
        *standard_cases(
            p, "recuperation:programme_edit", model=Programme, action="manage", obj=draft, allowed=p.jia,
            data={"name": "授权测试疗休养（草稿，改）", "rank_1": "applied_at", "offer_hours": "24",
                  "cost_per_place": "100", "version": version(draft)},
            no_other_org_because=GLOBAL,
        ),
        *standard_cases(p, "recuperation:programme_open", model=Programme, action="manage", obj=to_open,
                        allowed=p.jia, method="post", data={"version": version(to_open)},
                        no_other_org_because=GLOBAL),
        *standard_cases(p, "recuperation:programme_close", model=Programme, action="manage", obj=to_close,
                        allowed=p.jia, method="post", data={"version": version(to_close)},
                        no_other_org_because=GLOBAL),
        *standard_cases(p, "recuperation:base_list", model=Base, action="view", allowed=p.viewer),
        *standard_cases(p, "recuperation:base_create", model=Base, action="manage", allowed=p.jia,
                        data={"name": "授权新疗养院", "address": "崂山区", "capacity": "30"}),
        *standard_cases(
            p, "recuperation:base_edit", model=Base, action="manage", obj=spare_base, allowed=p.jia,
            data={"name": "授权测试疗养院（再改）", "address": "市南区", "capacity": "25", "active": "on",
                  "version": version(spare_base)},
            no_other_org_because=GLOBAL,
        ),
        # --- batches
        *standard_cases(
            p, "recuperation:batch_create", model=Batch, action="manage", obj=programme, allowed=p.jia,
            data={"name": "授权新一期", "base": str(base.pk), "starts_on": later.isoformat(),
                  "ends_on": (later + timedelta(days=5)).isoformat(), "places": "5", "teams": ["hubei_aid"]},
            no_other_org_because=GLOBAL,
        ),
        *standard_cases(p, "recuperation:batch_detail", model=Batch, action="view", obj=main, allowed=p.yi,
                        no_other_org_because=GLOBAL),
        *standard_cases(
            p, "recuperation:batch_edit", model=Batch, action="manage", obj=to_edit, allowed=p.jia,
            data={"name": "授权待改（改）", "base": str(base.pk), "starts_on": start.isoformat(),
                  "ends_on": (start + timedelta(days=3)).isoformat(), "places": "3", "version": version(to_edit)},
            no_other_org_because=GLOBAL,
        ),
        *standard_cases(p, "recuperation:batch_close", model=Batch, action="manage", obj=to_close_batch,
                        allowed=p.jia, method="post", data={"version": version(to_close_batch)},
                        no_other_org_because=GLOBAL),
        *standard_cases(p, "recuperation:batch_open", model=Batch, action="manage", obj=to_open_batch,
                        allowed=p.jia, method="post", data={"version": version(to_open_batch)},
                        no_other_org_because=GLOBAL),
        *standard_cases(p, "recuperation:batch_finish", model=Batch, action="manage", obj=to_finish,
                        allowed=p.jia, method="post", data={"version": version(to_finish)},
                        no_other_org_because=GLOBAL),
        *standard_cases(p, "recuperation:batch_fill", model=Batch, action="manage", obj=to_fill, allowed=p.jia,
                        method="post", data={}, no_other_org_because=GLOBAL),
        *standard_cases(p, "recuperation:batch_roster", model=Batch, action="manage", obj=main, allowed=p.jia,
                        audits="recuperation.roster.export", no_other_org_because=GLOBAL),
        *standard_cases(
            p, "recuperation:batch_charge", model=Batch, action="view", obj=charged, allowed=clerk,
            data={"fund": str(fund.pk), "on": today.isoformat()},
            no_other_org_because="a finance clerk charges a batch of the whole tree to a fund in their own scope",
        ),
        # --- candidates
        *standard_cases(
            p, "recuperation:nominate", model=Candidate, action="nominate", obj=main, allowed=p.yi,
            data={"worker": str(free_worker.pk), "note": ""},
            # 丙 is offered 市北区's workers only: the form refuses 市南区's worker.
            other_org=p.bing, other_org_status=200,
        ),
        *standard_cases(p, "recuperation:candidate_detail", model=Candidate, action="view", obj=shown,
                        allowed=p.yi),
        *standard_cases(p, "recuperation:candidate_withdraw", model=Candidate, action="nominate",
                        obj=withdrawing, allowed=p.yi, method="post", data={"reason": "个人原因"}),
        Case("recuperation:candidate_attendance", allowed=p.jia, method="post", data={"attended": "0"},
             kwargs={"pk": attendee.pk}, denied=p.yi,
             no_other_org_because="only city administrators record attendance, over every batch"),
        *standard_cases(p, "recuperation:offer_accept", model=Offer, action="respond", obj=accept_offer,
                        allowed=p.yi, method="post", data={}),
        *standard_cases(p, "recuperation:offer_decline", model=Offer, action="respond", obj=decline_offer,
                        allowed=p.yi, method="post", data={"reason": "排班紧张"}),
        # --- figures
        Case("recuperation:programme_figures", allowed=p.viewer, kwargs={"pk": programme.pk},
             denied=p.counsellor, no_other_org_because="the figures count what each reader may report on"),
    ]
