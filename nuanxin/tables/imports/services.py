"""Writes of the importer, one entry point for the pages, the API, the command and the tasks:
upload and dry run (``batches``), decisions on likely duplicates (``decisions``), apply
(``apply``, with its checks in ``checks``, its PostgreSQL adapter in ``applysql`` and its
progress in ``progress``), undo (``undo``) and the rejected rows as xlsx (``rejects``).

The dry run stores every row's outcome and the exact changes; the apply writes that stored plan
in one transaction after checking that nothing it relies on changed since (otherwise it refuses,
and the user runs the dry run again); the undo reverses an applied batch while nothing has
changed the records it wrote since.
"""

from nuanxin.tables.imports.apply import apply_batch, family_derived, request_apply, worker_derived
from nuanxin.tables.imports.batches import create_batch, plan_batch
from nuanxin.tables.imports.decisions import decide_row, skip_undecided
from nuanxin.tables.imports.messages import join_messages
from nuanxin.tables.imports.progress import live_progress, reset_interrupted_applies
from nuanxin.tables.imports.rejects import export_rejected_rows, outcome_counts
from nuanxin.tables.imports.undo import undo_batch

__all__ = [
    "apply_batch",
    "create_batch",
    "decide_row",
    "export_rejected_rows",
    "family_derived",
    "join_messages",
    "live_progress",
    "outcome_counts",
    "plan_batch",
    "request_apply",
    "reset_interrupted_applies",
    "skip_undecided",
    "undo_batch",
    "worker_derived",
]
