"""What the employment area adds to the pages of the apps below: the "Follow up as employment
help" button of a family's care page, its visits and difficulties (``care.hooks.followups``), and
the family's employment cases on its care timeline (``care.hooks.family_timeline``), read
through the case's policy (``LABOUR_VIEW``: labour officers, administrators, auditors, and the
care contact of a family assigned to them). Connected from ``connect()``."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.care import hooks as care_hooks
from nuanxin.care.hooks import FollowUp
from nuanxin.care.selectors.timeline import TimelineEntry
from nuanxin.cases import services as cases
from nuanxin.labour.models import EmploymentCase
from nuanxin.labour.selectors import employment as selectors


def followups(*, user, worker, **kwargs) -> list[FollowUp]:
    """Employment help, for who may open it for this family."""
    if not cases.may_open(user, EmploymentCase, worker):
        return []
    url = f"{reverse('labour:employment_create')}?worker={worker.pk}"
    return [FollowUp(label=_("Employment help"), url=url, key="employment")]


def family_entries(*, user, worker, **kwargs) -> list[TimelineEntry]:
    """The family's employment cases ``user`` may see, on the day each was opened (the care
    timeline's entries are dated by day)."""
    if not EmploymentCase.policy.may(user, "view"):
        return []
    return [
        TimelineEntry(
            at=timezone.localtime(case.created_at).date(),
            kind="employment",
            obj=case,
            template="labour/_employment_timeline.html",
        )
        for case in selectors.family_cases(user, worker)
    ]


def connect() -> None:
    care_hooks.followups.connect(followups)
    care_hooks.family_timeline.connect(family_entries)
