"""Authorization cases of the funds' pages and API operations: the list, a fund's page, opening
and changing funds, income, allocations, returns, the statement (page, xlsx, PDF), the
thresholds, and the API's funds and records.

Everything lives in 市南区: a fund with money, a clerk and approvers there (their own
accounts: ``ledger_people``), a fund of its hospital for allocations and returns. A clerk and an
approver of 市北区 hold the roles but not the funds (404, nothing changed); the union admins
(乙) see and manage but record nothing (403 on the clerk's pages)."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

from nuanxin.core.roles import Role
from nuanxin.funds.models import ApprovalRule, Fund
from nuanxin.funds.services import ledger
from nuanxin.funds.tests.fixtures import approve_fully, fund_with, open_fund, user
from tests.authz import Case, standard_cases

ON = "2020-02-01"
_built: dict[int, SimpleNamespace] = {}


def ledger_people(p) -> SimpleNamespace:
    """The ledger's authorization world, built once per personas object (the areas' cases run
    one after another in the same database)."""
    cached = _built.get(id(p))
    if cached is not None and Fund.objects.filter(pk=cached.fund.pk).exists():
        return cached
    clerk = user("authz-ledger-clerk", p.shinan, Role.FUND_CLERK, "台账经办人")
    approver = user("authz-ledger-approver", p.shinan, Role.FUND_APPROVER, "台账审批人")
    bclerk = user("authz-ledger-bclerk", p.shibei, Role.FUND_CLERK, "北台账经办人")
    bapprover = user("authz-ledger-bapprover", p.shibei, Role.FUND_APPROVER, "北台账审批人")
    fund = fund_with(clerk, approver, p.shinan, "40000", name="授权台账资金")
    hospital = open_fund(clerk, p.shinan_hospital, "授权台账资金")
    allocated = ledger.record_allocations(
        actor=clerk, fund=fund, on=date(2020, 1, 25), allocations=[ledger.Allocation(hospital, "5000")]
    )
    approve_fully(allocated[0], approver)
    world = SimpleNamespace(
        clerk=clerk, approver=approver, bclerk=bclerk, bapprover=bapprover, fund=fund, hospital=hospital,
        editable=open_fund(clerk, p.shinan, "授权编辑资金"),
    )
    _built[id(p)] = world
    return world


def cases(p) -> list[Case]:
    w = ledger_people(p)
    fund, clerk = w.fund, w.clerk
    return [
        *standard_cases(p, "funds:fund_list", model=Fund, action="view", allowed=clerk),
        *standard_cases(p, "funds:fund_detail", model=Fund, action="view", obj=fund, allowed=clerk),
        *standard_cases(
            p, "funds:fund_create", model=Fund, action="manage", allowed=clerk,
            data={"organisation": p.shinan_hospital.pk, "name": "新开专项资金", "source": "own_budget",
                  "starts_on": "2020-01-01", "categories": ["protective", "condolence"]},
            # 市北区's clerk is offered 市北区's organisations only: the form refuses the hospital.
            other_org=w.bclerk, other_org_status=200,
        ),
        *standard_cases(
            p, "funds:fund_edit", model=Fund, action="manage", obj=w.editable, allowed=clerk,
            data={"name": "授权编辑资金（改）", "source": "donation", "starts_on": "2020-01-01",
                  "categories": ["other"], "active": "on", "version": "1"},
        ),
        *standard_cases(
            p, "funds:income_create", model=Fund, action="record", obj=fund, lookup="fund_pk", allowed=clerk,
            data={"income_kind": "donation", "amount": "100", "on": ON}, other_org=w.bclerk,
        ),
        *standard_cases(
            p, "funds:allocation_create", model=Fund, action="record", obj=fund, lookup="fund_pk", allowed=clerk,
            data={"on": ON, "same_amount": "100", f"pick_{p.shinan_hospital.pk}": "on"}, other_org=w.bclerk,
        ),
        *standard_cases(
            p, "funds:return_create", model=Fund, action="record", obj=w.hospital, lookup="fund_pk",
            allowed=clerk, data={"to_fund": fund.pk, "amount": "10", "on": ON}, other_org=w.bclerk,
        ),
        *standard_cases(p, "funds:statement", model=Fund, action="detail", obj=fund, allowed=clerk),
        *standard_cases(
            p, "funds:statement_xlsx", model=Fund, action="export", obj=fund, allowed=clerk,
            audits="funds.statement.export",
        ),
        *standard_cases(
            p, "funds:statement_pdf", model=Fund, action="export", obj=fund, allowed=clerk,
            audits="funds.statement.export",
        ),
        *standard_cases(
            p, "funds:thresholds", model=ApprovalRule, action="change", allowed=p.yi,
            data={"organisation": p.shinan_hospital.pk, "threshold": "60000"},
            # 丙 is offered the organisations below 市北区 only: the form refuses the hospital.
            other_org=p.bing, other_org_status=200,
        ),
        # --- the API ---
        *standard_cases(p, "GET /api/v1/funds", model=Fund, action="view", allowed=clerk),
        *standard_cases(
            p, "POST /api/v1/funds", model=Fund, action="manage", allowed=clerk,
            data={"organisation": p.shinan_hospital.code, "name": "接口专项资金", "starts_on": "2020-01-01",
                  "categories": ["protective"]},
            other_org=w.bclerk,
        ),
        *standard_cases(
            p, "GET /api/v1/funds/{fund_id}", model=Fund, action="view", obj=fund, lookup="fund_id", allowed=clerk
        ),
        *standard_cases(
            p, "GET /api/v1/funds/{fund_id}/entries", model=Fund, action="detail", obj=fund, lookup="fund_id",
            allowed=clerk,
        ),
        *standard_cases(
            p, "POST /api/v1/funds/{fund_id}/income", model=Fund, action="record", obj=fund, lookup="fund_id",
            allowed=clerk, data={"amount": "100", "on": ON}, other_org=w.bclerk,
        ),
        *standard_cases(
            p, "POST /api/v1/funds/{fund_id}/allocations", model=Fund, action="record", obj=fund, lookup="fund_id",
            allowed=clerk, data={"to_fund": w.hospital.pk, "amount": "100", "on": ON}, other_org=w.bclerk,
        ),
        *standard_cases(
            p, "POST /api/v1/funds/{fund_id}/expenditures", model=Fund, action="record", obj=fund,
            lookup="fund_id", allowed=clerk,
            data={"amount": "100", "category": "protective", "on": ON, "payee": "某医疗器械公司",
                  "payee_kind": "supplier", "quantity": "20", "unit": "箱"},
            other_org=w.bclerk,
        ),
    ]
