"""Precise care contact (精准关爱联系制度): campaigns, care assignments, weekly visit duties,
visits and difficulties.

Scoping: every row belongs to a worker; admins see the rows of the units in their grants, a
care contact only those of the families currently assigned to them (the "assigned" relation
added to the policies in ``CareConfig.ready``),
viewers only aggregate figures (the ``report`` action), counsellors nothing.
"""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nuanxin.care import weeks
from nuanxin.care.choices import (
    DIFFICULTY_LIFECYCLE,
    Cadence,
    DifficultyCategory,
    DifficultySource,
    DutyStatus,
    VisitMode,
)
from nuanxin.cases.models import Case, CaseNote, note_status_field, status_field
from nuanxin.core import roles
from nuanxin.core.models import ScopedQuerySet
from nuanxin.core.policy import Policy
from nuanxin.core.versioning import version_field
from nuanxin.registry.models import ASSIGNED


class CampaignQuerySet(models.QuerySet):
    def running(self, on: date | None = None):
        """Campaigns started on or before ``on`` whose declared end (if any) is not before it."""
        on = on or timezone.localdate()
        return self.filter(starts_on__lte=on).filter(Q(declared_end_on__isnull=True) | Q(declared_end_on__gte=on))


class Campaign(models.Model):
    """A care action (行动), e.g. 关爱抗疫一线医护人员及其家庭成员暖心行动: from its start until
    a city admin declares the epidemic over."""

    name = models.CharField(_("name"), max_length=200)
    starts_on = models.DateField(_("start"))
    declared_end_on = models.DateField(_("declared end"), null=True, blank=True)
    # Visit cadence per frontline team type (registry TeamType value -> Cadence value).
    cadence = models.JSONField(_("visit cadence"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    # The Monday of the last week whose duties the periodic job has opened for every family
    # (so a run only inserts the weeks after it; see services.open_duties).
    duties_opened_through = models.DateField(null=True, blank=True, editable=False)
    version = version_field()  # optimistic concurrency (core/versioning.py)

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # the author of the next history row (set by the services)
    objects = CampaignQuerySet.as_manager()

    # Campaigns belong to the whole city: every administrator reads them, only a city
    # administrator over the root manages them.
    policy = Policy(
        path=None,
        actions={"view": roles.REGISTER_VIEW | roles.CARE_REPORT, "manage": roles.CITY_ADMINS},
        root_only={"manage"},
    )

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

    def visited_teams(self) -> list[str]:
        """The frontline teams whose families this campaign visits (a cadence other than none)."""
        from nuanxin.registry.choices import TeamType

        return [t for t in TeamType.values if self.cadence_for(t) != Cadence.NONE]

    @property
    def start_week(self) -> date:
        return weeks.monday(self.starts_on)

    @property
    def last_week(self) -> date | None:
        """The Monday of the last week with duties: the week the end was declared for."""
        return weeks.monday(self.declared_end_on) if self.declared_end_on else None

    def covers_week(self, week: date) -> bool:
        last = self.last_week
        return week >= self.start_week and (last is None or week <= last)

    def is_due(self, team: str, week: date) -> bool:
        """Whether a family of ``team`` owes a visit in ``week`` (fortnightly = every second
        ISO week counted from the campaign's start week)."""
        if not self.covers_week(week):
            return False
        cadence = self.cadence_for(team)
        if cadence == Cadence.WEEKLY:
            return True
        if cadence == Cadence.FORTNIGHTLY:
            return ((week - self.start_week).days // 7) % 2 == 0
        return False

    def teams_due(self, week: date) -> list[str]:
        """The frontline team types whose families owe a visit in ``week``."""
        from nuanxin.registry.choices import TeamType

        return [team for team in TeamType.values if self.is_due(team, week)]


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
    started_at = models.DateTimeField(_("assigned"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    assigned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # the author of the next history row (set by the services)
    objects = CareAssignmentQuerySet.as_manager()

    # "change": assign and unassign (admins over the family's unit); "contact": who may be the
    # family's care contact (an active care contact covering its unit: ``policy.allows_in``,
    # and ``policy.holders`` for the pickers and suggestions).
    policy = Policy(
        path="worker__organisation__path",
        actions={"view": roles.REGISTER_CHANGE, "change": roles.REGISTER_CHANGE, "contact": roles.CARE_CONTACTS},
    )

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


class UnassignedFamily(models.Model):
    """A family the campaign visits (its team has a cadence, the worker is not archived) that
    has no current care contact: derived from the register and the assignments, not entered.

    The overview and the assignment page list unassigned families from these rows instead of
    testing every family of the subtree for a current assignment, so the lists cost what they
    show, not what the district holds. Every service that changes a worker's team, status or
    unit, an assignment or a campaign's cadence calls ``services.sync_unassigned`` in its own
    transaction; the periodic job ``care.sync_unassigned`` recomputes them all and logs any
    difference it had to repair. The readers still apply the full rule, so a row left behind
    never shows a family that has a contact."""

    # Derived rows: they go with their worker without asking (an import's undo may remove the
    # workers it created although rows here point at them).
    is_derived = True

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    worker = models.ForeignKey("registry.Worker", on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("unassigned family")
        verbose_name_plural = _("unassigned families")
        constraints = [models.UniqueConstraint(fields=["campaign", "worker"], name="care_unassigned_once")]
        indexes = [models.Index(fields=["campaign", "organisation"], name="care_unassigned_unit_idx")]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.worker_id}"


class Visit(models.Model):
    """One visit to a worker's family (慰问): at home, by phone, by video or online. Edits keep
    their history, and carry the ``version`` they started from (optimistic concurrency)."""

    worker = models.ForeignKey(
        "registry.Worker", verbose_name=_("worker"), on_delete=models.CASCADE, related_name="visits"
    )
    campaign = models.ForeignKey(
        Campaign,
        verbose_name=_("campaign"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    on = models.DateField(_("date"))
    mode = models.CharField(_("mode"), max_length=16, choices=VisitMode.choices, default=VisitMode.HOME)
    visitors = models.CharField(_("visitors"), max_length=200, blank=True)
    state_of_mind = models.TextField(_("state of mind"), blank=True)  # 思想动态
    opinions = models.TextField(_("opinions heard"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = version_field()

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # the author of the next history row (set by the services)
    objects = ScopedQuerySet.as_manager()

    policy = Policy(
        path="worker__organisation__path",
        actions={"view": roles.REGISTER_VIEW, "change": roles.REGISTER_VIEW},
        related=ASSIGNED,
    )

    class Meta:
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        ordering = ["-on", "-id"]
        indexes = [
            models.Index(fields=["worker", "on"], name="care_visit_worker_on_idx"),
            # The reports count a period's visits under an organisation (reports.figures).
            models.Index(fields=["on"], name="care_visit_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.on:%Y-%m-%d} {self.get_mode_display()}"

    @property
    def week(self) -> date:
        return weeks.monday(self.on)


class VisitItem(models.Model):
    """Daily necessities delivered during a visit: item, quantity and value in yuan."""

    visit = models.ForeignKey(Visit, verbose_name=_("visit"), on_delete=models.CASCADE, related_name="items")
    item = models.CharField(_("item"), max_length=100)
    quantity = models.DecimalField(
        _("quantity"), max_digits=10, decimal_places=2, default=1, validators=[MinValueValidator(0)]
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    value = models.DecimalField(
        _("value (yuan)"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # the author of the next history row (set by the services)

    class Meta:
        verbose_name = _("necessity delivered")
        verbose_name_plural = _("necessities delivered")
        ordering = ["visit_id", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="care_item_quantity_not_negative"),
            models.CheckConstraint(condition=Q(value__gte=0), name="care_item_value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}{self.unit}"


class VisitDuty(models.Model):
    """A family's visit owed in one ISO week of a campaign (每周慰问义务): due, then done by a
    visit in the week, missed when the week ends without one, or excused with a reason.

    ``organisation`` is the worker's unit when the week was opened (the unit that owed the
    visit); it makes the per-unit weekly overview one index range read. The ``*_at``
    timestamps say when each state was reached, so the state on any past day can be told
    (see ``selectors.status_as_of``)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="duties")
    worker = models.ForeignKey(
        "registry.Worker", verbose_name=_("worker"), on_delete=models.CASCADE, related_name="visit_duties"
    )
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    week = models.DateField(_("week"))  # its Monday
    status = models.CharField(_("status"), max_length=16, choices=DutyStatus.choices, default=DutyStatus.DUE)
    excuse_reason = models.CharField(_("reason"), max_length=200, blank=True)
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="duties",
    )
    created_at = models.DateTimeField(_("opened"), default=timezone.now)
    done_at = models.DateTimeField(_("visited"), null=True, blank=True)
    missed_at = models.DateTimeField(_("marked missed"), null=True, blank=True)
    excused_at = models.DateTimeField(_("excused"), null=True, blank=True)
    excused_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    policy = Policy(
        path="organisation__path",
        actions={
            "view": roles.REGISTER_VIEW,
            "change": roles.REGISTER_VIEW,
            "report": roles.CARE_REPORT,
            "visit": roles.CARE_CONTACTS,  # the care contact's own week of visits
        },
        related=ASSIGNED,
    )

    class Meta:
        verbose_name = _("visit duty")
        verbose_name_plural = _("visit duties")
        ordering = ["-week", "worker_id"]
        constraints = [
            models.UniqueConstraint(fields=["worker", "week", "campaign"], name="care_duty_one_per_week"),
        ]
        indexes = [
            # The weekly overview: one campaign, one week, the units of a subtree, by status.
            models.Index(fields=["campaign", "week", "organisation", "status"], name="care_duty_overview_idx"),
            # The periodic job's "mark every past week's undone duty missed": only due rows.
            models.Index(fields=["week"], condition=Q(status="due"), name="care_duty_due_week_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {weeks.label(self.week)} {self.get_status_display()}"

    @property
    def week_label(self) -> str:
        return weeks.label(self.week)

    @property
    def sunday(self) -> date:
        return self.week + timedelta(days=6)


class WeekTotal(models.Model):
    """How many duties of one campaign and week one organisation owes, by status: the figures
    of the overview and of the completion chart, read instead of counting the duties (which
    grow with the families; these rows grow with the organisations and the weeks).

    Kept by the database itself, in the transaction that changes a duty: triggers on
    ``care_visitduty`` (migration 0009) add and subtract every insert, update and delete,
    whoever makes it (the services, the weekly turn's bulk update, a worker deleted with its
    duties, a test). A bulk load that turns triggers off (bench/care_scale.py) or a repair
    rebuilds them from the duties: ``nuanxin care rebuild-totals`` (``services.rebuild_week_totals``).
    A row whose counts are all zero (its duties withdrawn) stands for no duty."""

    # Derived rows: they go with their campaign or organisation without asking.
    is_derived = True

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    week = models.DateField()  # its Monday
    organisation = models.ForeignKey("orgs.Organisation", on_delete=models.CASCADE, related_name="+")
    due = models.IntegerField(default=0)
    done = models.IntegerField(default=0)
    missed = models.IntegerField(default=0)
    excused = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("weekly visit totals")
        verbose_name_plural = _("weekly visit totals")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "week", "organisation"], name="care_weektotal_once"),
        ]

    def __str__(self) -> str:
        return f"{self.campaign_id} {weeks.label(self.week)} {self.organisation_id}"


class Difficulty(Case):
    """A difficulty a family has (存在困难), followed from open to closed: a case (nuanxin/cases)
    with its category, description, source and the campaign or visit it was raised in. Its life
    cycle is ``choices.DIFFICULTY_LIFECYCLE``; ``organisation`` (the worker's unit, moved with the
    worker) lets an organisation's summary read an index, scoping still goes through the worker."""

    lifecycle = DIFFICULTY_LIFECYCLE

    worker = models.ForeignKey(
        "registry.Worker",
        verbose_name=_("worker"),
        on_delete=models.CASCADE,
        related_name="difficulties",
    )
    status = status_field(DIFFICULTY_LIFECYCLE)
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
    description = models.TextField(_("description"))
    source = models.CharField(
        _("source"),
        max_length=16,
        choices=DifficultySource.choices,
        default=DifficultySource.MANUAL,
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    visit = models.ForeignKey(
        Visit,
        verbose_name=_("raised during visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="difficulties",
    )

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # the author of the next history row (set by the services)
    objects = ScopedQuerySet.as_manager()

    # The actions its life cycle names: "change" (open, move, note: admins and the family's
    # care contact), "manage" (close, hand over: admins), "own" (who may own one), "escalate"
    # (who is told when an overdue one reaches their organisation).
    policy = Policy(
        path="worker__organisation__path",
        actions={
            "view": roles.REGISTER_VIEW,
            "change": roles.REGISTER_VIEW,
            "report": roles.CARE_REPORT,
            "manage": roles.REGISTER_CHANGE,
            "own": roles.CASE_OWNERS,
            "escalate": roles.MANAGERS,
        },
        related=ASSIGNED,
    )

    class Meta(Case.Meta):
        verbose_name = _("difficulty")
        verbose_name_plural = _("difficulties")

    def __str__(self) -> str:
        # Never the description: str() is what the audit trail keeps as the object's name
        # (append-only, read and exported by auditors), and the text may be about health or
        # the mind (PIPL art. 28).
        return f"{self.get_category_display()} #{self.pk}"


class DifficultyNote(CaseNote):
    """One entry of a difficulty's timeline (a case note): its opening, a note, a status change,
    a new owner, an edit or an escalation, with who and when."""

    difficulty = models.ForeignKey(
        Difficulty, verbose_name=_("difficulty"), on_delete=models.CASCADE, related_name="notes"
    )
    from_status = note_status_field(DIFFICULTY_LIFECYCLE, _("from"))
    to_status = note_status_field(DIFFICULTY_LIFECYCLE, _("to"))

    objects = ScopedQuerySet.as_manager()

    policy = Policy(
        path="difficulty__worker__organisation__path", actions={"view": roles.REGISTER_VIEW}, related=ASSIGNED
    )

    class Meta:
        verbose_name = _("difficulty note")
        verbose_name_plural = _("difficulty notes")
        ordering = ["difficulty_id", "at", "id"]
