"""Core's writes: housekeeping for sessions and background work, and the audit of exports."""

from __future__ import annotations

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from nuanxin.core import audit
from nuanxin.core.models import PeriodicRun
from nuanxin.core.policy import SYSTEM

TASK_RESULT_RETENTION_DAYS = 14
PERIODIC_RUN_RETENTION_DAYS = 30


@transaction.atomic
def clear_expired_sessions(*, actor=SYSTEM) -> int:
    """Delete expired sessions through the session engine; returns how many there were
    (when the engine keeps them in the database). Audited only when something was deleted."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    count = 0
    if hasattr(store, "get_model_class"):
        count = store.get_model_class().objects.filter(expire_date__lt=timezone.now()).count()
    store.clear_expired()
    if count:
        audit.record(actor, "session.clear_expired", object_type="sessions.session", detail={"deleted": count})
    return count


@transaction.atomic
def prune_background_records(*, actor=SYSTEM) -> dict:
    """Delete finished task results older than 14 days and periodic-run rows older than 30
    days. The scheduler only looks at each job's latest slot, so old runs are no longer
    needed to keep enqueueing idempotent."""
    from django_tasks_db.models import DBTaskResult

    now = timezone.now()
    results, _ = (
        DBTaskResult.objects.finished()
        .filter(finished_at__lt=now - timedelta(days=TASK_RESULT_RETENTION_DAYS))
        .delete()
    )
    runs, _ = PeriodicRun.objects.filter(slot__lt=now - timedelta(days=PERIODIC_RUN_RETENTION_DAYS)).delete()
    deleted = {"task_results": results, "periodic_runs": runs}
    if results or runs:
        audit.record(actor, "background.prune", object_type="django_tasks_db.dbtaskresult", detail=deleted)
    return deleted


@transaction.atomic
def record_audit_export(*, actor, fmt: str, rows: int, filters: dict, organisation=None):
    """Audit an export of the audit log: who took which rows out, in which format, chosen how."""
    return audit.record(
        actor, "audit.export", object_type="core.auditlog", organisation=organisation,
        detail={"format": fmt, "rows": rows, "filters": filters},
    )
