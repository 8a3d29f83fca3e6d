"""The demo of the legal area: the city's lawyer team (青岛市总工会律师服务团, four lawyers, one of
them at 市南区) and legal-aid cases of families of 市南区's hospitals at every step — a consultation
referred from a care visit, one three weeks from its arbitration time limit (warned of), a
mediation, an arbitration, a litigation and a closed one with the amount recovered. The cases are
opened and moved through the services by the labour-rights officer ``demo-labour`` (the
arrangements' demo makes the account) or, without it, by the system. Run again, it adds nothing
(the cases are made only while there are none)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.policy import SYSTEM

LAWYERS = [
    # (organisation, name, firm, mobile, specialties, capacity)
    ("QD", "孙明远", "山东琴岛律师事务所", "13905320101", ["wages", "contract", "dismissal"], 6),
    ("QD", "李静怡", "山东德衡律师事务所", "13905320102", ["work_injury", "insurance"], 5),
    ("QD", "赵国栋", "山东文康律师事务所", "13905320103", ["hours", "wages", "other"], 4),
    ("QD-SN", "陈晓雯", "山东青岛律师事务所", "13905320104", ["contract", "dismissal", "insurance"], 3),
]

# (kind, other party, facts, days since the right was infringed, steps to take, claimant)
CASES = [
    (
        "wages",
        "青岛某保洁服务有限公司",
        "配偶在医院外包保洁公司工作，疫情期间被拖欠工资三个月，共计一万二千余元。",
        45,
        [],
        "family",
    ),
    (
        "dismissal",
        "青岛某商贸有限公司",
        "援鄂期间，家属所在公司以“长期缺勤”为由解除劳动合同，未支付经济补偿。",
        365 - 21,
        [],
        "family",
    ),
    ("work_injury", "青岛某物流有限公司", "家属在仓库作业时受伤，公司拒绝申报工伤。", 120, ["mediation"], "family"),
    (
        "contract",
        "青岛某民营医院",
        "本人原单位未签订书面劳动合同，要求支付二倍工资差额。",
        200,
        ["mediation", "arbitration"],
        "worker",
    ),
    (
        "insurance",
        "青岛某科技有限公司",
        "家属所在公司未足额缴纳社会保险。",
        300,
        ["mediation", "arbitration", "litigation"],
        "family",
    ),
    (
        "wages",
        "青岛某餐饮管理有限公司",
        "家属被拖欠加班费，经调解后公司同意支付。",
        150,
        ["mediation", "closed"],
        "family",
    ),
]


def _org(code: str) -> Any:
    from nuanxin.orgs.models import Organisation

    return Organisation.objects.filter(code=code).first()


def _actor() -> Any:
    from nuanxin.accounts.models import User

    return User.objects.filter(username="demo-labour", is_active=True).first() or SYSTEM


def _care_contact(worker: Any) -> Any:
    from nuanxin.care.models import CareAssignment

    assignment = CareAssignment.objects.current().filter(worker=worker).select_related("contact").first()
    return assignment.contact if assignment is not None else None


def _lawyers(out: Callable[[str], None]) -> list[Any]:
    from nuanxin.labour.models import Lawyer
    from nuanxin.labour.services import lawyers

    made = []
    for code, name, firm, mobile, specialties, capacity in LAWYERS:
        org = _org(code)
        if org is None:
            continue
        found = Lawyer.objects.filter(organisation=org, name=name).first()
        made.append(
            found
            or lawyers.create_lawyer(
                actor=SYSTEM,
                organisation=org,
                name=name,
                firm=firm,
                mobile=mobile,
                specialties=specialties,
                capacity=capacity,
            )
        )
    out("  " + _("lawyers: %(count)s") % {"count": len(made)})
    return made


@transaction.atomic
def build(*, out: Callable[[str], None] = print) -> None:
    from nuanxin.care.models import Visit
    from nuanxin.labour.models import LegalCase
    from nuanxin.labour.services import lawyers as lawyer_services
    from nuanxin.labour.services import legal
    from nuanxin.registry.models import FamilyMember, Worker

    district = _org("QD-SN")
    if district is None:
        return
    team = _lawyers(out)
    if LegalCase.objects.exists() or not team:
        return
    pool = list(
        Worker.objects.filter(organisation__path__startswith=district.path, family__isnull=False)
        .exclude(organisation=district)
        .select_related("organisation")
        .distinct()
        .order_by("pk")[:50]
    )
    # The first case is referred by a family's care contact: a family that has one comes first.
    referred = next((w for w in pool if _care_contact(w) is not None), None)
    workers = ([referred] if referred is not None else []) + [w for w in pool if w is not referred]
    workers = workers[: len(CASES)]
    if len(workers) < len(CASES):
        return
    actor = _actor()
    today = timezone.localdate()
    opened = []
    for i, (worker, (kind, other_party, facts, days, steps, claimant)) in enumerate(zip(workers, CASES, strict=True)):
        member = FamilyMember.objects.filter(worker=worker).order_by("-is_primary", "pk").first()
        visit = Visit.objects.filter(worker=worker).order_by("-on", "-pk").first() if i == 0 else None
        candidates = [lw for lw in lawyer_services.candidates(worker.organisation, kind) if lw.load < lw.capacity]  # type: ignore[attr-defined]
        referrer = _care_contact(worker) if i == 0 else None  # the first is referred from the care work
        case = legal.open_legal_case(
            actor=referrer or actor,
            worker=worker,
            claimant=claimant if member is not None else "worker",
            family_member=member if claimant == "family" else None,
            kind=kind,
            other_party=other_party,
            facts=facts,
            infringed_on=today - timedelta(days=days),
            lawyer=candidates[0] if candidates and i > 0 else None,  # the referral waits for its lawyer
            visit=visit,
        )
        for step in steps:
            if step == "closed":
                case = legal.change_legal_status(
                    actor=actor,
                    case=case,
                    to="closed",
                    note="调解成功，公司已支付拖欠的加班费。",
                    outcome="settled",
                    amount_recovered=Decimal("36800.00"),
                )
            else:
                case = legal.change_legal_status(actor=actor, case=case, to=step)
        # The steps happened over the weeks since the case was opened (the demo's dates).
        spread = {
            field: timezone.now() - timedelta(days=max(1, days // 2 - 20 * n))
            for n, field in enumerate(("mediation_at", "arbitration_at", "litigation_at"))
            if getattr(case, field) is not None
        }
        if spread:
            LegalCase.objects.filter(pk=case.pk).update(**spread)
        opened.append(case)
    warned = legal.warn_time_limits(actor=SYSTEM)
    out(
        "  "
        + _("legal-aid cases: %(count)s (%(warned)s near the arbitration time limit warned of)")
        % {"count": len(opened), "warned": warned}
    )
