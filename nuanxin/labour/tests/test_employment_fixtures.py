"""The employment tests' world (no tests here): a family of 市南区人民医院工会 assigned to the
care contact, a labour-rights officer of 市南区, partner employers at the unit, the district,
the city and 市北区 with leads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.utils import timezone

from nuanxin.care import services as care_services
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.labour.models import JobLead
from nuanxin.labour.services import employment as services
from nuanxin.orgs import services as org_services
from nuanxin.orgs.models import Organisation
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType


@dataclass
class World:
    p: Any
    worker: Any
    member: Any
    other_worker: Any  # 市北区
    officer: Any  # labour-rights officer of 市南区
    unit_employer: Any
    district_employer: Any
    city_employer: Any
    north_employer: Any
    cleaner: Any  # district lead, 市南区
    cashier: Any  # city lead, 市北区 area
    carer: Any  # unit lead
    north_lead: Any  # 市北区's lead: never offered to 市南区
    closed_lead: Any


def org(code: str):
    return Organisation.objects.get(code=code)


def build(p) -> World:
    today = timezone.localdate()
    worker = registry_services.create_worker(
        actor=SYSTEM, organisation=org("SN-H1"), name="就业甲", team=TeamType.HUBEI_AID, mobile="13800041001"
    )
    member = registry_services.add_family_member(
        actor=SYSTEM, worker=worker, name="就业甲妻", relation="配偶", mobile="13800041002"
    )
    other_worker = registry_services.create_worker(
        actor=SYSTEM, organisation=org("SB-H1"), name="就业乙", team=TeamType.HUBEI_AID, mobile="13800041003"
    )
    campaign = care_services.create_campaign(actor=SYSTEM, name="就业测试行动", starts_on=today - timedelta(days=7))
    care_services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=[worker], contact=p.care)
    officer, _pw = org_services.create_user(
        actor=SYSTEM,
        username="labour-sn",
        organisation=org("SN"),
        role=Role.LABOUR_OFFICER,
        password=p.password,
        full_name="劳保干事",
    )
    unit_employer = services.create_employer(actor=SYSTEM, organisation=org("SN-H1"), name="医院后勤公司")
    district_employer = services.create_employer(
        actor=SYSTEM, organisation=org("SN"), name="市南物业", area="市南区", contact_mobile="13800041009"
    )
    city_employer = services.create_employer(actor=SYSTEM, organisation=org("CITY"), name="全市超市")
    north_employer = services.create_employer(actor=SYSTEM, organisation=org("SB"), name="市北工厂")
    cleaner = services.add_lead(
        actor=SYSTEM, employer=district_employer, title="保洁员", area="市南区", pay="3500元/月", openings=3
    )
    cashier = services.add_lead(
        actor=SYSTEM, employer=city_employer, title="收银员", area="市北区", open_until=today + timedelta(days=30)
    )
    carer = services.add_lead(actor=SYSTEM, employer=unit_employer, title="护工", area="")
    north_lead = services.add_lead(actor=SYSTEM, employer=north_employer, title="包装工", area="市南区")
    closed_lead = services.add_lead(
        actor=SYSTEM, employer=district_employer, title="门卫", area="市南区", open_until=today
    )
    JobLead.objects.filter(pk=closed_lead.pk).update(open_until=today - timedelta(days=1))  # closed yesterday
    return World(
        p=p,
        worker=worker,
        member=member,
        other_worker=other_worker,
        officer=officer,
        unit_employer=unit_employer,
        district_employer=district_employer,
        city_employer=city_employer,
        north_employer=north_employer,
        cleaner=cleaner,
        cashier=cashier,
        carer=carer,
        north_lead=north_lead,
        closed_lead=closed_lead,
    )
