"""What the legal area adds to the pages of the apps below: the "Legal aid" follow-up on a
family's care page, its visits and difficulties (``care.hooks.followups``, key "legal"), and the
family's legal-aid cases on its care timeline (``care.hooks.family_timeline``) for those the
case's policy lets see them (labour-rights officers, administrators, auditors, and the family's
own care contact)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.care import hooks as care_hooks
from nuanxin.care.hooks import FollowUp
from nuanxin.care.selectors.timeline import TimelineEntry
from nuanxin.cases import services as cases
from nuanxin.labour.models import LegalCase
from nuanxin.labour.selectors import legal as selectors


def followups(*, user: Any, worker: Any, **kwargs: Any) -> list[FollowUp]:
    if not LegalCase.policy.may(user, "refer") or not cases.may_open(user, LegalCase, worker):
        return []
    url = f"{reverse('labour:legal_create')}?worker={worker.pk}"
    return [FollowUp(_("Legal aid"), url, key="legal")]


def family_entries(*, user: Any, worker: Any, **kwargs: Any) -> list[TimelineEntry]:
    if not LegalCase.policy.may(user, "view"):
        return []
    return [
        TimelineEntry(
            at=timezone.localtime(case.created_at).date(),
            kind="legal",
            obj=case,
            template="labour/_legal_timeline.html",
        )
        for case in selectors.family_cases(user, worker)
    ]


def connect() -> None:
    care_hooks.followups.connect(followups)
    care_hooks.family_timeline.connect(family_entries)
