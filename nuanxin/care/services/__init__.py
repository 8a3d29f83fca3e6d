"""Writes of the care work, by concept. Every function takes a keyword-only ``actor`` and writes its
audit row in the same transaction. Who may do what is each model's ``policy``
(``care/models.py``). The modules: ``campaigns``,
``duties`` (the weekly visit duties), ``assignments`` (care contacts), ``visits`` and
``difficulties``; this package re-exports their public functions, so callers write
``services.record_visit``.
"""

from nuanxin.care.services.assignments import (
    assign_contact,
    assign_from_hints,
    assign_many,
    bulk_assign,
    follow_worker_move,
    release_contacts,
    sync_unassigned,
    unassign,
)
from nuanxin.care.services.campaigns import (
    CAMPAIGN_FIRST_DAY,
    CAMPAIGN_HORIZON,
    create_campaign,
    declare_end,
    set_cadence,
)
from nuanxin.care.services.difficulties import (
    DUE_HORIZON,
    NewDifficulty,
    add_difficulty_note,
    change_difficulty_status,
    check_due_on,
    escalate_overdue_difficulties,
    escalation_level_for,
    escalation_recipients,
    open_difficulties,
    open_difficulty,
    update_difficulty,
)
from nuanxin.care.services.duties import (
    BULK_BATCH,
    excuse_duty,
    open_duties,
)
from nuanxin.care.services.totals import rebuild_week_totals
from nuanxin.care.services.visits import (
    ITEM_NUMBER_MAX,
    delete_visit,
    record_visit,
    too_large_message,
    update_visit,
)

__all__ = [
    "BULK_BATCH",
    "CAMPAIGN_FIRST_DAY",
    "CAMPAIGN_HORIZON",
    "DUE_HORIZON",
    "ITEM_NUMBER_MAX",
    "NewDifficulty",
    "add_difficulty_note",
    "assign_contact",
    "assign_from_hints",
    "assign_many",
    "bulk_assign",
    "change_difficulty_status",
    "check_due_on",
    "create_campaign",
    "declare_end",
    "delete_visit",
    "escalate_overdue_difficulties",
    "escalation_level_for",
    "escalation_recipients",
    "excuse_duty",
    "follow_worker_move",
    "open_difficulties",
    "open_difficulty",
    "open_duties",
    "rebuild_week_totals",
    "record_visit",
    "release_contacts",
    "set_cadence",
    "sync_unassigned",
    "too_large_message",
    "unassign",
    "update_difficulty",
    "update_visit",
]
