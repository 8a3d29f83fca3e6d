"""How far the apply of a batch got, kept in the database (``registry.ImportProgress``) so that
every process sees it, whichever machine it runs on.

The apply writes in one transaction, so the batch row cannot show how far it got: the task
notes its progress in points of ``SCALE`` (on PostgreSQL the database's own writing of the new
records is the first half, the rows gone through in order the rest) on a connection of its own
that commits at once, and the page and the API read the note. On SQLite (development) the note
goes through the apply's own connection: the process applying sees it, others see it when the
apply ends. A note older than ``STALE_APPLY_SECONDS`` means the worker was cut off (killed,
machine restarted): its transaction left nothing, and the periodic sweep puts the batch back
to planned."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit
from nuanxin.core.models import AuditOutcome
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.import_models import BatchStatus, ImportBatch, ImportProgress

log = logging.getLogger(__name__)

SCALE = 1000
APPLY_PROGRESS_SCALE = SCALE
# An apply notes its progress at least every chunk (seconds apart); one whose note is this old
# was cut off with its worker (killed, machine restarted): its transaction left nothing.
STALE_APPLY_SECONDS = 15 * 60
NOTE_LOCK_TIMEOUT_MS = 500


def note(batch_id: int, done: int) -> None:
    """Note that the apply of ``batch_id`` got to ``done`` points (of ``SCALE``, never the end:
    the batch's status says when it is applied)."""
    done = max(0, min(int(done), SCALE - 1))
    now = timezone.now()
    if connection.vendor != "postgresql":
        ImportProgress.objects.update_or_create(batch_id=batch_id, defaults={"done": done, "noted_at": now})
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)  # autocommit: seen at once by every process
    try:
        table = side.ops.quote_name(ImportProgress._meta.db_table)
        with side.cursor() as cursor:
            # A note must never hold up the apply it describes: were the note's row (or the
            # batch's) locked by a transaction that is still open -- the caller's own, e.g. a
            # cleared note of an earlier attempt in the same transaction -- waiting would never
            # end. Such a note is skipped (the next one, or the batch's status, tells).
            cursor.execute(f"SET lock_timeout = '{NOTE_LOCK_TIMEOUT_MS}ms'")
            cursor.execute(
                f"INSERT INTO {table} (batch_id, done, noted_at) VALUES (%s, %s, %s) "  # noqa: S608 (the model's table)
                "ON CONFLICT (batch_id) DO UPDATE SET done = EXCLUDED.done, noted_at = EXCLUDED.noted_at",
                [batch_id, done, now],
            )
    except OperationalError as exc:
        log.info("progress of import batch %s not noted: %s", batch_id, exc)
    finally:
        side.close()


def clear(batch_id: int) -> None:
    """The apply ended (applied, refused or failed): its note goes."""
    ImportProgress.objects.filter(batch_id=batch_id).delete()


def noted(batch_id: int) -> ImportProgress | None:
    return ImportProgress.objects.filter(batch_id=batch_id).first()


def live_progress(batch: ImportBatch) -> ImportBatch:
    """The batch with its apply progress as the background task last noted it (in memory only;
    unchanged unless the batch is being applied)."""
    if batch.status == BatchStatus.APPLYING:
        found = noted(batch.pk)
        if found is not None:
            batch.progress_done, batch.progress_total = found.done, SCALE
    return batch


def reset_interrupted_applies(*, actor=SYSTEM) -> int:
    """Batches left "applying" by a worker that was killed mid-apply (its progress note stopped
    moving) go back to planned with a message, so that the user can apply them again: the
    apply is one transaction, so nothing of it was written. A batch whose task has not started
    yet (no note) is left alone: the worker takes it when it runs. Returns how many were reset."""
    cutoff = timezone.now() - timedelta(seconds=STALE_APPLY_SECONDS)
    reset = 0
    for batch in ImportBatch.objects.filter(status=BatchStatus.APPLYING).select_related("organisation"):
        found = noted(batch.pk)
        if found is None or found.noted_at > cutoff:
            continue
        with transaction.atomic():
            changed = ImportBatch.objects.filter(pk=batch.pk, status=BatchStatus.APPLYING).update(
                status=BatchStatus.PLANNED,
                message=_("The import was interrupted (the task worker stopped) and nothing was written; "
                          "apply it again."),
            )
            if changed:
                audit.record(
                    actor,
                    "import.apply_interrupted",
                    obj=batch,
                    organisation=batch.organisation,
                    outcome=AuditOutcome.FAILURE,
                    detail={"last_progress": timezone.localtime(found.noted_at).isoformat(timespec="seconds")},
                )
            clear(batch.pk)
        reset += changed
    return reset
