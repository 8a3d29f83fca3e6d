"""Difficulties (困难诉求): cases (nuanxin/cases) whose life cycle is
``choices.DIFFICULTY_LIFECYCLE``. This module checks a difficulty's own fields (description,
category, source, campaign, visit) and picks its default owner (the family's care contact);
opening, moving, noting, handing over and escalating are the cases app's services."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.care.choices import DifficultyCategory, DifficultySource, Urgency
from nuanxin.care.models import Campaign, CareAssignment, Difficulty, DifficultyNote, Visit
from nuanxin.cases import services as cases
from nuanxin.core import plaintext
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.registry.models import Worker

DUE_HORIZON = timedelta(days=731)  # a due date set by hand: at most two years ahead


def _default_owner(worker: Worker, campaign: Campaign | None):
    """The family's current care contact (in ``campaign`` when given), if any."""
    assignments = CareAssignment.objects.current().filter(worker=worker).select_related("contact")
    if campaign is not None:
        assignments = assignments.filter(campaign=campaign)
    assignment = assignments.order_by("-started_at").first()
    return assignment.contact if assignment is not None else None


def check_due_on(due_on, *, field: str = "due_on") -> date:
    """A due date set by hand: from today (a past one would be overdue, and escalated, at once)
    to two years ahead (9999-12-31 would never be overdue, so never followed up)."""
    today = timezone.localdate()
    last = today + DUE_HORIZON
    if not isinstance(due_on, date) or not today <= due_on <= last:
        raise ServiceError(
            _("The due date must be from today (%(first)s) to two years ahead (%(last)s).")
            % {"first": today.isoformat(), "last": last.isoformat()},
            field=field,
        )
    return due_on


def _clean_description(description: str) -> str:
    description = plaintext.notes(description, field="description", label=_("Description"))
    if not description:
        raise ServiceError(_("Describe the difficulty."), field="description")
    return description


def _check_category(category: str) -> None:
    if category not in DifficultyCategory.values:
        raise ServiceError(_("Unknown category."), field="category")


def _check_urgency(urgency: str) -> None:
    if urgency not in Urgency.values:
        raise ServiceError(_("Unknown urgency."), field="urgency")


@transaction.atomic
def open_difficulty(
    *,
    actor,
    worker: Worker,
    description: str,
    category: str = DifficultyCategory.OTHER,
    urgency: str = Urgency.NORMAL,
    source: str = DifficultySource.MANUAL,
    campaign: Campaign | None = None,
    owner=None,
    visit: Visit | None = None,
    due_on: date | None = None,
) -> Difficulty:
    """Record a difficulty of a worker's family; its due date follows from the urgency unless
    ``due_on`` sets it (from today to two years ahead: ``check_due_on``). The owner defaults to
    the family's care contact (else the person recording it); naming someone else is handing it
    over (administrators)."""
    description = _clean_description(description)
    _check_category(category)
    _check_urgency(urgency)
    worker = Worker.objects.select_related("organisation").get(pk=worker.pk)
    if due_on is not None:
        check_due_on(due_on)
    return cases.open(
        Difficulty,
        actor=actor,
        worker=worker,
        fields={
            "campaign": campaign,
            "category": category,
            "description": description,
            "source": source,
            "visit": visit,
        },
        urgency=urgency,
        owner=owner,
        default_owner=None if owner is not None else _default_owner(worker, campaign),
        due_on=due_on,
        detail={"worker": worker.pk, "category": category, "urgency": urgency, "source": source},
    )


@dataclass(frozen=True)
class NewDifficulty:
    """One difficulty for ``open_difficulties``: ``key`` is the caller's (e.g. a row index)."""

    key: object
    worker_id: int
    organisation_id: int
    description: str
    category: str = DifficultyCategory.OTHER
    urgency: str = Urgency.NORMAL
    source: str = DifficultySource.IMPORT


CHUNK = 5000  # worker ids per query


def open_difficulties(*, actor, items: Iterable[NewDifficulty], insert=None, insert_notes=None) -> dict:
    """Open many difficulties at once (the importer): each exactly as ``open_difficulty`` opens
    one without a campaign (initial status, due date from the urgency, owner = the family's
    current care contact else the actor, an "opened" note, a ``difficulty.open`` audit row),
    with a handful of queries (``cases.services.open_many``: bulk inserts, ``audit.record_many``).
    The caller has checked that ``actor`` may open them and that ``organisation_id`` is the
    worker's unit; descriptions, categories and urgencies are checked here. ``insert`` /
    ``insert_notes``: the bulk writers (default ``bulk_create``; the importer passes its COPY
    writer with history). Returns ``key`` -> the new ``Difficulty``. Runs in the caller's
    transaction (or its own)."""
    items = list(items)
    if not items:
        return {}
    for item in items:
        _check_category(item.category)
        _check_urgency(item.urgency)
        if item.source not in DifficultySource.values:
            raise ServiceError(_("Unknown source."), field="source")
    worker_ids = sorted({item.worker_id for item in items})
    owners: dict[int, int] = {}
    for start in range(0, len(worker_ids), CHUNK):
        current = (
            CareAssignment.objects.current()
            .filter(worker_id__in=worker_ids[start : start + CHUNK])
            .order_by("worker_id", "-started_at")
            .values_list("worker_id", "contact_id")
        )
        for worker_id, contact_id in current:
            owners.setdefault(worker_id, contact_id)
    return cases.open_many(
        Difficulty,
        actor=actor,
        items=[
            cases.NewCase(
                key=item.key,
                worker_id=item.worker_id,
                organisation_id=item.organisation_id,
                fields={
                    "campaign": None,
                    "category": item.category,
                    "description": _clean_description(item.description),
                    "source": item.source,
                },
                urgency=item.urgency,
                owner_id=owners.get(item.worker_id),
                detail={
                    "worker": item.worker_id,
                    "category": item.category,
                    "urgency": item.urgency,
                    "source": item.source,
                },
            )
            for item in items
        ],
        insert=insert,
        insert_notes=insert_notes,
    )


def change_difficulty_status(
    *, actor, difficulty: Difficulty, to: str, note: str = "", version: int | None = None
) -> Difficulty:
    """Move a difficulty along its life cycle: open → in progress → resolved → closed; a
    resolved or closed one can be reopened with a reason (it gets a new due date). Closing is
    for admins. ``version``: the version the page showed (``Conflict`` if changed since)."""
    return cases.transition(difficulty, actor=actor, to=to, note=note, version=version)


def add_difficulty_note(*, actor, difficulty: Difficulty, text: str) -> DifficultyNote:
    """Add a note to a difficulty's timeline (what was done, who was called)."""
    return cases.note(difficulty, actor=actor, text=text)  # type: ignore[return-value]


def update_difficulty(
    *,
    actor,
    difficulty: Difficulty,
    description: str | None = None,
    category: str | None = None,
    urgency: str | None = None,
    owner=None,
    version: int | None = None,
) -> Difficulty:
    """Change a difficulty's description, category, urgency (a new urgency sets a new due
    date from today) or owner (admins only). ``version``: the version the edit started from
    (``Conflict`` if changed since)."""
    if description is not None:
        description = _clean_description(description)
    if category is not None:
        _check_category(category)
    if urgency is not None:
        _check_urgency(urgency)
    return cases.update(
        difficulty,
        actor=actor,
        fields={"description": description, "category": category},
        urgency=urgency,
        owner=owner,
        version=version,
    )


def escalation_level_for(difficulty: Difficulty, today: date) -> int:
    """How many levels up an overdue difficulty should have gone (``cases.escalation_level``)."""
    return cases.escalation_level(difficulty, today)


def escalation_recipients(difficulty: Difficulty, level: int) -> tuple[object, list]:
    """The organisation ``level`` steps above the worker's unit and its admins
    (``cases.escalation_recipients``)."""
    return cases.escalation_recipients(difficulty, level)


def escalate_overdue_difficulties(*, actor=SYSTEM, today: date | None = None) -> int:
    """Notify the owner of every overdue difficulty and escalate it to the admins of the
    organisation above, one level per overdue period; each level happens once (the level is
    recorded, and notifications have idempotency keys). Returns how many were escalated."""
    from nuanxin.care import reminders

    def notify(difficulty, level, organisation, admins):
        return reminders.notify_overdue_difficulty(difficulty, level=level, organisation=organisation, admins=admins)

    return cases.escalate_overdue(Difficulty, actor=actor, notify=notify, today=today)
