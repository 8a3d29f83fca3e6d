"""Union volunteer teams (工会志愿服务队), their volunteers, tasks and shifts.

- ``Team`` belongs to an organisation; its ``leader`` (a user holding ``team_leader`` on the
  organisation) reaches only the teams they lead.
- ``Volunteer``: a team's member (name, mobile in E.164, skills, availability, a consent to be
  contacted); may be a registered worker or a user (e.g. a care contact).
- ``Task`` (e.g. assisting a nucleic-acid testing site) with a place; its public ``token`` is the
  sign-up link (no account needed). ``Shift``: a time slot of a task with the number of people
  needed and the people served. ``Checkin``: a volunteer's place on a shift — signed up (by link)
  or assigned, checked in and out from a phone (its own ``token``: the volunteer's link), the
  hours worked, or a no-show.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nuanxin.core import roles
from nuanxin.core.models import ScopedQuerySet
from nuanxin.core.policy import Policy
from nuanxin.core.versioning import version_field
from nuanxin.volunteers.choices import CheckinSource, CheckinStatus, TaskKind

# The relation team leaders are narrowed to (added in VolunteersConfig.ready).
LEADS: dict[str, str] = {roles.Role.TEAM_LEADER: "leads"}


# Who may do what to what belongs to a team (its volunteers, tasks, shifts and places), declared
# once for the four policies below (the team itself adds "manage").
TEAM_PART = {"view": roles.VOLUNTEER_VIEW, "change": roles.VOLUNTEER_MANAGE, "figures": roles.VOLUNTEER_FIGURES}


class Team(models.Model):
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("team leader"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="organisation__path",
        actions={
            "view": roles.VOLUNTEER_VIEW,
            "change": roles.VOLUNTEER_MANAGE,
            "manage": roles.MANAGERS,  # open, rename, close a team, name its leader
            "figures": roles.VOLUNTEER_FIGURES,
        },
        related=LEADS,
    )

    class Meta:
        verbose_name = _("volunteer team")
        verbose_name_plural = _("volunteer teams")
        ordering = ["organisation_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["organisation", "name"], name="volunteers_team_name_once")]

    def __str__(self) -> str:
        return self.name


class Volunteer(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="volunteers")
    name = models.CharField(_("name"), max_length=50)
    mobile = models.CharField(_("mobile"), max_length=20)  # E.164; shown masked as the register's
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    availability = models.CharField(_("availability"), max_length=200, blank=True)
    consent_to_contact = models.BooleanField(_("agrees to be contacted"), default=False)
    consent_at = models.DateTimeField(_("consent given"), null=True, blank=True)
    worker = models.ForeignKey(
        "registry.Worker",
        verbose_name=_("registered worker"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    active = models.BooleanField(_("active"), default=True)
    joined_on = models.DateField(_("joined"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="team__organisation__path",
        actions=dict(TEAM_PART),
        related=LEADS,
    )

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["team_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["team", "mobile"], name="volunteers_mobile_once_per_team")]

    def __str__(self) -> str:
        return self.name


class Task(models.Model):
    team = models.ForeignKey(Team, verbose_name=_("team"), on_delete=models.PROTECT, related_name="tasks")
    title = models.CharField(_("title"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=TaskKind.choices, default=TaskKind.OTHER)
    place = models.CharField(_("place"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    # The public sign-up link's secret (/v/<token>/): anyone with the link may sign up.
    token = models.CharField(max_length=32, unique=True)
    open_for_signup = models.BooleanField(_("open for sign-up by link"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="team__organisation__path",
        actions=dict(TEAM_PART),
        related=LEADS,
    )

    class Meta:
        verbose_name = _("volunteer task")
        verbose_name_plural = _("volunteer tasks")
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.title


class Shift(models.Model):
    task = models.ForeignKey(Task, verbose_name=_("task"), on_delete=models.PROTECT, related_name="shifts")
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    needed = models.PositiveSmallIntegerField(_("people needed"), validators=[MinValueValidator(1)])
    people_served = models.PositiveIntegerField(_("people served"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="task__team__organisation__path",
        actions=dict(TEAM_PART),
        related=LEADS,
    )

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="volunteers_shift_ends_after")
        ]
        indexes = [models.Index(fields=["starts_at"], name="volunteers_shift_start_idx")]

    def __str__(self) -> str:
        return f"{self.task_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Checkin(models.Model):
    """A volunteer's place on a shift, and their check-in and check-out."""

    shift = models.ForeignKey(Shift, verbose_name=_("shift"), on_delete=models.PROTECT, related_name="checkins")
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("volunteer"), on_delete=models.PROTECT, related_name="checkins"
    )
    source = models.CharField(_("how"), max_length=8, choices=CheckinSource.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=CheckinStatus.choices, default=CheckinStatus.SIGNED_UP, db_index=True
    )
    # The volunteer's own link (/v/c/<token>/): check in and out from a phone without an account.
    token = models.CharField(max_length=32, unique=True)
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2, default=Decimal("0"))
    created_at = models.DateTimeField(_("signed up"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="shift__task__team__organisation__path",
        actions=dict(TEAM_PART),
        related=LEADS,
    )

    class Meta:
        verbose_name = _("shift place")
        verbose_name_plural = _("shift places")
        ordering = ["shift_id", "id"]
        constraints = [models.UniqueConstraint(fields=["shift", "volunteer"], name="volunteers_checkin_once")]
        indexes = [models.Index(fields=["volunteer", "status"], name="volunteers_checkin_vol_idx")]

    def __str__(self) -> str:
        return f"{self.shift_id}/{self.volunteer_id}"
