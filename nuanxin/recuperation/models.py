"""Free recuperation (疗休养) for the frontline staff after the epidemic (measure 3).

- A **base** (疗休养基地, e.g. 青岛湛山疗养院) with its address and capacity.
- A **programme** (e.g. 抗疫一线医务人员免费疗休养) run by an organisation (the city), with its
  declared **ranking rule** (``ranking``: ``RankCriterion`` values in order), how long an offer
  is held (``offer_hours``, 48 by default) and the cost of a place (charged to a fund).
- A **batch**: base, dates, places and who may go (``teams``: frontline teams; empty: every
  frontline team).
- A **candidate**: a worker nominated by their unit union for a batch. Candidates are ordered
  by the programme's rule; places are offered by rank, the rest wait in order. A candidate
  holding a place (offered, accepted, attended) of a programme cannot hold another place of the
  same programme (a database constraint on ``programme`` and ``worker``).
- An **offer**: a place offered to a candidate, held until ``expires_at``; accepted or declined
  by the person's unit union (or the person, once self-service exists); an expired or declined
  offer passes to the next candidate waiting (a periodic job).

Bases, programmes and batches belong to the whole tree (``path=None``): every union
administrator sees them, a city administrator (a grant at the root) manages them. Candidates
and offers are the worker's personal data, scoped by the worker's unit.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nuanxin.core import roles
from nuanxin.core.models import ScopedQuerySet
from nuanxin.core.policy import Policy
from nuanxin.core.versioning import version_field
from nuanxin.recuperation.choices import (
    DEFAULT_RANKING,
    HOLDING,
    BatchStatus,
    CandidateStatus,
    OfferStatus,
    ProgrammeStatus,
)

# Bases, programmes, batches: seen by every union administrator, viewer, auditor and the
# finance roles (who charge the places' cost); managed (and attendance recorded) by a city
# administrator.
CATALOGUE_ACTIONS = {"view": roles.WELFARE_CATALOGUE, "manage": roles.CITY_ADMINS}

# A candidate (and its offers): "view" (administrators of the worker's unit and above,
# auditors), "nominate" (put a worker forward, withdraw), "respond" (accept or decline an offer
# for the person), "report" (counts only: viewers too).
CANDIDATE_ACTIONS = {
    "view": roles.WELFARE_VIEW,
    "nominate": roles.WELFARE_MANAGE,
    "respond": roles.WELFARE_MANAGE,
    "report": roles.WELFARE_FIGURES,
}


def default_ranking() -> list[str]:
    return list(DEFAULT_RANKING)


class Base(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    address = models.CharField(_("address"), max_length=200)
    capacity = models.PositiveIntegerField(
        _("capacity (people at a time)"), validators=[MinValueValidator(1), MaxValueValidator(100000)]
    )
    contact_name = models.CharField(_("contact"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    active = models.BooleanField(_("in use"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(path=None, actions=CATALOGUE_ACTIONS, root_only={"manage"})

    class Meta:
        verbose_name = _("recuperation base")
        verbose_name_plural = _("recuperation bases")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Programme(models.Model):
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("run by"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100, unique=True)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ProgrammeStatus.choices, default=ProgrammeStatus.DRAFT
    )
    ranking = models.JSONField(_("ranking rule"), default=default_ranking)
    offer_hours = models.PositiveSmallIntegerField(
        _("an offer is held for (hours)"), default=48, validators=[MinValueValidator(1), MaxValueValidator(720)]
    )
    cost_per_place = models.DecimalField(
        _("cost per place (yuan)"), max_digits=10, decimal_places=2, default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(path=None, actions=CATALOGUE_ACTIONS, root_only={"manage"})

    class Meta:
        verbose_name = _("recuperation programme")
        verbose_name_plural = _("recuperation programmes")
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.name


class Batch(models.Model):
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="batches"
    )
    base = models.ForeignKey(Base, verbose_name=_("base"), on_delete=models.PROTECT, related_name="batches")
    name = models.CharField(_("name"), max_length=50)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("to"))
    places = models.PositiveIntegerField(_("places"), validators=[MinValueValidator(1), MaxValueValidator(100000)])
    # TeamType values of who may go (empty: every frontline team).
    teams = models.JSONField(_("who may go"), default=list, blank=True)
    nominations_close_at = models.DateTimeField(_("nominations close"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=BatchStatus.choices, default=BatchStatus.OPEN)
    # The expenditure charging the places' cost (recorded by a finance clerk).
    cost_entry = models.ForeignKey(
        "funds.Entry", verbose_name=_("cost charged by"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(path=None, actions=CATALOGUE_ACTIONS, root_only={"manage"})

    class Meta:
        verbose_name = _("recuperation batch")
        verbose_name_plural = _("recuperation batches")
        ordering = ["starts_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="recuperation_batch_name"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="recuperation_batch_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.programme} {self.name}"


class Candidate(models.Model):
    batch = models.ForeignKey(Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="candidates")
    # The batch's programme, kept here so the database can refuse two places in one programme.
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="+"
    )
    worker = models.ForeignKey(
        "registry.Worker", verbose_name=_("worker"), on_delete=models.PROTECT, related_name="recuperation_candidacies"
    )
    # The unit union that put the worker forward.
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("nominated by"), on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied"))
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=16, choices=CandidateStatus.choices, default=CandidateStatus.WAITING
    )
    status_changed_at = models.DateTimeField(_("status changed"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="worker__organisation__path", actions=CANDIDATE_ACTIONS)

    class Meta:
        verbose_name = _("recuperation candidate")
        verbose_name_plural = _("recuperation candidates")
        ordering = ["batch_id", "applied_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "worker"], name="recuperation_candidate_once"),
            # Nobody gets two free places in the same programme.
            models.UniqueConstraint(
                fields=["programme", "worker"],
                condition=Q(status__in=[s.value for s in HOLDING]),
                name="recuperation_one_place",
            ),
        ]
        indexes = [models.Index(fields=["batch", "status"], name="recuperation_cand_status_idx")]

    def __str__(self) -> str:
        return f"{self.worker} {self.batch}"


class Offer(models.Model):
    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.PROTECT, related_name="offers"
    )
    batch = models.ForeignKey(Batch, verbose_name=_("batch"), on_delete=models.PROTECT, related_name="offers")
    offered_at = models.DateTimeField(_("offered"))
    expires_at = models.DateTimeField(_("held until"))
    status = models.CharField(_("status"), max_length=16, choices=OfferStatus.choices, default=OfferStatus.OPEN)
    responded_at = models.DateTimeField(_("answered"), null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    # The candidate whose no-show or withdrawal this offer fills, if any.
    replaces = models.ForeignKey(
        Candidate, verbose_name=_("replaces"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="candidate__worker__organisation__path", actions=CANDIDATE_ACTIONS)

    class Meta:
        verbose_name = _("recuperation offer")
        verbose_name_plural = _("recuperation offers")
        ordering = ["offered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["candidate"], condition=Q(status="open"), name="recuperation_one_open_offer"
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="recuperation_offer_due_idx")]

    def __str__(self) -> str:
        return f"offer #{self.pk}"
