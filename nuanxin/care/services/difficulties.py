"""Difficulties (困难诉求): opened, moved through their life cycle, noted, escalated when overdue."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.care.choices import (
    DIFFICULTY_ACTIVE,
    DIFFICULTY_TRANSITIONS,
    DUE_DAYS,
    DifficultyCategory,
    DifficultyNoteKind,
    DifficultySource,
    DifficultyStatus,
    Urgency,
)
from nuanxin.care.models import (
    Campaign,
    CareAssignment,
    Difficulty,
    DifficultyNote,
    Visit,
)
from nuanxin.care.services.rules import _require, _user, may_care_for, may_manage_worker
from nuanxin.core import audit, plaintext, versioning
from nuanxin.core.errors import ServiceError
from nuanxin.orgs import scope
from nuanxin.orgs.choices import Role
from nuanxin.registry.models import Worker

# --- difficulties ---------------------------------------------------------------------------


def may_own_difficulty(user, worker: Worker) -> bool:
    """Owners are admins covering the worker's unit or care contacts covering it."""
    return bool(user.is_active) and scope.covers(
        user, {Role.CITY_ADMIN, Role.ORG_ADMIN, Role.CARE_CONTACT}, worker.organisation
    )


def _default_owner(actor, worker: Worker, campaign: Campaign | None):
    assignments = CareAssignment.objects.current().filter(worker=worker).select_related("contact")
    if campaign is not None:
        assignments = assignments.filter(campaign=campaign)
    assignment = assignments.order_by("-started_at").first()
    if assignment is not None:
        return assignment.contact
    return _user(actor)


def _note(difficulty: Difficulty, actor, kind: str, text: str = "", from_status: str = "", to_status: str = ""):
    return DifficultyNote.objects.create(
        difficulty=difficulty,
        kind=kind,
        author=_user(actor),
        text=text,
        from_status=from_status,
        to_status=to_status,
    )


DUE_HORIZON = timedelta(days=731)  # a due date set by hand: at most two years ahead


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
    the family's care contact (else the person recording it)."""
    description = plaintext.notes(description, field="description", label=_("Description"))
    if not description:
        raise ServiceError(_("Describe the difficulty."), field="description")
    if category not in DifficultyCategory.values:
        raise ServiceError(_("Unknown category."), field="category")
    if urgency not in Urgency.values:
        raise ServiceError(_("Unknown urgency."), field="urgency")
    worker = Worker.objects.select_related("organisation").get(pk=worker.pk)
    _require(may_care_for(actor, worker), _("You may not record difficulties for this family."))
    if owner is None:
        owner = _default_owner(actor, worker, campaign)
    else:
        if not may_own_difficulty(owner, worker):
            raise ServiceError(_("%(user)s cannot own this family's difficulties.") % {"user": owner}, field="owner")
        # Naming someone else is handing the difficulty over: for admins (see update_difficulty).
        if getattr(owner, "pk", None) != getattr(_user(actor), "pk", None):
            _require(may_manage_worker(actor, worker), _("Only an administrator may hand a difficulty over."))
    today = timezone.localdate()
    if due_on is not None:
        check_due_on(due_on)
    difficulty = Difficulty(
        worker=worker,
        organisation=worker.organisation,
        campaign=campaign,
        category=category,
        urgency=urgency,
        description=description,
        source=source,
        owner=owner,
        visit=visit,
        due_on=today + timedelta(days=DUE_DAYS[urgency]) if due_on is None else due_on,
        created_by=_user(actor),
    )
    difficulty._history_user = _user(actor)
    difficulty.save()
    _note(difficulty, actor, DifficultyNoteKind.OPENED, to_status=DifficultyStatus.OPEN)
    audit.record(
        actor,
        "difficulty.open",
        obj=difficulty,
        organisation=worker.organisation,
        detail={"worker": worker.pk, "category": category, "urgency": urgency, "source": source},
    )
    return difficulty


@transaction.atomic
def change_difficulty_status(
    *, actor, difficulty: Difficulty, to: str, note: str = "", version: int | None = None
) -> Difficulty:
    """Move a difficulty along its life cycle: open → in progress → resolved → closed; a
    resolved or closed one can be reopened (it gets a new due date). Closing is for admins.
    ``version``: the version the page showed (``Conflict`` if changed since)."""
    difficulty = Difficulty.objects.select_for_update().select_related("worker__organisation").get(pk=difficulty.pk)
    _require(may_care_for(actor, difficulty.worker), _("You may not change this family's difficulties."))
    versioning.check_version(difficulty, version)
    if to not in DifficultyStatus.values:
        raise ServiceError(_("Unknown status."), field="to")
    current = difficulty.status
    if to not in DIFFICULTY_TRANSITIONS[current]:
        raise ServiceError(
            _("A difficulty that is “%(current)s” cannot become “%(to)s”.")
            % {"current": DifficultyStatus(current).label, "to": DifficultyStatus(to).label},
            field="to",
        )
    if to == DifficultyStatus.CLOSED:
        _require(
            may_manage_worker(actor, difficulty.worker),
            _("Only an administrator may close a difficulty, after checking it is solved."),
        )
    note = plaintext.notes(note, field="note", label=_("Note"))
    if to == DifficultyStatus.OPEN and current in (DifficultyStatus.RESOLVED, DifficultyStatus.CLOSED) and not note:
        raise ServiceError(_("Say why the difficulty is reopened."), field="note")
    now = timezone.now()
    fields = ["status", "updated_at", versioning.bump(difficulty)]
    difficulty.status = to
    if to == DifficultyStatus.RESOLVED:
        difficulty.resolved_at = now
        fields.append("resolved_at")
    elif to == DifficultyStatus.CLOSED:
        difficulty.closed_at = now
        fields.append("closed_at")
    elif to == DifficultyStatus.OPEN and current in (DifficultyStatus.RESOLVED, DifficultyStatus.CLOSED):
        difficulty.resolved_at = None
        difficulty.closed_at = None
        difficulty.due_on = timezone.localdate() + timedelta(days=DUE_DAYS[difficulty.urgency])
        difficulty.escalation_level = 0
        difficulty.escalated_at = None
        fields += ["resolved_at", "closed_at", "due_on", "escalation_level", "escalated_at"]
    difficulty._history_user = _user(actor)
    difficulty.save(update_fields=fields)
    _note(difficulty, actor, DifficultyNoteKind.STATUS, note, from_status=current, to_status=to)
    audit.record(
        actor,
        "difficulty.transition",
        obj=difficulty,
        organisation=difficulty.worker.organisation,
        detail={"from": current, "to": to, "note": audit.text_marker(note)},
    )
    return difficulty


@transaction.atomic
def add_difficulty_note(*, actor, difficulty: Difficulty, text: str) -> DifficultyNote:
    """Add a note to a difficulty's timeline (what was done, who was called)."""
    difficulty = Difficulty.objects.select_related("worker__organisation").get(pk=difficulty.pk)
    _require(may_care_for(actor, difficulty.worker), _("You may not change this family's difficulties."))
    text = plaintext.notes(text, field="text", label=_("Note"))
    if not text:
        raise ServiceError(_("Write the note."), field="text")
    if len(text) > 5000:
        raise ServiceError(_("This text must be at most %(limit)d characters.") % {"limit": 5000}, field="text")
    note = _note(difficulty, actor, DifficultyNoteKind.NOTE, text)
    Difficulty.objects.filter(pk=difficulty.pk).update(updated_at=timezone.now())
    audit.record(
        actor, "difficulty.note", obj=difficulty, organisation=difficulty.worker.organisation, detail={"note": note.pk}
    )
    return note


@transaction.atomic
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
    difficulty = Difficulty.objects.select_for_update().select_related("worker__organisation").get(pk=difficulty.pk)
    worker = difficulty.worker
    _require(may_care_for(actor, worker), _("You may not change this family's difficulties."))
    versioning.check_version(difficulty, version)
    before = {
        "description": audit.text_marker(difficulty.description),
        "category": difficulty.category,
        "urgency": difficulty.urgency,
        "owner": difficulty.owner_id,
    }
    fields = []
    if description is not None:
        description = plaintext.notes(description, field="description", label=_("Description"))
        if not description:
            raise ServiceError(_("Describe the difficulty."), field="description")
        if description != difficulty.description:
            difficulty.description = description
            fields.append("description")
    if category is not None and category != difficulty.category:
        if category not in DifficultyCategory.values:
            raise ServiceError(_("Unknown category."), field="category")
        difficulty.category = category
        fields.append("category")
    if urgency is not None and urgency != difficulty.urgency:
        if urgency not in Urgency.values:
            raise ServiceError(_("Unknown urgency."), field="urgency")
        difficulty.urgency = urgency
        difficulty.due_on = timezone.localdate() + timedelta(days=DUE_DAYS[urgency])
        difficulty.escalation_level = 0
        fields += ["urgency", "due_on", "escalation_level"]
    if owner is not None and owner.pk != difficulty.owner_id:
        _require(may_manage_worker(actor, worker), _("Only an administrator may hand a difficulty over."))
        if not may_own_difficulty(owner, worker):
            raise ServiceError(_("%(user)s cannot own this family's difficulties.") % {"user": owner}, field="owner")
        difficulty.owner = owner
        fields.append("owner")
    if not fields:
        return difficulty
    difficulty._history_user = _user(actor)
    difficulty.save(update_fields=[*fields, "updated_at", versioning.bump(difficulty)])
    if "owner" in fields:
        _note(difficulty, actor, DifficultyNoteKind.OWNER, str(owner))
    if set(fields) - {"owner"}:
        _note(difficulty, actor, DifficultyNoteKind.EDIT, ", ".join(f for f in fields if f != "owner"))
    audit.record(
        actor,
        "difficulty.update",
        obj=difficulty,
        organisation=worker.organisation,
        detail={"changed": fields, "before": before},
    )
    return difficulty


def escalation_level_for(difficulty: Difficulty, today: date) -> int:
    """How many levels up an overdue difficulty should have gone: one level when it becomes
    overdue, one more for each further period of its urgency's length, capped at the root."""
    if difficulty.status not in DIFFICULTY_ACTIVE or difficulty.due_on is None or difficulty.due_on >= today:
        return 0
    overdue_days = (today - difficulty.due_on).days
    period = DUE_DAYS[difficulty.urgency]
    level = 1 + (overdue_days - 1) // period
    return min(level, max(1, difficulty.worker.organisation.depth - 1))


def escalation_recipients(difficulty: Difficulty, level: int) -> tuple[object, list]:
    """The organisation ``level`` steps above the worker's unit and its admins; when it has
    none, the nearest organisation further up that has some."""
    from nuanxin.accounts.models import User
    from nuanxin.orgs.models import Grant

    unit = difficulty.worker.organisation
    chain = list(reversed(type(unit).objects.get_ancestors(unit))) or [unit]  # parent first, root last
    target = chain[min(level, len(chain)) - 1]
    for org in chain[chain.index(target) :]:
        grants = Grant.objects.active().filter(organisation=org, role__in=[Role.ORG_ADMIN, Role.CITY_ADMIN])
        admins = list(User.objects.filter(is_active=True, grants__in=grants).distinct().order_by("pk"))
        if admins:
            return org, admins
    return target, []


def escalate_overdue_difficulties(*, actor=None, today: date | None = None) -> int:
    """Notify the owner of every overdue difficulty and escalate it to the admins of the
    organisation above, one level per overdue period; each level happens once (the level is
    recorded, and notifications have idempotency keys). Returns how many were escalated."""
    from nuanxin.care import reminders

    today = today or timezone.localdate()
    escalated = 0
    candidates = (
        Difficulty.objects.filter(status__in=DIFFICULTY_ACTIVE, due_on__lt=today)
        .select_related("worker__organisation", "owner")
        .order_by("pk")
    )
    for difficulty in candidates.iterator(chunk_size=500):
        level = escalation_level_for(difficulty, today)
        if level <= difficulty.escalation_level:
            continue
        with transaction.atomic():
            locked = Difficulty.objects.select_for_update().get(pk=difficulty.pk)
            if locked.escalation_level >= level or locked.status not in DIFFICULTY_ACTIVE:
                continue
            org, admins = escalation_recipients(difficulty, level)
            locked.escalation_level = level
            locked.escalated_at = timezone.now()
            locked.save(update_fields=["escalation_level", "escalated_at"])
            _note(
                locked,
                actor,
                DifficultyNoteKind.ESCALATION,
                _("Overdue since %(due)s: escalated to %(org)s.") % {"due": difficulty.due_on, "org": org},
            )
            reminders.notify_overdue_difficulty(difficulty, level=level, organisation=org, admins=admins)
            audit.record(
                actor,
                "difficulty.escalate",
                obj=difficulty,
                organisation=difficulty.worker.organisation,
                detail={"level": level, "to": org.code, "admins": [a.pk for a in admins]},
            )
            escalated += 1
    return escalated
