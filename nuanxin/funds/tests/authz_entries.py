"""Authorization cases of the funds' entries: the approval queue, an entry's page, approving,
rejecting, reversing, and the API's approve and reject. Approving needs an approver of the
entry's organisation who did not record it (市南区's approver); 市北区's approver holds the
role but not the entry (404, nothing changed)."""

from __future__ import annotations

from datetime import date

from nuanxin.funds.models import Entry
from nuanxin.funds.services import ledger
from nuanxin.funds.tests.authz_funds import ledger_people
from nuanxin.funds.tests.fixtures import approve_fully, open_fund
from tests.authz import Case, standard_cases

ON = date(2020, 2, 2)


def cases(p) -> list[Case]:
    w = ledger_people(p)
    clerk, approver, fund = w.clerk, w.approver, w.fund

    def pending(amount: str) -> Entry:
        return ledger.record_expenditure(actor=clerk, fund=fund, amount=amount, category="comfort", on=ON,
                                         payee="某超市", payee_kind="supplier")

    shown, to_approve, to_reject, api_approve, api_reject = (pending(a) for a in ("11", "12", "13", "14", "15"))
    approved = approve_fully(pending("16"), approver)
    batch_entry, _second = ledger.record_allocations(
        actor=clerk, fund=fund, on=ON,
        allocations=[ledger.Allocation(w.hospital, ledger.money("17")),
                     ledger.Allocation(open_fund(clerk, p.shinan_hospital, "授权批量资金"), ledger.money("18"))],
    )
    return [
        *standard_cases(p, "funds:approval_queue", model=Entry, action="detail", allowed=clerk),
        *standard_cases(p, "funds:entry_detail", model=Entry, action="detail", obj=shown, allowed=clerk),
        *standard_cases(
            p, "funds:entry_approve", model=Entry, action="approve", obj=to_approve, allowed=approver,
            method="post", data={"version": "1"}, other_org=w.bapprover,
        ),
        *standard_cases(
            p, "funds:batch_approve", model=Entry, action="approve", obj=batch_entry, allowed=approver,
            method="post", data={}, other_org=w.bapprover,
        ),
        *standard_cases(
            p, "funds:entry_reject", model=Entry, action="approve", obj=to_reject, allowed=approver,
            data={"reason": "发票不全", "version": "1"}, other_org=w.bapprover,
        ),
        *standard_cases(
            p, "funds:reversal_create", model=Entry, action="record", obj=approved, allowed=clerk,
            data={"reason": "重复记账", "on": "2020-02-03"}, other_org=w.bclerk,
        ),
        *standard_cases(
            p, "POST /api/v1/fund-entries/{entry_id}/approve", model=Entry, action="approve", obj=api_approve,
            lookup="entry_id", allowed=approver, data={}, other_org=w.bapprover,
        ),
        *standard_cases(
            p, "POST /api/v1/fund-entries/{entry_id}/reject", model=Entry, action="approve", obj=api_reject,
            lookup="entry_id", allowed=approver, data={"reason": "不符合用途"}, other_org=w.bapprover,
        ),
    ]
