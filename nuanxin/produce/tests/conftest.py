"""Shared data of the produce tests, built through the services, at a fixed time.

On top of the personas (``p``): a care campaign whose families 安一, 安二 (市南区人民医院工会,
SN-H1) are assigned to the care contact ``p.care`` and 北一 (SB-H1) to 北联系人; a supplier of the
city (CITY), pickup points 市南区站 (SN), 市北区站 (SB) and 市南医院站 (SN-H1); a fund of 市南区
allowing comfort supplies; and 市南区站's offer of the week of Monday 2020-02-03 (cut-off
Wednesday 2020-02-05 18:00, pickup Friday 2020-02-07), open, with a parcel (¥60, subsidised ¥30,
one per family), eggs (¥15 a box, ¥10, at most two) and a fish (¥35, ¥20, one).
Every test using ``pw`` runs at Monday 2020-02-03 09:00 (Asia/Shanghai), the clock stopped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from nuanxin.care import services as care_services
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.funds.choices import Category
from nuanxin.funds.services import funds as fund_services
from nuanxin.orgs import services as org_services
from nuanxin.orgs.models import Organisation
from nuanxin.produce.services import catalogue, offers
from nuanxin.registry import services as registry_services

SHANGHAI = ZoneInfo("Asia/Shanghai")
WEEK = date(2020, 2, 3)
NOW = datetime(2020, 2, 3, 9, 0, tzinfo=SHANGHAI)
CUTOFF = datetime(2020, 2, 5, 18, 0, tzinfo=SHANGHAI)
PICKUP = date(2020, 2, 7)
_mobiles = iter(range(1, 10_000))


def mobile() -> str:
    return f"1380013{next(_mobiles):04d}"


def family(org: Any, name: str, *, member_mobile: bool = True) -> Any:
    w = registry_services.create_worker(
        actor=SYSTEM, organisation=org, name=name, team="hubei_aid", mobile=mobile(), allow_duplicate=True
    )
    registry_services.add_family_member(
        actor=SYSTEM, worker=w, name=name + "家属", relation="配偶", mobile=mobile() if member_mobile else ""
    )
    return type(w).objects.select_related("organisation").get(pk=w.pk)


@dataclass
class ProduceWorld:
    p: Any
    campaign: Any
    a1: Any
    a2: Any
    b1: Any
    care_sb: Any
    keeper: Any  # point keeper of 市南区
    supplier: Any
    sn_point: Any
    sb_point: Any
    unit_point: Any
    fund: Any
    offer: Any
    parcel: Any
    eggs: Any
    fish: Any

    def org(self, code: str) -> Organisation:
        return Organisation.objects.get(code=code)


def build_produce_world(p: Any, *, week: date = WEEK, cutoff: datetime = CUTOFF, pickup: date = PICKUP) -> ProduceWorld:
    sn, sb, sn_h1, sb_h1, city = (Organisation.objects.get(code=c) for c in ("SN", "SB", "SN-H1", "SB-H1", "CITY"))
    campaign = care_services.create_campaign(actor=SYSTEM, name="暖心行动", starts_on=date(2020, 1, 24))
    a1, a2, b1 = family(sn_h1, "安一"), family(sn_h1, "安二"), family(sb_h1, "北一")
    care_sb, _pw = org_services.create_user(
        actor=SYSTEM,
        username="care_sb",
        organisation=sb_h1,
        role=Role.CARE_CONTACT,
        password="Care-pass-2020x",
        full_name="北联系人",
    )
    keeper, _pw = org_services.create_user(
        actor=SYSTEM,
        username="keeper",
        organisation=sn,
        role=Role.POINT_KEEPER,
        password="Keeper-pass-2020x",
        full_name="值守员",
    )
    care_services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=[a1, a2], contact=p.care)
    care_services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=[b1], contact=care_sb)
    supplier = catalogue.create_supplier(
        actor=SYSTEM,
        organisation=city,
        name="崂山蔬菜基地",
        contact_name="王经理",
        contact_mobile="13900000001",
        products="时令蔬菜、鸡蛋",
    )
    sn_point = catalogue.create_point(
        actor=SYSTEM,
        organisation=sn,
        name="市南区站",
        address="香港中路1号",
        hours="9:00-18:00",
        contact_name="李站长",
        contact_mobile="13900000002",
    )
    sb_point = catalogue.create_point(actor=SYSTEM, organisation=sb, name="市北区站", address="辽宁路2号")
    unit_point = catalogue.create_point(actor=SYSTEM, organisation=sn_h1, name="市南医院站", address="医院路3号")
    fund = fund_services.open_fund(
        actor=SYSTEM,
        organisation=sn,
        name="暖心蔬菜补贴",
        starts_on=date(2020, 1, 1),
        categories=[Category.COMFORT],
    )
    offer = offers.create_offer(
        actor=SYSTEM, point=sn_point, week=week, cutoff_at=cutoff, pickup_on=pickup, title="第一周蔬菜包", fund=fund
    )
    parcel = offers.add_item(
        actor=SYSTEM,
        offer=offer,
        supplier=supplier,
        name="蔬菜包",
        unit="份",
        price="60.00",
        subsidised_price="30.00",
        max_quantity=1,
    )
    eggs = offers.add_item(
        actor=SYSTEM,
        offer=offer,
        supplier=supplier,
        name="鸡蛋",
        unit="盒",
        price="15.00",
        subsidised_price="10.00",
        max_quantity=2,
    )
    fish = offers.add_item(
        actor=SYSTEM,
        offer=offer,
        supplier=supplier,
        name="鲅鱼",
        unit="条",
        price="35.00",
        subsidised_price="20.00",
        max_quantity=1,
    )
    offer = offers.open_offer(actor=SYSTEM, offer=offer)
    return ProduceWorld(
        p,
        campaign,
        a1,
        a2,
        b1,
        care_sb,
        keeper,
        supplier,
        sn_point,
        sb_point,
        unit_point,
        fund,
        offer,
        parcel,
        eggs,
        fish,
    )


@pytest.fixture
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def pw(personas, clock) -> ProduceWorld:
    return build_produce_world(personas)


@pytest.fixture
def sms_file(settings, tmp_path):
    settings.NUANXIN_SMS_BACKEND = "nuanxin.notify.sms.FileBackend"
    settings.NUANXIN_SMS_FILE = tmp_path / "sms.jsonl"
    return settings.NUANXIN_SMS_FILE


def money(text: str) -> Decimal:
    return Decimal(text)
