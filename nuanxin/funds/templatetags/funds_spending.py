"""The spending templates' helpers (``{% load funds_spending %}``): ``{% spending_of entry user
as s %}`` (an entry's receipts and beneficiaries, for who may see its detail) and
``{{ code|category_label }}``."""

from __future__ import annotations

from typing import Any

from django import template

from nuanxin.funds.choices import Category, EntryKind

register = template.Library()


@register.filter
def category_label(code) -> Any:
    return Category(code).label if code in Category.values else (code or "")


@register.simple_tag
def spending_of(entry, user) -> dict[str, Any]:
    """What ``funds/_entry_spending.html`` shows of ``entry`` to ``user``: nothing without the
    entry's detail (``Entry.policy`` "detail"); else its receipts, its beneficiaries and
    whether ``user`` may add receipts now."""
    from nuanxin.funds.models import Entry
    from nuanxin.funds.services import receipts

    if entry is None or user is None or not Entry.policy.allows(user, "detail", entry):
        return {"detail": False}
    return {
        "detail": True,
        "receipts": receipts.receipts_of(entry) if entry.kind == EntryKind.EXPENDITURE else [],
        "beneficiaries": list(
            entry.beneficiaries.select_related("worker__organisation", "family_member").order_by("id")
        ),
        "may_add_receipts": entry.kind == EntryKind.EXPENDITURE
        and entry.is_open
        and bool(Entry.policy.allows(user, "record", entry)),
    }
