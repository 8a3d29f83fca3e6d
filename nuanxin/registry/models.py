"""The register (信息登记簿): frontline workers, their families and deployments.

Rows are owned by the worker's unit organisation; a grant on an organisation covers the
workers of every unit under it. Sensitive fields (PIPL art. 28) live in their own table,
read only through ``selectors.sensitive_for`` which audits every read.
"""

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nuanxin.core import roles
from nuanxin.core.models import ScopedQuerySet
from nuanxin.core.policy import Policy
from nuanxin.core.roles import Role
from nuanxin.core.versioning import version_field
from nuanxin.registry import normalise
from nuanxin.registry.choices import (
    Carrier,
    Gender,
    MaternityStatus,
    PersonnelCategory,
    TeamType,
    WorkerStatus,
)

# Admins see the rows of every unit in their grants. A care contact sees only the rows of the
# workers whose family is assigned to them (in a unit inside their grant): the "assigned"
# relation, which the care app adds to these policies (care/apps.py).
ASSIGNED: dict[str, str] = {Role.CARE_CONTACT: "assigned"}


class Worker(models.Model):
    """A frontline medical worker (职工) in the register."""

    organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("unit"),
        on_delete=models.PROTECT,
        related_name="workers",
        db_index=False,  # the Meta.indexes led by the unit serve every lookup by unit
    )
    name = models.CharField(_("name"), max_length=50)
    # Derived for search and dedupe; indexed by Meta.indexes only where a query uses an index
    # (a db_index here would also index every history row, twice on PostgreSQL).
    name_key = models.CharField(max_length=50, editable=False)
    name_pinyin = models.CharField(max_length=200, editable=False)
    name_initials = models.CharField(max_length=50, editable=False)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices, blank=True)
    category = models.CharField(
        _("personnel category"), max_length=16, choices=PersonnelCategory.choices, blank=True
    )
    post_title = models.CharField(_("post and title"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)  # E.164
    mobile_tail = models.CharField(max_length=4, blank=True, editable=False)
    team = models.CharField(_("frontline team"), max_length=32, choices=TeamType.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=WorkerStatus.choices, default=WorkerStatus.ON_DUTY
    )
    # 工会联系人姓名 as written in an imported table, until a care contact is assigned.
    contact_name_hint = models.CharField(_("union contact (as written)"), max_length=50, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()  # optimistic concurrency (core/versioning.py)

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # the author of the next history row (set by the services)
    objects = ScopedQuerySet.as_manager()

    policy = Policy(
        path="organisation__path",
        actions={"view": roles.REGISTER_VIEW, "change": roles.REGISTER_CHANGE, "sensitive": roles.SENSITIVE},
        related=ASSIGNED,
    )

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["organisation_id", "name_pinyin", "id"]
        indexes = [
            models.Index(fields=["organisation", "name_key"], name="worker_org_name_idx"),
            models.Index(fields=["name_key", "mobile"], name="worker_identity_idx"),
            models.Index(fields=["team", "status"], name="worker_team_status_idx"),
            # The care overview counts a unit's aid-team families per unit: without the unit
            # leading, PostgreSQL merged the unit index with a team index covering every
            # aid-team worker of the city (bench/care_scale.py at 1M workers).
            models.Index(fields=["organisation", "team", "status"], name="worker_org_team_status_idx"),
            # The register list's order (Meta.ordering): its first page is read from the index.
            models.Index(fields=["organisation", "name_pinyin", "id"], name="worker_list_order_idx"),
            # Search: initials by prefix (LIKE 'zs%' needs the pattern operator class on
            # PostgreSQL), the mobile's last four digits by equality. Pinyin and name are
            # searched with "contains", which no B-tree index serves; name_key equality (dedupe)
            # is served by worker_identity_idx.
            models.Index(
                fields=["name_initials"], opclasses=["varchar_pattern_ops"], name="worker_initials_prefix_idx"
            ),
            models.Index(fields=["mobile_tail"], name="worker_mobile_tail_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def refresh_derived(self) -> None:
        """Recompute the search and dedupe columns from name and mobile."""
        self.name = normalise.name(self.name)
        self.name_key = normalise.name_key(self.name)
        self.name_pinyin, self.name_initials = normalise.pinyin(self.name)
        self.mobile_tail = normalise.tail(self.mobile)

    @property
    def mobile_masked(self) -> str:
        return normalise.mask(self.mobile)

    @property
    def mobile_national(self) -> str:
        return normalise.national(self.mobile)


class WorkerSensitive(models.Model):
    """Sensitive personal data of a worker (PIPL art. 28), kept apart from the register row.
    Only those ``Worker.policy`` allows "sensitive" see it, and every read writes an audit row."""

    worker = models.OneToOneField(Worker, on_delete=models.CASCADE, related_name="sensitive")
    id_number = models.CharField(_("ID-card number"), max_length=18, blank=True)
    maternity = models.CharField(
        _("pregnancy or lactation"), max_length=16, choices=MaternityStatus.choices, blank=True
    )
    health_notes = models.TextField(_("health"), blank=True)
    children_under_14 = models.PositiveSmallIntegerField(
        _("children under 14"), null=True, blank=True
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = version_field()

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # the author of the next history row (set by the services)
    objects = ScopedQuerySet.as_manager()

    policy = Policy(path="worker__organisation__path", actions={"view": roles.SENSITIVE, "change": roles.SENSITIVE})

    class Meta:
        verbose_name = _("sensitive data")
        verbose_name_plural = _("sensitive data")

    def __str__(self) -> str:
        return f"{self.worker}"


class FamilyMember(models.Model):
    """A worker's family member (家属); one of them is the primary contact."""

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.CASCADE, related_name="family"
    )
    name = models.CharField(_("name"), max_length=50)
    name_key = models.CharField(max_length=50, editable=False)
    relation = models.CharField(_("relation"), max_length=20, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)  # E.164
    address = models.CharField(_("address"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = version_field()

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # the author of the next history row (set by the services)
    objects = ScopedQuerySet.as_manager()

    policy = Policy(
        path="worker__organisation__path",
        actions={"view": roles.REGISTER_VIEW, "change": roles.REGISTER_CHANGE},
        related=ASSIGNED,
    )

    class Meta:
        verbose_name = _("family member")
        verbose_name_plural = _("family members")
        ordering = ["worker_id", "-is_primary", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["worker"],
                condition=Q(is_primary=True),
                name="family_one_primary_per_worker",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def refresh_derived(self) -> None:
        self.name = normalise.name(self.name)
        self.name_key = normalise.name_key(self.name)

    @property
    def mobile_masked(self) -> str:
        return normalise.mask(self.mobile)

    @property
    def mobile_national(self) -> str:
        return normalise.national(self.mobile)


class Deployment(models.Model):
    """A worker's deployment with an aid team (援鄂派出): batch, destination, dates, and the
    phone used while deployed with its carrier (table 3; the fee waiver of measure 7)."""

    worker = models.ForeignKey(
        Worker, verbose_name=_("worker"), on_delete=models.CASCADE, related_name="deployments"
    )
    batch = models.CharField(_("batch"), max_length=50, blank=True)
    destination = models.CharField(_("destination"), max_length=100, blank=True)
    departed_on = models.DateField(_("departed"), null=True, blank=True)
    returned_on = models.DateField(_("returned"), null=True, blank=True)
    deployed_mobile = models.CharField(_("mobile used while deployed"), max_length=20, blank=True)
    carrier = models.CharField(_("carrier"), max_length=16, choices=Carrier.choices, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = version_field()

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None  # the author of the next history row (set by the services)
    objects = ScopedQuerySet.as_manager()

    policy = Policy(
        path="worker__organisation__path",
        actions={"view": roles.REGISTER_VIEW, "change": roles.REGISTER_CHANGE},
        related=ASSIGNED,
    )

    class Meta:
        verbose_name = _("deployment")
        verbose_name_plural = _("deployments")
        ordering = ["worker_id", "-departed_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(returned_on__isnull=True)
                | Q(departed_on__isnull=True)
                | Q(returned_on__gte=models.F("departed_on")),
                name="deployment_returns_after_departure",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.batch} {self.destination}".strip()

    @property
    def deployed_mobile_national(self) -> str:
        return normalise.national(self.deployed_mobile)

    @property
    def deployed_mobile_masked(self) -> str:
        return normalise.mask(self.deployed_mobile)


from nuanxin.registry.import_models import ImportBatch, ImportRow  # noqa: E402,F401
