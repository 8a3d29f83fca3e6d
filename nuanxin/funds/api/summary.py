"""The funds API: the figures rolled up the tree (``GET /api/v1/funds/summary``), the same as
the figures page, under the same policy (the funds' "view": viewers too). Amounts only, as
decimal strings: never an entry, a payee or a beneficiary."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Schema

from nuanxin.core import apiutils
from nuanxin.funds.models import Fund
from nuanxin.funds.selectors import figures as selectors

router = apiutils.ScopedRouter(tags=["funds"])


class FundSummaryFilter(Schema):
    org: str | None = Field(
        None, description="Organisation code: it and its whole subtree (default: the root of your reach)."
    )
    from_: str | None = Field(
        None, alias="from", description="First month, YYYY-MM (a day YYYY-MM-DD stands for its month)."
    )
    to: str | None = Field(
        None,
        description="Last month, YYYY-MM, included (default: the last month with figures). At most 120 months.",
    )


class FundSummaryFigures(Schema):
    opening: str = Field(description="What remained before the first month.")
    income: str = Field(description="Income received (appropriations, donations) in the subtree.")
    received_from_above: str = Field(description="Allocated to the subtree from above, net of allocations inside.")
    allocated_down: str = Field(description="Allocated down by the organisation's own funds.")
    returned_up: str = Field(description="Returned up out of the subtree.")
    spent: str = Field(description="Spent in the subtree (投入资金), counted once, where it was spent.")
    remaining: str = Field(description="What remained at the end of the last month.")
    spent_to_date: str = Field(description="Spent since the first posting, up to the end of the last month.")


class FundSummaryCategory(Schema):
    category: str
    label: str
    amount: str


class FundSummaryMonth(FundSummaryFigures):
    month: str = Field(description="YYYY-MM")
    by_category: dict[str, str] = Field(description="Spent in the month per category code.")


class FundSummaryChild(FundSummaryFigures):
    organisation: str = Field(description="The child organisation's code (its whole subtree).")
    name: str
    partial: bool = Field(description="Only the parts of it in your reach are counted.")


class FundSummaryOrg(Schema):
    code: str
    name: str


class FundSummaryOut(Schema):
    organisation: FundSummaryOrg
    partial: bool = Field(description="Your grants cover only parts of the organisation: their sum is given.")
    from_: str = Field(alias="from", description="First month, YYYY-MM.")
    to: str = Field(description="Last month, YYYY-MM.")
    totals: FundSummaryFigures
    by_category: list[FundSummaryCategory]
    by_month: list[FundSummaryMonth]
    own: FundSummaryFigures | None = Field(description="The organisation's own funds (null for partial figures).")
    children: list[FundSummaryChild]


def _amounts(row: dict[str, Any]) -> dict[str, str]:
    return {key: str(row[key]) for key in FundSummaryFigures.model_fields}


def summary_data(figures: dict[str, Any]) -> dict[str, Any]:
    """The figures as the API sends them (amounts as decimal strings)."""
    p = figures["period"]
    org = figures["organisation"]
    return {
        "organisation": {"code": org.code, "name": org.name},
        "partial": figures["partial"],
        "from": p.first.strftime("%Y-%m"),
        "to": p.last.strftime("%Y-%m"),
        "totals": _amounts(figures["totals"]),
        "by_category": [
            {"category": c["category"], "label": c["label"], "amount": str(c["amount"])} for c in figures["by_category"]
        ],
        "by_month": [
            {
                "month": m["month"].strftime("%Y-%m"),
                **_amounts(m),
                "by_category": {code: str(amount) for code, amount in m["by_category"].items()},
            }
            for m in figures["months"]
        ],
        "own": _amounts(figures["own"]) if figures["own"] else None,
        "children": [
            {
                "organisation": c["organisation"].code,
                "name": c["organisation"].name,
                "partial": c["partial"],
                **_amounts(c),
            }
            for c in figures["children"]
        ],
    }


@router.get(
    "/funds/summary",
    model=Fund,
    action="view",
    response=FundSummaryOut,
    by_alias=True,
    operation_id="funds_summary",
    summary="The funds' figures rolled up the tree",
)
def funds_summary(request: HttpRequest, filters: Query[FundSummaryFilter]) -> dict[str, Any]:
    """Income, received from above, allocated down, spent by category and remaining for an
    organisation and its subtree over whole months, by month, and each child side by side.
    Money allocated inside the subtree is counted once, where it was spent. An organisation
    outside your reach is a 404, as a missing one; a month that is not one is a 400."""
    organisation = selectors.pick(request.user, filters.org)
    parts = selectors.parts(request.user, organisation)
    p = selectors.period(filters.from_, filters.to, latest=selectors.latest_month([o.pk for o in parts]))
    return summary_data(selectors.figures(request.user, organisation, p))
