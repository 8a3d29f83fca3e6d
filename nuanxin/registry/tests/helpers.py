"""Small builders for the register's tests (through the services, as the system)."""

from __future__ import annotations

import itertools

from nuanxin.core.policy import SYSTEM
from nuanxin.registry import services
from nuanxin.registry.choices import TeamType

_numbers = itertools.count(1)


def next_mobile() -> str:
    """A fresh, valid, clearly fictional mainland mobile: 1380000xxxx."""
    return f"1380000{next(_numbers):04d}"


def make_worker(organisation, name="张三", *, mobile=None, team=TeamType.HUBEI_AID, **kw):
    return services.create_worker(
        actor=SYSTEM,
        organisation=organisation,
        name=name,
        team=team,
        mobile=next_mobile() if mobile is None else mobile,
        allow_duplicate=kw.pop("allow_duplicate", True),
        **kw,
    )


def assign(worker, contact):
    """A current care assignment of ``worker`` to ``contact`` (care's models, set up directly)."""
    import datetime

    from nuanxin.care.models import Campaign, CareAssignment

    campaign = Campaign.objects.first() or Campaign.objects.create(
        name="暖心行动", starts_on=datetime.date(2020, 2, 16)
    )
    return CareAssignment.objects.create(campaign=campaign, worker=worker, contact=contact)
