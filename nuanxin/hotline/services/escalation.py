"""Escalation of the hotline's overdue items (the periodic job ``hotline.escalate_overdue``): an
active callback past its next due time, or a crisis case without a first contact past its due
time, by ``NUANXIN_HOTLINE_ESCALATION_DELAY_MINUTES`` — told to the hotline's supervisors in the
app and by text message, noted on its timeline and audited, once per due time (a retried
callback has a new one). The cases themselves: ``services/cases.py``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.cases import services as cases
from nuanxin.cases.lifecycle import NoteKind
from nuanxin.core import audit
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import Callback, CrisisCase
from nuanxin.hotline.services.cases import escalation_delay, link, next_at, supervisors
from nuanxin.notify.services import Sms, notify


def overdue_callbacks(now: datetime | None = None) -> QuerySet[Callback]:
    """Active callbacks past their next due time by the escalation delay, not yet escalated for
    it (``escalated_at`` before that due time)."""
    now = now or timezone.now()
    cutoff = now - escalation_delay()
    return (
        Callback.objects.filter(status__in=Callback.lifecycle.active)
        .annotate(next_due=next_at())
        .filter(next_due__lte=cutoff)
        .filter(Q(escalated_at__isnull=True) | Q(escalated_at__lt=F("next_due")))
    )


def overdue_crises(now: datetime | None = None) -> QuerySet[CrisisCase]:
    """Active crisis cases without a first contact (nor a hand-over: someone else has taken the
    caller on) past its due time by the escalation delay, not yet escalated for it."""
    now = now or timezone.now()
    cutoff = now - escalation_delay()
    return CrisisCase.objects.filter(
        status__in=CrisisCase.lifecycle.active, first_contact_at__isnull=True, handover_to="", due_at__lte=cutoff
    ).filter(Q(escalated_at__isnull=True) | Q(escalated_at__lt=F("due_at")))


def _escalate_one(actor: Any, item: Callback | CrisisCase, due: datetime, now: datetime) -> bool:
    model = type(item)
    kind = "callback" if model is Callback else "crisis"
    hotline = item.hotline
    users = supervisors(hotline)
    item.escalation_level = item.escalation_level + 1
    item.escalated_at = now
    item.save(update_fields=["escalation_level", "escalated_at"])
    local_due = timezone.localtime(due)
    cases.add_note(
        item,
        actor,
        NoteKind.ESCALATION,
        _("Overdue since %(due)s: escalated to the hotline's supervisors.") % {"due": f"{local_due:%Y-%m-%d %H:%M}"},
    )
    url = link(f"hotline:{kind}_detail", item.pk)
    if kind == "callback":
        sms_text = _("Nuanxin: a callback at %(hotline)s is overdue. Please sign in: %(url)s")
    else:
        sms_text = _("Nuanxin: a crisis case at %(hotline)s has had no contact in time. Please sign in: %(url)s")
    sms_text = sms_text % {"hotline": hotline.name, "url": url}
    when = f"{local_due:%Y-%m-%d %H:%M}"

    def texts() -> tuple[str, str]:
        if kind == "callback":
            return (
                _("Overdue callback at %(hotline)s") % {"hotline": hotline.name},
                _("Due %(due)s. Open it to see who has it and what was tried.") % {"due": when},
            )
        return (
            _("Crisis case at %(hotline)s: no contact in time") % {"hotline": hotline.name},
            _("The first contact was due %(due)s. Open it to act now.") % {"due": when},
        )

    for user in users:
        notify(
            recipient=user,
            kind=f"hotline.{kind}_overdue",
            occasion=f"{item.pk}:{due.isoformat()}",
            texts=texts,
            url=url,
            sms=Sms(f"hotline_{kind}_overdue", {"hotline": hotline.name, "url": url}, sms_text),
            email_text=(_("Overdue at %(hotline)s") % {"hotline": hotline.name}, sms_text),
        )
    audit.record(
        actor,
        f"hotline.{kind}.escalate",
        obj=item,
        organisation=item.organisation,
        detail={
            "due": timezone.localtime(due).isoformat(),  # which due time: once per due time
            "supervisors": [u.pk for u in users],
            "level": item.escalation_level,
        },
    )
    return True


def escalate_overdue(*, actor: Any = SYSTEM, now: datetime | None = None) -> dict[str, int]:
    """Escalate every overdue callback and every crisis case whose first contact is overdue to
    its hotline's supervisors (in the app, by text message): an escalation entry on the
    timeline, the notifications (keyed by item and due time), a ``hotline.callback.escalate`` /
    ``hotline.crisis.escalate`` audit row. Each item once per due time (a retried callback
    has a new one). Returns how many of each."""
    now = now or timezone.now()
    counts = {"callbacks": 0, "crises": 0}
    for model, candidates, key in (
        (Callback, overdue_callbacks(now), "callbacks"),
        (CrisisCase, overdue_crises(now), "crises"),
    ):
        for pk in list(candidates.order_by("pk").values_list("pk", flat=True)):
            with transaction.atomic():
                again = (overdue_callbacks(now) if model is Callback else overdue_crises(now)).filter(pk=pk)
                item = again.select_for_update(of=("self",)).select_related("hotline").first()
                if item is None:
                    continue
                due = (item.retry_at or item.due_at) if isinstance(item, Callback) else item.due_at
                assert due is not None
                _escalate_one(actor, item, due, now)
                counts[key] += 1
    return counts
