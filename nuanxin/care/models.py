"""Precise care contact (精准关爱联系制度): campaigns, care assignments and difficulties.

Weekly visit duties and visits are added by the care issue on top of these."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nuanxin.care.choices import (
    Cadence,
    DifficultyCategory,
    DifficultySource,
    DifficultyStatus,
    Urgency,
)
from nuanxin.core.models import ScopedQuerySet
from nuanxin.registry.choices import REGISTER_CHANGE_ROLES, REGISTER_VIEW_ROLES
from nuanxin.registry.models import WorkerQuerySet


class Campaign(models.Model):
    """A care action (行动), e.g. 关爱抗疫一线医护人员及其家庭成员暖心行动: from its start until
    a city admin declares the epidemic over."""

    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("start"))
    declared_end_on = models.DateField(_("declared end"), null=True, blank=True)
    # Visit cadence per frontline team type (registry TeamType value -> Cadence value).
    cadence = models.JSONField(_("visit cadence"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "id"]

    def __str__(self) -> str:
        return self.name

    def cadence_for(self, team: str) -> str:
        from nuanxin.registry.choices import TeamType

        default = Cadence.WEEKLY if team == TeamType.HUBEI_AID else Cadence.NONE
        return self.cadence.get(team, default)


class CareAssignmentQuerySet(ScopedQuerySet):
    def current(self):
        return self.filter(ended_at__isnull=True)


class CareAssignment(models.Model):
    """Who in the union looks after a worker's family in a campaign (工会联系人). One current
    assignment per family and campaign; ended ones stay as the history."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="assignments"
    )
    worker = models.ForeignKey(
        "registry.Worker",
        verbose_name=_("worker"),
        on_delete=models.CASCADE,
        related_name="care_assignments",
    )
    contact = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("care contact"),
        on_delete=models.PROTECT,
        related_name="care_assignments",
    )
    started_at = models.DateTimeField(_("assigned"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()
    objects = CareAssignmentQuerySet.as_manager()

    scope_path = "worker__organisation__path"
    scope_roles = {"view": REGISTER_CHANGE_ROLES, "change": REGISTER_CHANGE_ROLES}

    class Meta:
        verbose_name = _("care assignment")
        verbose_name_plural = _("care assignments")
        ordering = ["-started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "worker"],
                condition=Q(ended_at__isnull=True),
                name="care_one_current_assignment",
            ),
        ]
        indexes = [models.Index(fields=["contact", "ended_at"], name="care_assignment_contact_idx")]

    def __str__(self) -> str:
        return f"{self.worker} → {self.contact}"


class Difficulty(models.Model):
    """A difficulty a family has (存在困难), followed from open to closed."""

    worker = models.ForeignKey(
        "registry.Worker",
        verbose_name=_("worker"),
        on_delete=models.CASCADE,
        related_name="difficulties",
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="difficulties",
    )
    category = models.CharField(
        _("category"),
        max_length=16,
        choices=DifficultyCategory.choices,
        default=DifficultyCategory.OTHER,
    )
    urgency = models.CharField(
        _("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.NORMAL
    )
    description = models.TextField(_("description"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=DifficultyStatus.choices,
        default=DifficultyStatus.OPEN,
        db_index=True,
    )
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=DifficultySource.choices,
        default=DifficultySource.MANUAL,
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_difficulties",
    )
    due_on = models.DateField(_("due"), null=True, blank=True)
    created_at = models.DateTimeField(_("opened"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    history = HistoricalRecords()
    objects = WorkerQuerySet.as_manager()

    scope_path = "worker__organisation__path"
    worker_lookup = "worker__"
    scope_roles = {"view": REGISTER_VIEW_ROLES, "change": REGISTER_VIEW_ROLES}

    class Meta:
        verbose_name = _("difficulty")
        verbose_name_plural = _("difficulties")
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.description[:40]
