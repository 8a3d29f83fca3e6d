"""The funds' entries on a family's care timeline (``care.hooks.family_timeline``): the
payments to the family (a condolence round, a living allowance), for those who may see the
fund's detail. Written by the spending area."""

from __future__ import annotations


def family_entries(*, user, worker, **kwargs) -> list:
    return []
