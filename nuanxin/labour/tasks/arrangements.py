"""Background tasks and periodic jobs of the arrangements area: every morning the holders of
an arrangement's unit (``Arrangement.policy.holders("change", unit)``: its labour officers and
administrators) are reminded of its review date ``REVIEW_REMIND_DAYS`` days before it, and again
when it is due (``remind_reviews``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django_tasks import task

from nuanxin.core import audit
from nuanxin.core.periodic import DailyAt, Job
from nuanxin.core.policy import SYSTEM
from nuanxin.labour.models import Arrangement
from nuanxin.labour.selectors.arrangements import OPEN_STATUSES, review_due_by
from nuanxin.notify.services import notify


@transaction.atomic
def remind_reviews(*, actor: Any = SYSTEM, today: date | None = None) -> int:
    """Remind the holders of every open arrangement whose review date is within
    ``REVIEW_REMIND_DAYS`` days: once before it ("in N days"), once when it is due (the day or,
    when the job first sees it late, past it). ``reminded_for`` keeps the review date of the last
    "due" reminder, so a review date is reminded of once; a new review date starts again.
    Returns the number of notifications sent."""
    today = today or timezone.localdate()
    rows = list(
        Arrangement.objects.filter(
            status__in=OPEN_STATUSES, review_on__isnull=False, review_on__lte=review_due_by(today)
        )
        .filter(Q(reminded_for__isnull=True) | ~Q(reminded_for=F("review_on")))
        .select_related("worker__organisation")
        .select_for_update(of=("self",))
        .order_by("review_on", "id")
    )
    units = {a.worker.organisation_id: a.worker.organisation for a in rows}
    holders = Arrangement.policy.holders_by_unit("change", units.values())
    sent = 0
    done: list[Arrangement] = []
    for a in rows:
        review_on = a.review_on
        assert review_on is not None  # the query's filter
        due = review_on <= today
        days = (review_on - today).days
        unit = a.worker.organisation
        url = reverse("labour:arrangement_detail", kwargs={"pk": a.pk})

        def texts(
            a: Arrangement = a, due: bool = due, days: int = days, unit: Any = unit, review_on: date = review_on
        ) -> tuple[str, str]:
            if due:
                title = _("%(name)s of %(unit)s: review due on %(date)s") % {
                    "name": str(a),
                    "unit": unit.name,
                    "date": review_on.isoformat(),
                }
            else:
                title = ngettext(
                    "%(name)s of %(unit)s: review in %(days)d day (%(date)s)",
                    "%(name)s of %(unit)s: review in %(days)d days (%(date)s)",
                    days,
                ) % {"name": str(a), "unit": unit.name, "days": days, "date": review_on.isoformat()}
            return title, _("Check with the employer that the arrangement still fits, then change or end it.")

        kind = "labour.arrangement.review_due" if due else "labour.arrangement.review_soon"
        for user in holders.get(unit.pk, []):
            if notify(
                recipient=user,
                kind=kind,
                occasion=f"{a.pk}:{review_on.isoformat()}",
                texts=texts,
                url=url,
                email=False,
            ):
                sent += 1
        if due:
            a.reminded_for = a.review_on
            done.append(a)
    Arrangement.objects.bulk_update(done, ["reminded_for"], batch_size=500)
    if sent or done:
        audit.record(
            actor,
            "labour.arrangement.remind",
            object_type="labour.arrangement",
            detail={"reminded": len(rows), "notified": sent},
        )
    return sent


@task()
def remind_arrangement_reviews() -> int:
    """Remind the labour officers of arrangements to review."""
    return remind_reviews(actor=SYSTEM)


JOBS: list[Job] = [
    Job(
        name="labour.remind_arrangement_reviews",
        task=remind_arrangement_reviews,
        schedule=DailyAt(hour=8, minute=45),
        late_limit=timedelta(hours=12),
    ),
]
