"""The workers whose family a user may open a labour record for (an arrangement, a legal-aid or
an employment case), found by the record's policy rather than the register's: a labour-rights
officer reads no register entry, yet opens cases for the families of the units in their grant.
A care contact reaches the families assigned to them (the register's policy); the open check of
the record decides in every case."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from nuanxin.cases import services as cases
from nuanxin.labour.models import Arrangement
from nuanxin.registry.choices import WorkerStatus
from nuanxin.registry.models import Worker

LIMIT = 20


def _reach(user: Any, model: Any) -> QuerySet[Worker]:
    q = model.policy.reach_q(user, "refer", "organisation__path")
    registered = Q(pk__in=Worker.objects.for_user(user, "view").values("pk"))
    return Worker.objects.filter(registered | q if q is not None else registered)


def may_open(user: Any, model: Any, worker: Worker) -> bool:
    """Whether ``user`` may open a ``model`` record for ``worker``'s family."""
    if model is Arrangement:
        return Arrangement.policy.allows(user, "refer", Arrangement(worker=worker))
    return cases.may_open(user, model, worker)


def openable(user: Any, model: Any, worker_id: Any) -> Worker | None:
    """The worker of ``worker_id`` when ``user`` may open a ``model`` record for the family, else
    ``None`` (the caller answers 404: the same as no such worker)."""
    try:
        pk = int(worker_id)
    except (TypeError, ValueError):
        return None
    worker = Worker.objects.select_related("organisation").filter(pk=pk).first()
    if worker is None or not may_open(user, model, worker):
        return None
    return worker


def find(user: Any, model: Any, text: str) -> list[Worker]:
    """Up to ``LIMIT`` workers of ``user``'s reach for ``model`` whose name (or its pinyin)
    contains ``text``, current ones first."""
    text = (text or "").strip()[:50]
    if not text:
        return []
    latin = text.replace(" ", "").lower()
    match = Q(name__contains=text) | (Q(name_pinyin__contains=latin) if latin.isascii() else Q(pk__in=[]))
    return list(
        _reach(user, model)
        .filter(match)
        .exclude(status=WorkerStatus.ARCHIVED)
        .select_related("organisation")
        .order_by("name", "pk")[:LIMIT]
    )
