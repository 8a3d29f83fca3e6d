"""The funds' demo (``nuanxin demo``): the finance people and a year of special money in 2020.

- Logins (password ``core.demo.DEMO_PASSWORD``): ``demo-clerk`` (财务经办人) and
  ``demo-approver`` (财务审批人) at 市南区总工会, ``demo-city-clerk`` and ``demo-city-approver``
  at 青岛市总工会 (the city approves what is above 市南区's threshold).
- The city's 疫情防控专项资金: an appropriation and a donation, allocated in one batch to a fund
  of every district (¥200,000 each).
- 市南区 allocates ¥30,000 to each of its three units at once (¥90,000: above the ¥50,000
  threshold, so approved by 市南区 and then by the city), and spends from its own fund and
  the units' in every category: protective supplies (quantities), a condolence round of ¥2,000
  for aid-team members (the register demo's workers of team hubei_aid), living allowances,
  comfort supplies, recuperation, mutual aid, volunteer service and other; one expenditure is
  rejected (moves no money), one recorded twice is reversed.
- A few other districts spend too, so the city's figures have something to add up.

Everything goes through the ledger's services with the demo users as actors, in one
transaction. Idempotent: when the city's fund exists, the money is left as it is.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.funds.choices import Category, EntryStatus, FundSource, IncomeKind, PayeeKind
from nuanxin.funds.models import Entry, Fund
from nuanxin.funds.services import funds as fund_services
from nuanxin.funds.services import ledger
from nuanxin.funds.services.ledger import Allocation
from nuanxin.orgs.models import Organisation

FUND = "疫情防控专项资金"
DISTRICT_FUND = "疫情防控专项资金（市总工会下拨）"
UNIT_FUND = "疫情防控专项资金（区总工会下拨）"
START = date(2020, 1, 1)
CITY, DISTRICT = "QD", "QD-SN"
UNITS = ("QD-SN-01", "QD-SN-02", "QD-SN-03")

# (username, full name, role, organisation code)
USERS = [
    ("demo-clerk", "钱经办", Role.FUND_CLERK, DISTRICT),
    ("demo-approver", "周审批", Role.FUND_APPROVER, DISTRICT),
    ("demo-city-clerk", "赵会计", Role.FUND_CLERK, CITY),
    ("demo-city-approver", "吴审批", Role.FUND_APPROVER, CITY),
]


def _org(code: str):
    return Organisation.objects.filter(code=code).first()


def _users() -> dict:
    from nuanxin.accounts.models import User
    from nuanxin.orgs import services as org_services

    out = {}
    for username, full_name, role, code in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user, _password = org_services.create_user(
                actor=SYSTEM,
                username=username,
                organisation=_org(code),
                role=role,
                password=DEMO_PASSWORD,
                full_name=full_name,
            )
        out[username] = user
    return out


def _approve(entry: Entry, approver, parent=None) -> Entry:
    entry = ledger.approve(actor=approver, entry=entry)
    if entry.status == EntryStatus.PARENT:
        entry = ledger.approve(actor=parent, entry=entry)
    return entry


def _open(actor, organisation, name: str, source: str, allocated_from=None) -> Fund:
    fund = Fund.objects.filter(organisation=organisation, name=name).first()
    return fund or fund_services.open_fund(
        actor=actor,
        organisation=organisation,
        name=name,
        source=source,
        starts_on=START,
        categories=list(Category.values),
        allocated_from=allocated_from,
    )


def _aid_team(district):
    from nuanxin.registry.models import Worker

    return list(
        Worker.objects.filter(organisation__path__startswith=district.path, team="hubei_aid").order_by("pk")[:20]
    )


@transaction.atomic
def build(*, out: Callable[[str], None] = print) -> None:
    """The finance logins, and the money where the city's fund does not exist yet."""
    city, district = _org(CITY), _org(DISTRICT)
    units = [u for u in (_org(code) for code in UNITS) if u is not None]
    if city is None or district is None:  # not the demo tree
        return
    u = _users()
    clerk, approver = u["demo-clerk"], u["demo-approver"]
    city_clerk, city_approver = u["demo-city-clerk"], u["demo-city-approver"]
    if Fund.objects.filter(organisation=city, name=FUND).exists():
        out(_("funds: already there"))
        return

    # The city: income, then one batch to every district.
    city_fund = _open(city_clerk, city, FUND, FundSource.OWN_BUDGET)
    for amount, kind, on, payee in (
        ("3000000", IncomeKind.APPROPRIATION, date(2020, 1, 25), ""),
        ("500000", IncomeKind.DONATION, date(2020, 2, 5), "青岛某企业（演示）"),
    ):
        _approve(ledger.record_income(actor=city_clerk, fund=city_fund, amount=amount, on=on, income_kind=kind,
                                      payee=payee), city_approver)  # fmt: skip
    districts = list(Organisation.objects.get_children(city).filter(kind="district_federation").order_by("path"))
    district_funds = {d.pk: _open(city_clerk, d, DISTRICT_FUND, FundSource.ALLOCATION, city_fund) for d in districts}
    for entry in ledger.record_allocations(
        actor=city_clerk,
        fund=city_fund,
        on=date(2020, 2, 1),
        description="疫情防控专项资金下拨各区（市）",
        allocations=[Allocation(f, Decimal("200000")) for f in district_funds.values()],
    ):
        _approve(entry, city_approver)
    sn_fund = district_funds[district.pk]

    # 市南区: one batch to its units (above the threshold: the city approves too).
    unit_funds = [_open(clerk, unit, UNIT_FUND, FundSource.ALLOCATION, sn_fund) for unit in units]
    if unit_funds:
        for entry in ledger.record_allocations(
            actor=clerk,
            fund=sn_fund,
            on=date(2020, 2, 10),
            description="下拨基层单位工会",
            allocations=[Allocation(f, Decimal("30000")) for f in unit_funds],
        ):
            _approve(entry, approver, city_approver)

    def spend(fund, amount, category, on, payee="", payee_kind=PayeeKind.SUPPLIER, **more) -> Entry:
        return ledger.record_expenditure(
            actor=clerk,
            fund=fund,
            amount=amount,
            category=category,
            on=on,
            payee=payee,
            payee_kind=payee_kind,
            **more,
        )

    _approve(spend(sn_fund, "45000", Category.PROTECTIVE, date(2020, 2, 12), "某医疗器械公司（演示）",
                   description="医用防护口罩", quantity="90000", unit="只"), approver)  # fmt: skip
    _approve(spend(sn_fund, "12000", Category.RECUPERATION, date(2020, 5, 20), "某疗养院（演示）",
                   description="援鄂医务人员疗休养"), approver)  # fmt: skip
    _approve(spend(sn_fund, "1500", Category.OTHER, date(2020, 4, 8), "某印刷厂（演示）",
                   description="宣传材料印制"), approver)  # fmt: skip
    team = _aid_team(district)
    if team:
        round_ = ledger.record_round(
            actor=clerk,
            fund=sn_fund,
            name="援鄂医疗队队员慰问",
            amount_per_person="2000",
            on=date(2020, 3, 6),
            workers=team,
            description="援鄂医疗队队员慰问金",
        )
        _approve(round_.entries.get(), approver)
    if unit_funds:
        first, second, third = (unit_funds + unit_funds[:1] * 3)[:3]
        _approve(spend(first, "6500", Category.COMFORT, date(2020, 2, 20), "某食品公司（演示）",
                       description="一线医护人员餐食、水果", quantity="260", unit="份"), approver)  # fmt: skip
        twice = _approve(spend(first, "6500", Category.COMFORT, date(2020, 2, 20), "某食品公司（演示）",
                               description="一线医护人员餐食、水果", quantity="260", unit="份"), approver)  # fmt: skip
        _approve(ledger.record_reversal(actor=clerk, entry=twice, reason="重复记账", on=date(2020, 2, 24)), approver)
        living_workers = [w for w in team if w.organisation_id == second.organisation_id][:3]
        if living_workers:
            payments = [ledger.Payment(w, Decimal("1000")) for w in living_workers]
            _approve(spend(second, str(1000 * len(payments)), Category.LIVING, date(2020, 3, 15),
                           payee_kind=PayeeKind.PERSON, description="一线职工生活补贴",
                           beneficiaries=payments), approver)  # fmt: skip
        else:
            _approve(spend(second, "3000", Category.LIVING, date(2020, 3, 15), "一线职工生活补贴（代发）",
                           description="一线职工生活补贴"), approver)  # fmt: skip
        rejected = spend(second, "9999", Category.OTHER, date(2020, 3, 18), "某商贸公司（演示）",
                         description="办公用品")  # fmt: skip
        ledger.reject(actor=approver, entry=rejected, reason="发票不全，且不属于专项资金支出范围")
        _approve(spend(third, "3000", Category.MUTUAL_AID, date(2020, 4, 1), "职工互助保障（演示）",
                       description="一线职工互助保障参保"), approver)  # fmt: skip
        _approve(spend(third, "2000", Category.VOLUNTEER, date(2020, 4, 15), "志愿服务队（演示）",
                       description="志愿者交通、餐食补助"), approver)  # fmt: skip

    # Other districts spend too (recorded by the city's clerk, approved by the city; each below
    # the districts' threshold, so the city's one approver suffices).
    for code, amount, category, month in (
        ("QD-LS", "48000", Category.PROTECTIVE, 2),
        ("QD-LS", "20000", Category.CONDOLENCE, 3),
        ("QD-SB", "30000", Category.COMFORT, 2),
        ("QD-CY", "45000", Category.PROTECTIVE, 3),
        ("QD-JM", "36000", Category.LIVING, 4),
        ("QD-CY", "15000", Category.RECUPERATION, 6),
    ):
        other = next((d for d in districts if d.code == code), None)
        if other is None:
            continue
        entry = ledger.record_expenditure(
            actor=city_clerk,
            fund=district_funds[other.pk],
            amount=amount,
            category=category,
            on=date(2020, month, 10),
            payee="演示供应商",
            payee_kind=PayeeKind.SUPPLIER,
            description="疫情防控支出",
        )
        _approve(entry, city_approver)
    out(
        _("funds: %(funds)s funds, %(entries)s entries")
        % {"funds": Fund.objects.count(), "entries": Entry.objects.count()}
    )


def logins() -> list[tuple[str, str, str, str]]:
    """(username, password, role, scope) of the finance demo users that exist."""
    from nuanxin.accounts.models import User

    existing = {u.username: u for u in User.objects.filter(username__in=[u[0] for u in USERS], is_active=True)}
    result = []
    for username, _full_name, role, code in USERS:
        user = existing.get(username)
        org = _org(code)
        if user is None or org is None or not user.check_password(DEMO_PASSWORD):
            continue
        result.append((username, DEMO_PASSWORD, str(Role(role).label), org.name))
    return result
