"""The demo of the employment area (``nuanxin demo``), all through the services:

- partner employers of 市南区 (a property company with two leads), of the city (a supermarket
  chain with two leads) and of a hospital union (its catering service, one lead), and one of
  市南区 set inactive;
- families of 青岛大学附属医院 (QD-SN-01, the care contact demo-care's) helped: two family members
  helped into work (referred, interviewed, employed), one referred and waiting for the employer,
  one still seeking (opened from a care visit when there is one), one closed without a job.

The actor is a labour-rights officer whose grants cover 市南区 (the arrangements demo's) when one
exists, else the district administrator demo-district, else the system; cases are opened by the
care contact demo-care when the family is assigned to them. Idempotent: a second run changes
nothing once the demo's employers exist."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.care.models import Visit
from nuanxin.cases import services as cases
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.labour.choices import EmploymentStatus, ReferralOutcome
from nuanxin.labour.models import EmploymentCase, PartnerEmployer
from nuanxin.labour.services import employment as services
from nuanxin.orgs.models import Organisation
from nuanxin.registry.models import FamilyMember, Worker

DISTRICT = "QD-SN"
UNIT = "QD-SN-01"
MARK = "市南区海岸物业服务有限公司"  # the demo's first employer: present = the demo ran


def _user(username: str) -> Any:
    return get_user_model().objects.filter(username=username, is_active=True).first()


def _officer(district: Organisation) -> Any:
    """A labour-rights officer who may act on 市南区's cases, else the district admin, else the system."""
    officers = (
        get_user_model()
        .objects.filter(is_active=True, grants__role=Role.LABOUR_OFFICER, grants__organisation__isnull=False)
        .distinct()
    )
    for user in officers.order_by("pk"):
        if PartnerEmployer.policy.allows_in(user, "change", district):
            return user
    return _user("demo-district") or SYSTEM


def build(*, out: Callable[[str], None] = print) -> None:
    district = Organisation.objects.filter(code=DISTRICT).first()
    unit = Organisation.objects.filter(code=UNIT).first()
    city = Organisation.objects.filter(depth=1).order_by("path").first()
    if district is None or unit is None or city is None:
        out(_("employment help: the organisations demo is missing; skipped"))
        return
    if PartnerEmployer.objects.filter(organisation=district, name=MARK).exists():
        out(_("employment help: already there"))
        return
    with transaction.atomic():
        _build(district, unit, city, out)


def _build(district: Organisation, unit: Organisation, city: Organisation, out: Callable[[str], None]) -> None:
    actor = _officer(district)
    today = timezone.localdate()
    prop = services.create_employer(
        actor=actor,
        organisation=district,
        name=MARK,
        contact_name="周经理",
        contact_mobile="13905320101",
        area="市南区",
    )
    cleaner = services.add_lead(
        actor=actor,
        employer=prop,
        title="保洁员",
        area="市南区",
        requirements="身体健康，能吃苦耐劳；50 岁以下。",
        pay="3200–3600 元/月",
        openings=4,
        open_until=today + timedelta(days=60),
    )
    desk = services.add_lead(
        actor=actor,
        employer=prop,
        title="物业前台接待",
        area="市南区",
        requirements="高中以上学历，会用电脑。",
        pay="3800 元/月",
        openings=1,
        open_until=today + timedelta(days=20),
    )
    market = services.create_employer(
        actor=_user("demo-city") or SYSTEM,
        organisation=city,
        name="青岛利群便民超市",
        contact_name="孙主管",
        contact_mobile="13905320102",
        area="全市",
    )
    cashier = services.add_lead(
        actor=_user("demo-city") or SYSTEM,
        employer=market,
        title="收银员",
        area="市南区 市北区",
        requirements="有收银经验者优先。",
        pay="3500 元/月 + 绩效",
        openings=6,
    )
    services.add_lead(
        actor=_user("demo-city") or SYSTEM,
        employer=market,
        title="理货员",
        area="崂山区",
        pay="3300 元/月",
        openings=3,
    )
    canteen = services.create_employer(
        actor=actor, organisation=unit, name="青大附院职工餐厅", contact_name="刘师傅", area="市南区"
    )
    cook = services.add_lead(actor=actor, employer=canteen, title="面点师助理", area="市南区", pay="4000 元/月")
    old = services.create_employer(actor=actor, organisation=district, name="市南区旧货市场", area="市南区")
    services.update_employer(actor=actor, employer=old, name=old.name, area=old.area, active=False)

    care = _user("demo-care")
    families = [
        w
        for w in Worker.objects.filter(organisation=unit).order_by("pk")
        if FamilyMember.objects.filter(worker=w).exists()
    ][:5]
    if len(families) < 5:
        out(
            _("employment help: only %(count)s families with members at %(unit)s")
            % {"count": len(families), "unit": UNIT}
        )
    plans = [
        ("employed", cleaner, "做过酒店客房服务", "保洁、后勤"),
        ("employed", cashier, "超市工作五年", "收银"),
        ("referred", desk, "大专，会计基础", "前台、文员"),
        ("seeking", None, "会开车，有 C1 驾照", "司机、配送"),
        ("closed", cook, "", "厨房帮工"),
    ]
    for worker, (end, lead, skills, wishes) in zip(families, plans, strict=False):
        member = FamilyMember.objects.filter(worker=worker).order_by("-is_primary", "id").first()
        opener = care if care is not None and cases.may_open(care, EmploymentCase, worker) else actor
        visit = Visit.objects.filter(worker=worker).order_by("-on").first() if end == "seeking" else None
        case = services.open_employment(
            actor=opener,
            worker=worker,
            family_member=member,
            skills=skills,
            wishes=wishes,
            area="市南区",
            visit=visit,
        )
        if lead is None:
            continue
        referral = services.refer(
            actor=actor, case=case, lead=lead, referred_on=today - timedelta(days=14), notes="已电话推荐给用人单位"
        )
        if end == "employed":
            services.record_outcome(
                actor=actor, referral=referral, outcome=ReferralOutcome.INTERVIEW, outcome_on=today - timedelta(days=10)
            )
            services.record_outcome(
                actor=actor, referral=referral, outcome=ReferralOutcome.EMPLOYED, outcome_on=today - timedelta(days=5)
            )
        elif end == "closed":
            services.record_outcome(
                actor=actor,
                referral=referral,
                outcome=ReferralOutcome.NOT_EMPLOYED,
                outcome_on=today - timedelta(days=7),
            )
            services.change_employment_status(
                actor=actor, case=case, to=EmploymentStatus.CLOSED, note="家属暂时不需要工作了"
            )
    out(
        _(
            "employment help: %(employers)s partner employers (one inactive), %(leads)s job leads, %(cases)s "
            "employment cases at %(unit)s"
        )
        % {
            "employers": 4,
            "leads": 5,
            "cases": EmploymentCase.objects.filter(organisation=unit).count(),
            "unit": UNIT,
        }
    )
