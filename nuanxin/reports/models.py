"""Reports up the tree (the reporting chain of notice 001; DHIS2's data sets, periods,
completeness and approval levels as the model).

- ``ReportForm`` (e.g. 关爱慰问情况周报): a period type, a deadline after each period's end (days,
  fractions allowed: 0.5 = noon of the next day), the organisations obliged to report (by kind,
  by depth in the tree, or a list; inside the form's organisation's subtree) and its fields.
- ``FormField``: computed (a figure of the catalogue ``reports.figures``, for the reporting
  organisation's subtree and period), a whole number or an amount entered by hand, or a text.
- ``Report``: one obliged organisation's report of one period. Computed figures are recomputed
  while it is a draft or returned and frozen into ``computed`` when it is submitted; entered
  values live in ``values``; ``comments`` explain figures that fell by more than half.
  Approved = locked; only the level above unlocks it (an audited action).
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nuanxin.core import roles
from nuanxin.core.models import ScopedQuerySet
from nuanxin.core.policy import Policy
from nuanxin.core.versioning import version_field
from nuanxin.reports.choices import FieldKind, FormSource, PeriodType, ReportStatus


class ReportForm(models.Model):
    """A report form of an organisation (usually the city's root): who reports what, when."""

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    source = models.CharField(_("source"), max_length=8, choices=FormSource.choices, default=FormSource.FILLED)
    campaign = models.ForeignKey(
        "care.Campaign", verbose_name=_("campaign"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_type = models.CharField(_("period"), max_length=8, choices=PeriodType.choices, default=PeriodType.WEEKLY)
    starts_on = models.DateField(_("first period from"))
    ends_on = models.DateField(_("last period until"), null=True, blank=True)  # weekly/monthly; none = open
    once_on = models.DateField(_("reporting date"), null=True, blank=True)  # PeriodType.ONCE: the period's end
    # Days after the end of the period's last day; 0.5 = 12:00 of the next day (Monday noon for a week).
    deadline_days = models.DecimalField(
        _("deadline (days after the period)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0)],
    )
    obliged_kinds = models.JSONField(_("obliged kinds"), default=list, blank=True)  # OrgKind values
    obliged_depths = models.JSONField(_("obliged levels"), default=list, blank=True)  # tree depths, root = 1
    obliged = models.ManyToManyField(
        "orgs.Organisation", verbose_name=_("obliged organisations"), blank=True, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    # A form is read by everyone who reads or fills reports anywhere below its organisation:
    # ``scope_q`` on "view" covers the holders under it (see reports.selectors.forms).
    policy = Policy(
        path="organisation__path",
        actions={"view": roles.REPORTS_VIEW, "change": roles.REPORTS_FORMS},
    )

    class Meta:
        verbose_name = _("report form")
        verbose_name_plural = _("report forms")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class FormField(models.Model):
    form = models.ForeignKey(ReportForm, verbose_name=_("report form"), on_delete=models.CASCADE, related_name="fields")
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    kind = models.CharField(_("kind"), max_length=8, choices=FieldKind.choices)
    metric = models.CharField(_("figure"), max_length=40, blank=True)  # reports.figures code, for COMPUTED
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("report field")
        verbose_name_plural = _("report fields")
        ordering = ["form_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["form", "key"], name="reports_field_key_once")]

    def __str__(self) -> str:
        return self.label


class Report(models.Model):
    """One obliged organisation's report of one period of a form."""

    form = models.ForeignKey(
        ReportForm, verbose_name=_("report form"), on_delete=models.PROTECT, related_name="reports"
    )
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=ReportStatus.choices, default=ReportStatus.DRAFT, db_index=True
    )
    values = models.JSONField(_("entered values"), default=dict, blank=True)  # key -> int | "Decimal" | str
    computed = models.JSONField(_("computed figures"), default=dict, blank=True)  # frozen at submission
    comments = models.JSONField(_("comments"), default=dict, blank=True)  # key -> why it fell
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    returned_at = models.DateTimeField(_("returned"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    return_comment = models.TextField(_("reviewer's comment"), blank=True)
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unlocked_at = models.DateTimeField(_("unlocked"), null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    # "approve", "return" and "unlock" also depend on where the grant sits (the level above; an
    # organisation's own only for a report that rolls up children): reports.services.approval.
    policy = Policy(
        path="organisation__path",
        actions={
            "view": roles.REPORTS_VIEW,
            "fill": roles.REPORTS_FILL,
            "approve": roles.REPORTS_APPROVE,
            "return": roles.REPORTS_APPROVE,
            "unlock": roles.REPORTS_APPROVE,
        },
    )

    class Meta:
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        ordering = ["-period_start", "organisation_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["form", "organisation", "period_start"], name="reports_report_once")
        ]
        indexes = [models.Index(fields=["form", "period_start", "status"], name="reports_report_period_idx")]

    def __str__(self) -> str:
        return f"{self.form_id}/{self.organisation_id}/{self.period_start}"
