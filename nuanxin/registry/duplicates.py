"""People registered outside the asker's scope (issue 10).

One person, one record: adding or importing someone who is already registered anywhere is
refused, even outside the asker's scope. The refusal tells the asker that the person exists
elsewhere, so such hits are counted: each one writes ``registry.duplicate_elsewhere`` (the
asker, their organisation, the channel, the other record's id and nothing else of it), a
user may have NUANXIN_DUPLICATE_LOOKUPS_PER_DAY of them in any 24 hours, and once they have,
every register-wide check of theirs (a worker added or changed with a mobile, an import) is
refused and recorded as denied, whether it would hit or not, so the refusal itself says
nothing about the person. The audit page lists, for the auditors, the users who had many (core/views.py).
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, context, locks
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.core.models import AuditLog, AuditOutcome
from nuanxin.core.policy import is_system
from nuanxin.registry import selectors
from nuanxin.registry.models import Worker

DUPLICATE_ELSEWHERE = "registry.duplicate_elsewhere"
_CHANNELS = {"web": "page", "api": "api"}


class LookupLimitReached(ServiceError):
    """The user has met the day's number of people registered outside their scope."""

    code = "lookup_limit"
    status = 429


def sees(actor, worker: Worker) -> bool:
    """Whether ``actor`` may see ``worker`` in the register (the system sees all)."""
    return Worker.policy.allows(actor, "view", worker)


def _channel(channel: str | None) -> str:
    if channel:
        return channel
    current = context.current().channel
    return _CHANNELS.get(current, current)


def duplicate_lookups_today(actor) -> int:
    """How many people registered outside their scope ``actor`` met in the last 24 hours."""
    since = timezone.now() - timedelta(hours=24)
    return AuditLog.objects.filter(
        actor=actor, action=DUPLICATE_ELSEWHERE, outcome=AuditOutcome.SUCCESS, at__gte=since
    ).count()


def duplicate_lookup_refusal(actor, *, channel: str | None = None) -> LookupLimitReached | None:
    """Before a register-wide identity check by ``actor``: the refusal (recorded as denied) when
    they have reached the day's limit, else ``None``. Holds a lock named after the actor until
    the end of the caller's transaction (core/locks.py), so that parallel requests cannot pass
    the limit together; the user's own row stays free (signing in writes it). The system has
    no limit."""
    if is_system(actor):
        return None
    locks.hold(f"nuanxin.registry.duplicate_lookups:{actor.pk}")
    limit = settings.NUANXIN_DUPLICATE_LOOKUPS_PER_DAY
    if duplicate_lookups_today(actor) < limit:
        return None
    audit.record(
        actor,
        DUPLICATE_ELSEWHERE,
        organisation=actor.organisation,
        outcome=AuditOutcome.DENIED,
        detail={"channel": _channel(channel), "limit": limit},
    )
    return LookupLimitReached(
        _(
            "Checks that meet people registered outside your scope are limited to %(limit)s in 24 hours, "
            "and you have reached the limit: workers cannot be added or imported for now. Try again "
            "later or ask a city administrator."
        )
        % {"limit": limit}
    )


def record_duplicate_elsewhere(actor, worker_id: int | None, *, channel: str | None = None) -> None:
    """Record that ``actor`` met a person registered outside their scope (worker ``worker_id``)."""
    if is_system(actor):
        return
    audit.record(
        actor,
        DUPLICATE_ELSEWHERE,
        object_type="registry.worker" if worker_id else "",
        object_id=worker_id or "",
        organisation=actor.organisation,
        detail={"channel": _channel(channel), "worker": worker_id},
    )


def screen_identity(actor, organisation, name: str, mobile: str, *, exclude=None) -> ServiceError | None:
    """The register-wide part of the identity check, for an actor who may not see the whole
    register: the refusal to raise once the caller's transaction has committed its audit row
    (the day's limit reached, or the same person registered outside their scope), else None."""
    if is_system(actor) or not mobile:
        return None
    refusal = duplicate_lookup_refusal(actor)
    if refusal is not None:
        return refusal
    same = selectors.identity_match(organisation, name, mobile, exclude=exclude).same
    if same is None or sees(actor, same):
        return None
    record_duplicate_elsewhere(actor, same.pk)
    return Conflict(
        _("%(name)s with this mobile is already in the register (%(unit)s).")
        % {"name": name, "unit": _("another unit")},
        code="same_person",
        field="mobile",
    )
