"""The workers' mutual-aid scheme (职工互助保障, measure 3's 援鄂天使健康工程).

- A **scheme** (e.g. 青岛市职工互助保障 2020) with its cover period and the contribution per
  person; which frontline teams are eligible (the aid teams by default; a city administrator
  extends it to other frontline teams). Schemes belong to the whole tree (``path=None``): every
  union administrator sees them; a city administrator (a grant at the root) manages them.
- An **enrolment**: a worker in a scheme, either already a member (read from the scheme's own
  list, an ``EnrolmentImport``) or enrolled by the union under the aid team's name. A worker is
  in a scheme at most once (a database constraint). Its contribution is charged to a fund by
  one expenditure per charge (``expenditure``: the ``funds.Entry``), recorded by a finance clerk.
- An **enrolment import**: the scheme's xlsx of its members, checked (matched by ID-card number
  where given, else by name and mobile; unmatched rows kept to show) and then applied.
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
from nuanxin.registry.choices import TeamType
from nuanxin.welfare.choices import EnrolmentSource, ImportStatus


def default_teams() -> list[str]:
    return [TeamType.HUBEI_AID.value]


# Schemes belong to the whole tree: union administrators, viewers, auditors and the finance
# roles (who charge the contributions) see them; a city administrator manages them.
SCHEME_ACTIONS = {"view": roles.WELFARE_CATALOGUE, "manage": roles.CITY_ADMINS}

# An enrolment is a worker's personal data: "view" (names, units, ID numbers in the roster:
# administrators of the worker's unit and above, auditors), "enrol" (enrol, import, export the
# roster), "report" (counts only: viewers too).
ENROLMENT_ACTIONS = {
    "view": roles.WELFARE_VIEW,
    "enrol": roles.WELFARE_MANAGE,
    "report": roles.WELFARE_FIGURES,
}


class Scheme(models.Model):
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("run by"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    cover_from = models.DateField(_("cover from"))
    cover_to = models.DateField(_("cover to"))
    contribution = models.DecimalField(
        _("contribution per person (yuan)"), max_digits=10, decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    # TeamType values whose members are eligible (aid teams by default).
    teams = models.JSONField(_("eligible frontline teams"), default=default_teams)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("open for enrolment"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(path=None, actions=SCHEME_ACTIONS, root_only={"manage"})

    class Meta:
        verbose_name = _("mutual-aid scheme")
        verbose_name_plural = _("mutual-aid schemes")
        ordering = ["-year", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["name", "year"], name="welfare_scheme_name_year"),
            models.CheckConstraint(condition=Q(cover_to__gte=models.F("cover_from")), name="welfare_scheme_cover"),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.year}）"


class EnrolmentImport(models.Model):
    """One upload of the scheme's member list: what it matched, what it did not."""

    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.CASCADE, related_name="imports")
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    file_name = models.CharField(_("file"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.PREVIEW)
    # [{"line": 3, "name": …, "worker": id or None, "problem": code, …}] as checked.
    rows = models.JSONField(_("rows"), default=list)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    unmatched = models.PositiveIntegerField(_("not matched"), default=0)
    already = models.PositiveIntegerField(_("already enrolled"), default=0)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(_("applied"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="organisation__path", actions=ENROLMENT_ACTIONS)

    class Meta:
        verbose_name = _("enrolment import")
        verbose_name_plural = _("enrolment imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class Enrolment(models.Model):
    scheme = models.ForeignKey(Scheme, verbose_name=_("scheme"), on_delete=models.PROTECT, related_name="enrolments")
    worker = models.ForeignKey(
        "registry.Worker", verbose_name=_("worker"), on_delete=models.PROTECT, related_name="enrolments"
    )
    # The unit the worker belonged to when enrolled (the roster's 单位); scope follows the worker.
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(_("how"), max_length=16, choices=EnrolmentSource.choices)
    team_name = models.CharField(_("enrolled under the team's name"), max_length=100, blank=True)
    enrolled_on = models.DateField(_("enrolled on"))
    contribution = models.DecimalField(_("contribution (yuan)"), max_digits=10, decimal_places=2, default=Decimal("0"))
    imported_from = models.ForeignKey(
        EnrolmentImport, verbose_name=_("import"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The expenditure that paid the contribution (one per charge, many enrolments each).
    expenditure = models.ForeignKey(
        "funds.Entry", verbose_name=_("paid by"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="worker__organisation__path", actions=ENROLMENT_ACTIONS)

    class Meta:
        verbose_name = _("enrolment")
        verbose_name_plural = _("enrolments")
        ordering = ["scheme_id", "organisation_id", "id"]
        constraints = [
            # Never enrolled twice in the same scheme (a scheme is one name, year and period).
            models.UniqueConstraint(fields=["scheme", "worker"], name="welfare_enrolment_once"),
        ]
        indexes = [models.Index(fields=["scheme", "organisation"], name="welfare_enrolment_org_idx")]

    def __str__(self) -> str:
        return f"{self.worker} {self.scheme}"
