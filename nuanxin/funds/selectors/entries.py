"""What the entries' pages read: the approval queue, an entry with its people."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from nuanxin.funds.choices import OPEN_STATUSES, EntryStatus
from nuanxin.funds.models import Entry
from nuanxin.funds.services import ledger

QUEUE_LIMIT = 200


@dataclass
class Queue:
    to_approve: list[Entry]  # the user may approve (or reject) these now
    mine: list[Entry]  # recorded by the user: another approver approves them
    waiting: list[Entry]  # open entries in the user's reach that someone else approves


def queue(user: Any) -> Queue:
    """The open entries in the user's reach, oldest first, sorted by what the user may do."""
    rows = (
        Entry.objects.for_user(user, "detail")
        .filter(status__in=OPEN_STATUSES)
        .select_related("fund", "organisation", "to_fund__organisation", "recorded_by", "approved_by")
        .order_by("recorded_at", "id")[:QUEUE_LIMIT]
    )
    result = Queue([], [], [])
    for entry in rows:
        if ledger.may_approve(user, entry):
            # An entry the balance can no longer cover is flagged (余额不足): the approver
            # rejects it, or waits for money to come in.
            entry.shortfall = ledger.shortfall(entry)
            result.to_approve.append(entry)
        elif entry.recorded_by_id == user.pk:
            result.mine.append(entry)
        else:
            result.waiting.append(entry)
    # A batch (an allocation to several funds at once) gets one "approve the whole batch" on its
    # first entry, when the user may approve more than one of it now and none lacks the money.
    batches: dict[Any, list[Entry]] = {}
    for entry in result.to_approve:
        if entry.batch:
            batches.setdefault(entry.batch, []).append(entry)
    for members in batches.values():
        if len(members) > 1 and not any(e.shortfall for e in members):  # type: ignore[attr-defined]
            members[0].batch_count = len(members)  # type: ignore[attr-defined]
            members[0].batch_total = sum((e.amount for e in members), Decimal("0"))  # type: ignore[attr-defined]
    return result


def to_approve_count(user: Any) -> int:
    """How many entries the user may approve now (the menu's counter)."""
    if not Entry.policy.may(user, "approve"):
        return 0
    rows = Entry.objects.for_user(user, "approve").filter(status__in=OPEN_STATUSES).exclude(recorded_by=user)
    return sum(1 for entry in rows.select_related("organisation")[:QUEUE_LIMIT] if ledger.may_approve(user, entry))


def entry_for_page(pk: int) -> Entry:
    return Entry.objects.select_related(
        "fund__organisation", "to_fund__organisation", "organisation", "recorded_by", "approved_by",
        "parent_approved_by", "rejected_by", "reverses", "round",
    ).get(pk=pk)


def reversal_of(entry: Entry) -> Entry | None:
    return entry.reversals.exclude(status=EntryStatus.REJECTED).order_by("id").first()
