"""Shared test data of the funds, built through the services (authorization cases and tests).

On top of the personas of the root conftest (``p``): finance clerks and approvers at 市南区
(two approvers: maker-checker needs a second person, the threshold a third), a clerk and an
approver at 市北区 (the other organisation), an approver at the city (the parent of the
districts), and funds with money in them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.funds.choices import Category, IncomeKind
from nuanxin.funds.models import Entry, Fund
from nuanxin.funds.services import funds as fund_services
from nuanxin.funds.services import ledger
from nuanxin.orgs import services as org_services

PASSWORD = "Persona-pass-2020"
START = date(2020, 1, 1)


@dataclass
class FundPeople:
    clerk: object  # fund_clerk at 市南区
    approver: object  # fund_approver at 市南区
    approver2: object  # a second fund_approver at 市南区
    city_clerk: object  # fund_clerk at the city
    city_approver: object  # fund_approver at the city (the districts' parent)
    city_approver2: object  # a second one at the city
    bing_clerk: object  # fund_clerk at 市北区 (the other organisation)
    bing_approver: object  # fund_approver at 市北区


def user(username: str, org, role: str, full_name: str):
    u, _ = org_services.create_user(
        actor=SYSTEM, username=username, organisation=org, role=role, password=PASSWORD, full_name=full_name
    )
    return u


def build_people(p) -> FundPeople:
    return FundPeople(
        clerk=user("fclerk", p.shinan, Role.FUND_CLERK, "经办人"),
        approver=user("fapprover", p.shinan, Role.FUND_APPROVER, "审批人"),
        approver2=user("fapprover2", p.shinan, Role.FUND_APPROVER, "审批人二"),
        city_clerk=user("cityclerk", p.city, Role.FUND_CLERK, "市经办人"),
        city_approver=user("cityapprover", p.city, Role.FUND_APPROVER, "市审批人"),
        city_approver2=user("cityapprover2", p.city, Role.FUND_APPROVER, "市审批人二"),
        bing_clerk=user("bclerk", p.shibei, Role.FUND_CLERK, "北经办人"),
        bing_approver=user("bapprover", p.shibei, Role.FUND_APPROVER, "北审批人"),
    )


def open_fund(actor, organisation, name: str = "疫情防控专项资金", categories=None, **fields) -> Fund:
    return fund_services.open_fund(
        actor=actor,
        organisation=organisation,
        name=name,
        source=fields.pop("source", "own_budget"),
        starts_on=fields.pop("starts_on", START),
        ends_on=fields.pop("ends_on", None),
        categories=list(Category.values) if categories is None else categories,
        **fields,
    )


def fund_with(clerk, approver, organisation, amount, *, name: str = "疫情防控专项资金", on=date(2020, 1, 20)) -> Fund:
    """A fund of ``organisation`` holding ``amount`` (income recorded by ``clerk`` and approved
    by ``approver``; below the threshold, or at the root)."""
    fund = open_fund(clerk, organisation, name)
    entry = ledger.record_income(
        actor=clerk, fund=fund, amount=Decimal(amount), on=on, income_kind=IncomeKind.APPROPRIATION
    )
    approve_fully(entry, approver)
    return fund


def approve_fully(entry: Entry, approver, parent_approver=None) -> Entry:
    """Approve ``entry``, and at the parent's step too when it is above the threshold."""
    entry = ledger.approve(actor=approver, entry=entry)
    if entry.status == "parent":
        assert parent_approver is not None, "above the threshold: give the parent's approver"
        entry = ledger.approve(actor=parent_approver, entry=entry)
    return entry
