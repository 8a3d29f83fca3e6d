"""The funds API: approving and rejecting entries (maker-checker: not the recorder; above the
threshold the parent organisation's approver approves too)."""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema

from nuanxin.core import apiutils, versioning
from nuanxin.funds.api.funds import FundEntryOut, entry_out
from nuanxin.funds.models import Entry
from nuanxin.funds.services import ledger

router = apiutils.ScopedRouter(tags=["funds"])


class FundApproveIn(Schema):
    version: int | None = Field(
        None, description="The version read (or If-Match); 409 if the entry changed since.", ge=1, le=2**31 - 1
    )


class FundRejectIn(Schema):
    reason: str = Field(..., description="Why it is rejected (required).", max_length=1000)
    version: int | None = Field(None, ge=1, le=2**31 - 1)


def _version(request: Any, body: int | None) -> int | None:
    return body or versioning.parse(request.headers.get("If-Match"))


@router.post(
    "/fund-entries/{entry_id}/approve",
    model=Entry,
    action="approve",
    response=FundEntryOut,
    operation_id="approve_fund_entry",
    summary="Approve an entry",
)
def approve_entry(request: Any, entry_id: int, payload: FundApproveIn) -> Any:
    """Approve: below the threshold (or at the parent's step) the money moves now and the
    status is ``approved``; above it the status is ``parent`` until the parent's approver
    approves. The recorder cannot approve (403); more than the balance is 400 ``insufficient``."""
    entry = apiutils.get_scoped_or_404(Entry, request, "approve", pk=entry_id)
    approved = ledger.approve(actor=request.user, entry=entry, version=_version(request, payload.version))
    return entry_out(approved)


@router.post(
    "/fund-entries/{entry_id}/reject",
    model=Entry,
    action="approve",
    response=FundEntryOut,
    operation_id="reject_fund_entry",
    summary="Reject an entry with a reason",
)
def reject_entry(request: Any, entry_id: int, payload: FundRejectIn) -> Any:
    entry = apiutils.get_scoped_or_404(Entry, request, "approve", pk=entry_id)
    rejected = ledger.reject(
        actor=request.user, entry=entry, reason=payload.reason, version=_version(request, payload.version)
    )
    return entry_out(rejected)
