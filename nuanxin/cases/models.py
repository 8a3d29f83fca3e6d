"""The abstract case and its timeline; a domain app declares the concrete models.

A concrete case (e.g. ``care.Difficulty``)::

    class Difficulty(Case):
        lifecycle = DIFFICULTY_LIFECYCLE               # lifecycle.LifeCycle
        status = status_field(DIFFICULTY_LIFECYCLE)       # choices and initial status of its life cycle
        description = models.TextField(...)            # its own fields
        policy = Policy(...)                           # who may do what (core/policy.py)

    class DifficultyNote(CaseNote):
        difficulty = models.ForeignKey(Difficulty, on_delete=models.CASCADE, related_name="notes")

The note model's foreign key to its case must have ``related_name="notes"``: the generic
services find the note model through it (``note_model``). Fields may be overridden in the
concrete model (a reverse name the app already uses, choices): the columns stay the same.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from nuanxin.cases.lifecycle import LifeCycle, NoteKind, Urgency
from nuanxin.core.versioning import version_field

if TYPE_CHECKING:
    from django.db.models.fields.related_descriptors import ReverseManyToOneDescriptor
    from django_stubs_ext import StrOrPromise


def status_field(lifecycle: LifeCycle) -> models.CharField[Any, Any]:
    """A case's ``status`` column with its life cycle's choices, opening in its initial status."""
    return models.CharField(
        _("status"), max_length=16, choices=lifecycle.statuses.choices, default=lifecycle.initial, db_index=True
    )


def note_status_field(lifecycle: LifeCycle, verbose_name: StrOrPromise) -> models.CharField[Any, Any]:
    """A note's ``from_status`` / ``to_status`` column with the life cycle's choices."""
    return models.CharField(verbose_name, max_length=16, choices=lifecycle.statuses.choices, blank=True)


class CaseBase(models.Model):
    """A matter followed from opened to closed by an owner, owned by an organisation.

    The base of every case: ``Case`` adds the worker whose family it concerns; a case that
    concerns no registered worker (a hotline's callback, a crisis case of an anonymous caller)
    derives from this one and sets ``organisation`` itself (the hotline's organisation).
    ``escalation_level``: how far the overdue case has been escalated for its current due date
    (0 = not yet); reset when it is reopened or its urgency changes."""

    lifecycle: ClassVar[LifeCycle]

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("status"), max_length=16, db_index=True)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    version = version_field()  # optimistic concurrency (core/versioning.py)

    class Meta:
        abstract = True
        ordering = ["-created_at", "id"]
        indexes = [
            # The escalation job: active cases past their due date.
            models.Index(fields=["status", "due_on"], name="%(app_label)s_%(class)s_due_idx"),
            # An organisation's summary: its cases by status.
            models.Index(fields=["organisation", "status"], name="%(app_label)s_%(class)s_unit_idx"),
        ]

    @property
    def is_active(self) -> bool:
        return self.lifecycle.is_active(self.status)

    @property
    def is_overdue(self) -> bool:
        return self.is_active and self.due_on is not None and self.due_on < timezone.localdate()


class Case(CaseBase):
    """A worker's family's matter: ``organisation`` is the worker's unit, kept with the case
    (and moved with the worker) so that an organisation's summaries read its cases from an
    index."""

    worker = models.ForeignKey(
        "registry.Worker", verbose_name=_("worker"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta(CaseBase.Meta):
        abstract = True


class CaseNote(models.Model):
    """One entry of a case's timeline: its opening, a note, a status change, a new owner, an
    edit or an escalation, with who and when. The concrete note adds the foreign key to its
    case (``related_name="notes"``)."""

    kind = models.CharField(_("kind"), max_length=16, choices=NoteKind.choices, default=NoteKind.NOTE)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    text = models.TextField(_("note"), blank=True)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


def note_model(model: type[Case]) -> tuple[type[CaseNote], str]:
    """The note model of a case model and the name of its foreign key to the case."""
    descriptor: ReverseManyToOneDescriptor[Any] = model.notes  # type: ignore[attr-defined]
    related: type[CaseNote] = descriptor.rel.related_model  # type: ignore[assignment]
    return related, descriptor.field.name
