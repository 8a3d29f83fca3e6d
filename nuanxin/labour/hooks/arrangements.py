"""What the arrangements area adds to the pages of the apps below:

- care's follow-ups (``care.hooks.followups``, key "arrangement"): "Pregnancy or lactation
  arrangement" on a family's page, its visits and difficulties, for who may refer one for this
  family (its care contact, the labour officers and administrators), unless the register says
  the worker is male;
- the family's care timeline (``care.hooks.family_timeline``): the arrangements, only for who
  may read them (labour officers and administrators), the read audited;
- the worker's register page (``registry.hooks.worker_page``): at most "an arrangement exists"
  with a link, for who may read it (the read audited: it reveals that one exists), or a button
  to record one for who may refer one."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.labour.models import Arrangement
from nuanxin.labour.selectors import arrangements as selectors
from nuanxin.registry.choices import Gender


def _may_refer(user: Any, worker: Any) -> bool:
    return (
        worker.gender != Gender.MALE
        and Arrangement.policy.may(user, "refer")
        and Arrangement.policy.allows(user, "refer", Arrangement(worker=worker))
    )


def _create_url(worker: Any) -> str:
    return reverse("labour:arrangement_create") + f"?worker={worker.pk}"


def followups(*, user: Any, worker: Any, **kwargs: Any) -> list:
    from nuanxin.care.hooks import FollowUp

    if not _may_refer(user, worker):
        return []
    return [FollowUp(_("Pregnancy or lactation arrangement"), _create_url(worker), key="arrangement")]


def family_entries(*, user: Any, worker: Any, **kwargs: Any) -> list:
    from nuanxin.care.selectors.timeline import TimelineEntry

    if not Arrangement.policy.may(user, "view"):
        return []
    rows = list(selectors.arrangements(user, worker=worker))
    if not rows:
        return []
    selectors.record_reads(user, rows, page="family_timeline")
    return [
        TimelineEntry(
            at=timezone.localtime(a.created_at).date(),
            kind="arrangement",
            obj=a,
            template="labour/_arrangement_timeline.html",
        )
        for a in rows
    ]


def worker_page_panels(*, request: Any, worker: Any, **kwargs: Any) -> list:
    from nuanxin.registry.hooks import WorkerPanel

    user = request.user
    if Arrangement.policy.may(user, "view"):
        rows = selectors.exists_for(user, worker)
        if rows:
            selectors.record_reads(user, rows[:1], page="worker_page")
            return [WorkerPanel("actions", "labour/_arrangement_worker.html", {"arrangement": rows[0]})]
    if _may_refer(user, worker):
        return [WorkerPanel("actions", "labour/_arrangement_worker.html", {"create_url": _create_url(worker)})]
    return []


def connect() -> None:
    from nuanxin.care import hooks as care_hooks
    from nuanxin.registry import hooks as registry_hooks

    care_hooks.followups.connect(followups)
    care_hooks.family_timeline.connect(family_entries)
    registry_hooks.worker_page.connect(worker_page_panels)
