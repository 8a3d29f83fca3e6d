"""The funds' entries on a family's care timeline (``care.hooks.family_timeline``) and the
worker page's panel (``registry.hooks.worker_page``): the approved payments to the worker or
their family (a condolence round, a living allowance), newest first.

Who sees them is the entries' policy, action "detail" (``Entry.policy``): the finance clerks and
approvers, the union administrators and the auditors of the entry's organisation or above.
A care contact holds no fund role, so a care contact sees no payment on the families' timeline
(the care work shows what they do; the money is the finance roles' and the administrators');
a report viewer never sees a beneficiary at all. Care itself shows the timeline only to who
may see the worker, so on the care pages the payments appear to the administrators."""

from __future__ import annotations

from nuanxin.care.selectors.timeline import TimelineEntry
from nuanxin.funds.selectors import spending as selectors


def family_entries(*, user, worker, **kwargs) -> list:
    return [
        TimelineEntry(at=b.entry.on, kind="payment", obj=b, template="funds/_timeline_payment.html")
        for b in selectors.payments_to(user, worker)
    ]


def worker_page_panels(*, request, worker, **kwargs) -> list:
    """A card of the worker's payments on the worker's page, for who may see them (none: no
    card). To be connected to ``registry.hooks.worker_page`` in ``FundsConfig.ready()``."""
    from nuanxin.registry.hooks import WorkerPanel

    payments = selectors.payments_to(request.user, worker)
    if not payments:
        return []
    return [WorkerPanel("sections", "funds/_worker_payments.html", {"payments": payments})]
