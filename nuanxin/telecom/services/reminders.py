"""Numbers sent to a carrier and not confirmed within ``NUANXIN_TELECOM_CONFIRM_DAYS`` days are
overdue: the lists show them, and a daily job reminds the unit's administrators (in-app) — the
administrators nearest the unit (its own, else its district's, …), one notification per unit
and day counting its overdue numbers, and never more than once a day for a line
(``reminded_at``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nuanxin.core import audit
from nuanxin.core.policy import SYSTEM
from nuanxin.notify.services import notify
from nuanxin.telecom.choices import WaiverStatus
from nuanxin.telecom.models import Waiver


def confirm_days() -> int:
    return int(settings.NUANXIN_TELECOM_CONFIRM_DAYS)


def overdue_cutoff(now: Any = None) -> Any:
    return (now or timezone.now()) - timedelta(days=confirm_days())


def overdue(lines: Any, now: Any = None) -> Any:
    """The sent lines of ``lines`` not confirmed within the setting's days."""
    return lines.filter(status=WaiverStatus.SENT, sent_at__lt=overdue_cutoff(now))


def _nearest(users: list[Any]) -> list[Any]:
    """The administrators nearest the unit: those whose home organisation lies deepest."""
    depths = [getattr(getattr(u, "organisation", None), "depth", 0) or 0 for u in users]
    if not users:
        return []
    deepest = max(depths)
    return [u for u, d in zip(users, depths, strict=True) if d == deepest]


@transaction.atomic
def remind_overdue(*, actor: Any = SYSTEM, now: Any = None) -> int:
    """Remind each unit's nearest administrators of its overdue numbers; returns the number of
    notifications sent. Idempotent within a day."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    day_start = timezone.make_aware(datetime.combine(today, time.min))
    due = list(
        overdue(Waiver.objects.all(), now)
        .exclude(reminded_at__gte=day_start)
        .select_related("worker__organisation")
        .select_for_update(of=("self",))
        .order_by("worker__organisation__path", "id")
    )
    by_unit: dict[int, list[Waiver]] = {}
    units: dict[int, Any] = {}
    for line in due:
        unit = line.worker.organisation
        by_unit.setdefault(unit.pk, []).append(line)
        units[unit.pk] = unit
    holders = Waiver.policy.holders_by_unit("manage", units.values())
    url = reverse("telecom:waiver_list") + "?overdue=1"
    sent = 0
    reminded: list[Waiver] = []
    for unit_id, lines in by_unit.items():
        unit = units[unit_id]
        count = len(lines)
        users = _nearest(list(holders.get(unit_id, [])))

        def texts(unit: Any = unit, count: int = count) -> tuple[str, str]:
            return (
                ngettext(
                    "%(count)d fee-waiver number of %(unit)s not confirmed by the carrier",
                    "%(count)d fee-waiver numbers of %(unit)s not confirmed by the carrier",
                    count,
                ) % {"count": count, "unit": unit.name},
                _("Sent to the carrier more than %(days)d days ago and still not confirmed: ask the carrier, then "
                  "import its reply or confirm them by hand.") % {"days": confirm_days()},
            )

        for user in users:
            if notify(recipient=user, kind="telecom.overdue", occasion=f"{unit.pk}:{today.isoformat()}",
                      texts=texts, url=url, email=False):
                sent += 1
        reminded += lines
    for line in reminded:
        line.reminded_at = now
    Waiver.objects.bulk_update(reminded, ["reminded_at"], batch_size=500)
    if reminded:
        audit.record(actor, "telecom.remind.overdue", object_type="telecom.waiver",
                     detail={"count": len(reminded), "admins": sent})
    return sent
