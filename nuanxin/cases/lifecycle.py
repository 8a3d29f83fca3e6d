"""A case type's life cycle, declared once: its statuses, which of them are active (being worked
on, so they can become overdue and be escalated), the transitions and the policy action each
needs, which need a reason, the due days by urgency, and the texts its refusals use.

The actions are names of the model's policy (``Model.policy``): ``allows(actor, action,
case)`` decides. A life cycle only names them, so the same declaration reads the same for a
difficulty, a hotline callback or a fund request.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

Text = str | Promise  # a message, usually lazy (gettext_lazy)


class Urgency(models.TextChoices):
    """How soon a case must be dealt with; the life cycle maps each to a number of days."""

    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Critical")


class NoteKind(models.TextChoices):
    """The entries of a case's timeline."""

    OPENED = "opened", _("Opened")
    NOTE = "note", _("Note")
    STATUS = "status", _("Status change")
    OWNER = "owner", _("New owner")
    ESCALATION = "escalation", _("Escalated")
    EDIT = "edit", _("Details changed")


@dataclass(frozen=True)
class Transition:
    """A status change allowed by the life cycle.

    ``action``: the policy action the actor needs for this change, on top of the life
    cycle's ``change_action`` (e.g. "manage": closing is for administrators); ``refusal``: the
    message when they lack it. ``reason``: the change needs a note saying why (``reason_text``
    when it is missing)."""

    source: str
    target: str
    action: str = ""
    refusal: Text = ""
    reason: bool = False


# The generic words; a case type names its own in its ``Texts``.
_MAY_NOT_OPEN = _("You may not open a case for this family.")
_MAY_NOT_CHANGE = _("You may not change this case.")
_MAY_NOT_REASSIGN = _("Only an administrator may hand a case over.")
_CANNOT_OWN = _("%(user)s cannot own this case.")
_CANNOT_BECOME = _("A case that is “%(current)s” cannot become “%(to)s”.")
_REASON_REQUIRED = _("Say why the case is reopened.")
_WRITE_THE_NOTE = _("Write the note.")


@dataclass(frozen=True)
class Texts:
    """What a case type says when it refuses something (its own words, in its own catalogue).
    ``cannot_own`` has ``%(user)s``; ``cannot_become`` has ``%(current)s`` and ``%(to)s``."""

    may_not_open: Text = _MAY_NOT_OPEN
    may_not_change: Text = _MAY_NOT_CHANGE
    may_not_reassign: Text = _MAY_NOT_REASSIGN
    cannot_own: Text = _CANNOT_OWN
    cannot_become: Text = _CANNOT_BECOME
    reason_required: Text = _REASON_REQUIRED
    write_the_note: Text = _WRITE_THE_NOTE


# The verbs of the audit actions the case services record: ``<audit_prefix>.<verb>``.
AUDIT_VERBS = ("open", "transition", "note", "update", "escalate")


@dataclass(frozen=True)
class LifeCycle:
    """The declared life cycle of one case model.

    - ``statuses``: the status choices; ``initial`` the status a case opens in; ``active`` the
      statuses in which it is being worked on (it can become overdue and is escalated).
    - ``transitions``: the allowed changes (anything else is refused).
    - ``due_days``: days from opening (or reopening, or a new urgency) to the due date.
    - ``stamps``: status -> the time field set when a case enters it (``closed_at``, …);
      they are cleared again when the case is reopened (moved from an inactive status to an
      active one, which also gives it a new due date and restarts its escalation).
    - the policy actions: ``open_action`` (open one for a worker), ``change_action`` (any
      change: transitions, notes, edits), ``reassign_action`` (hand it to someone else),
      ``own_action`` (who may own one), ``escalate_action`` (who is told when it is escalated
      to their organisation).
    - ``audit_prefix``: the audit actions are ``<prefix>.open``, ``.transition``, ``.note``,
      ``.update`` and ``.escalate``; ``audited``: the fields whose values before an update the
      audit row keeps (``text_fields`` among them as their length only).
    """

    statuses: type[models.TextChoices]
    initial: str
    active: frozenset[str]
    transitions: tuple[Transition, ...]
    due_days: Mapping[str, int]
    audit_prefix: str
    stamps: Mapping[str, str] = field(default_factory=dict)
    open_action: str = "change"
    change_action: str = "change"
    reassign_action: str = "manage"
    own_action: str = "own"
    escalate_action: str = "escalate"
    audited: tuple[str, ...] = ("urgency", "owner")
    text_fields: tuple[str, ...] = ()
    texts: Texts = field(default_factory=Texts)

    def __post_init__(self) -> None:
        values = set(self.statuses.values)
        assert self.initial in values, self.initial
        assert self.active <= values, self.active - values
        for t in self.transitions:
            assert t.source in values and t.target in values, t
        for status in self.stamps:
            assert status in values, status

    @property
    def audit_actions(self) -> tuple[str, ...]:
        """Every audit action the case services record for this life cycle."""
        return tuple(f"{self.audit_prefix}.{verb}" for verb in AUDIT_VERBS)

    def targets(self, status: str) -> frozenset[str]:
        """The statuses a case in ``status`` may move to."""
        return frozenset(t.target for t in self.transitions if t.source == status)

    def transition(self, source: str, target: str) -> Transition | None:
        for t in self.transitions:
            if t.source == source and t.target == target:
                return t
        return None

    def table(self) -> dict[str, frozenset[str]]:
        """status -> the statuses it may move to (every status, in the choices' order)."""
        return {status: self.targets(status) for status in self.statuses.values}

    def is_active(self, status: str) -> bool:
        return status in self.active

    def reopens(self, source: str, target: str) -> bool:
        """Whether moving from ``source`` to ``target`` reopens the case (inactive to active)."""
        return source not in self.active and target in self.active

    def needs_reason(self, source: str, target: str) -> bool:
        t = self.transition(source, target)
        return t is not None and t.reason

    def reason_targets(self, source: str, targets: Iterable[str]) -> list[str]:
        """Those of ``targets`` that need a reason from ``source`` (for a form's label)."""
        return [t for t in targets if self.needs_reason(source, t)]

    def due_on(self, urgency: str, today: date) -> date:
        return today + timedelta(days=self.due_days[urgency])

    def label(self, status: str) -> str:
        return str(self.statuses(status).label)
