"""The labour-protection green channel (measure 5 of notice 001): pregnancy and lactation
arrangements, legal aid for labour disputes, employment help for families.

- ``Arrangement``: sensitive (PIPL art. 28). Kept apart from the register; read only by the
  roles ``roles.LABOUR_SENSITIVE`` names, every read audited; a care contact may *refer* one
  for a family assigned to them (the "refer" action) and reads none back; everyone else sees
  counts (the "figures" action).
- ``LegalCase`` and ``EmploymentCase`` are cases (nuanxin/cases) with their own life cycles
  (``choices.LEGAL_LIFECYCLE``, ``choices.EMPLOYMENT_LIFECYCLE``); their timelines are
  ``LegalCaseNote`` and ``EmploymentCaseNote``.
- ``Lawyer`` (the union's lawyer team), ``PartnerEmployer`` and ``JobLead`` are directories
  owned by an organisation.

Each of the three can be opened from a care visit or difficulty (``visit`` / ``difficulty``).
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nuanxin.cases.models import Case, CaseNote, note_status_field, status_field
from nuanxin.core import roles
from nuanxin.core.models import ScopedQuerySet
from nuanxin.core.policy import Policy
from nuanxin.core.versioning import version_field
from nuanxin.labour.choices import (
    EMPLOYMENT_LIFECYCLE,
    LEGAL_LIFECYCLE,
    ArrangementStatus,
    Claimant,
    DisputeKind,
    LegalOutcome,
    ReferralOutcome,
    Stage,
)
from nuanxin.registry.models import ASSIGNED

# Labour Dispute Mediation and Arbitration Law art. 27: one year from the day the party knew or
# should have known that their right was infringed.
ARBITRATION_LIMIT_DAYS = 365


def _source_fields():
    """The visit or difficulty of the care work a record was opened from (either may be empty)."""
    visit = models.ForeignKey(
        "care.Visit",
        verbose_name=_("opened from visit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    difficulty = models.ForeignKey(
        "care.Difficulty",
        verbose_name=_("opened from difficulty"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    return visit, difficulty


class Arrangement(models.Model):
    """A pregnant or lactating woman worker's arrangement with her employer during the epidemic
    (remote work, flexible hours or leave, lighter duties, no night shifts), with a review date
    that reminds the labour-rights officers. ``__str__`` never says pregnant or lactating: the
    audit trail keeps it as the object's name."""

    worker = models.ForeignKey("registry.Worker", verbose_name=_("worker"), on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        _("status"), max_length=16, choices=ArrangementStatus.choices, default=ArrangementStatus.REFERRED
    )
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices)
    expected_on = models.DateField(_("expected delivery date"), null=True, blank=True)
    lactating_until = models.DateField(_("lactating until"), null=True, blank=True)
    remote_work = models.BooleanField(_("remote work"), default=False)
    flexible_hours = models.BooleanField(_("flexible hours"), default=False)
    flexible_leave = models.BooleanField(_("flexible leave"), default=False)
    lighter_duties = models.BooleanField(_("lighter duties"), default=False)
    no_night_shifts = models.BooleanField(_("no night shifts"), default=False)
    starts_on = models.DateField(_("from"), null=True, blank=True)
    ends_on = models.DateField(_("until"), null=True, blank=True)
    confirmed_by = models.CharField(_("confirmed at the unit by"), max_length=100, blank=True)
    confirmed_on = models.DateField(_("confirmed on"), null=True, blank=True)
    review_on = models.DateField(_("review on"), null=True, blank=True, db_index=True)
    reminded_for = models.DateField(null=True, blank=True, editable=False)  # the review date last reminded of
    notes = models.TextField(_("notes"), blank=True)
    visit, difficulty = _source_fields()
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = version_field()

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None
    objects = ScopedQuerySet.as_manager()

    policy = Policy(
        path="worker__organisation__path",
        actions={
            "view": roles.LABOUR_SENSITIVE,
            "change": roles.LABOUR_SENSITIVE,
            "refer": roles.LABOUR_REFER,
            "figures": roles.LABOUR_FIGURES,
        },
        related=ASSIGNED,
    )

    class Meta:
        verbose_name = _("pregnancy or lactation arrangement")
        verbose_name_plural = _("pregnancy and lactation arrangements")
        ordering = ["review_on", "id"]

    def __str__(self) -> str:
        return _("Arrangement #%(id)s") % {"id": self.pk}


class Lawyer(models.Model):
    """A lawyer of the union's lawyer team (律师服务团): specialties (``DisputeKind`` values) and
    how many open cases they take at once."""

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=50)
    firm = models.CharField(_("law firm"), max_length=100, blank=True)
    mobile = models.CharField(_("mobile"), max_length=20, blank=True)  # E.164
    specialties = models.JSONField(_("specialties"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(_("open cases at most"), default=5)
    active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="organisation__path",
        actions={"view": roles.LABOUR_MANAGE | roles.AUDITORS, "change": roles.LABOUR_MANAGE},
    )

    class Meta:
        verbose_name = _("lawyer")
        verbose_name_plural = _("lawyers")
        ordering = ["organisation_id", "name", "id"]

    def __str__(self) -> str:
        return self.name


class LegalCase(Case):
    """A labour dispute of a medical worker or a family member, helped by the union's lawyers."""

    lifecycle = LEGAL_LIFECYCLE
    status = status_field(LEGAL_LIFECYCLE)
    claimant = models.CharField(_("whose dispute"), max_length=16, choices=Claimant.choices, default=Claimant.WORKER)
    family_member = models.ForeignKey(
        "registry.FamilyMember",
        verbose_name=_("family member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    kind = models.CharField(_("kind of dispute"), max_length=16, choices=DisputeKind.choices)
    other_party = models.CharField(_("other party"), max_length=100)
    facts = models.TextField(_("facts"))
    infringed_on = models.DateField(
        _("right infringed on"),
        help_text=_(
            "The day the person knew or should have known that their right was infringed: "
            "arbitration must be applied for within one year of it."
        ),
    )
    lawyer = models.ForeignKey(
        Lawyer, verbose_name=_("lawyer"), null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    mediation_at = models.DateTimeField(_("mediation"), null=True, blank=True)
    arbitration_at = models.DateTimeField(_("arbitration applied"), null=True, blank=True)
    litigation_at = models.DateTimeField(_("litigation"), null=True, blank=True)
    limit_warned_for = models.PositiveSmallIntegerField(
        null=True, blank=True, editable=False
    )  # days-before last warned
    outcome = models.CharField(_("outcome"), max_length=16, choices=LegalOutcome.choices, blank=True)
    amount_recovered = models.DecimalField(
        _("amount recovered"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    visit, difficulty = _source_fields()

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="worker__organisation__path",
        actions={
            "view": roles.LABOUR_VIEW,
            "refer": roles.LABOUR_REFER,
            "change": roles.LABOUR_MANAGE,
            "manage": roles.LABOUR_MANAGE,
            "own": roles.LABOUR_MANAGE,
            "escalate": roles.LABOUR_MANAGE,
            "figures": roles.LABOUR_FIGURES,
            "documents": roles.LABOUR_MANAGE | roles.AUDITORS,
        },
        related=ASSIGNED,
    )
    # The case's papers (contracts, pay slips, awards) are for the officers, administrators and
    # auditors; the family's care contact sees the case, not its documents.
    attachments_action = "documents"

    class Meta(Case.Meta):
        verbose_name = _("legal-aid case")
        verbose_name_plural = _("legal-aid cases")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def arbitration_deadline(self) -> date:
        return self.infringed_on + timedelta(days=ARBITRATION_LIMIT_DAYS)


class LegalCaseNote(CaseNote):
    case = models.ForeignKey(
        LegalCase, verbose_name=_("legal-aid case"), on_delete=models.CASCADE, related_name="notes"
    )
    from_status = note_status_field(LEGAL_LIFECYCLE, _("from"))
    to_status = note_status_field(LEGAL_LIFECYCLE, _("to"))

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="case__worker__organisation__path", actions={"view": roles.LABOUR_VIEW}, related=ASSIGNED)

    class Meta:
        verbose_name = _("legal-aid case note")
        verbose_name_plural = _("legal-aid case notes")
        ordering = ["case_id", "at", "id"]


class PartnerEmployer(models.Model):
    """An employer that works with the union to take on frontline staff's family members."""

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_mobile = models.CharField(_("contact mobile"), max_length=20, blank=True)
    area = models.CharField(_("area"), max_length=100, blank=True)
    active = models.BooleanField(_("active"), default=True)
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="organisation__path",
        actions={"view": roles.LABOUR_MANAGE | roles.AUDITORS, "change": roles.LABOUR_MANAGE},
    )

    class Meta:
        verbose_name = _("partner employer")
        verbose_name_plural = _("partner employers")
        ordering = ["organisation_id", "name", "id"]

    def __str__(self) -> str:
        return self.name


class JobLead(models.Model):
    """A job a partner employer offers to frontline families."""

    employer = models.ForeignKey(
        PartnerEmployer, verbose_name=_("employer"), on_delete=models.PROTECT, related_name="leads"
    )
    title = models.CharField(_("job"), max_length=100)
    area = models.CharField(_("area"), max_length=100, blank=True)
    requirements = models.TextField(_("requirements"), blank=True)
    pay = models.CharField(_("pay"), max_length=50, blank=True)
    openings = models.PositiveSmallIntegerField(_("openings"), default=1)
    open_until = models.DateField(_("open until"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="employer__organisation__path",
        actions={"view": roles.LABOUR_MANAGE | roles.AUDITORS, "change": roles.LABOUR_MANAGE},
    )

    class Meta:
        verbose_name = _("job lead")
        verbose_name_plural = _("job leads")
        ordering = ["-created_at", "id"]

    def __str__(self) -> str:
        return self.title


class EmploymentCase(Case):
    """A frontline worker's family member seeking work, helped with leads and referrals."""

    lifecycle = EMPLOYMENT_LIFECYCLE
    status = status_field(EMPLOYMENT_LIFECYCLE)
    family_member = models.ForeignKey(
        "registry.FamilyMember",
        verbose_name=_("family member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    seeker_name = models.CharField(_("seeker"), max_length=50)
    skills = models.TextField(_("skills and experience"), blank=True)
    wishes = models.TextField(_("work wished for"), blank=True)
    area = models.CharField(_("area"), max_length=100, blank=True)
    employed_at = models.DateTimeField(_("employed"), null=True, blank=True)
    employer_name = models.CharField(_("employed by"), max_length=100, blank=True)
    visit, difficulty = _source_fields()

    history = HistoricalRecords()
    _history_user: AbstractBaseUser | None
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="worker__organisation__path",
        actions={
            "view": roles.LABOUR_VIEW,
            "refer": roles.LABOUR_REFER,
            "change": roles.LABOUR_MANAGE,
            "manage": roles.LABOUR_MANAGE,
            "own": roles.LABOUR_MANAGE,
            "escalate": roles.LABOUR_MANAGE,
            "figures": roles.LABOUR_FIGURES,
        },
        related=ASSIGNED,
    )

    class Meta(Case.Meta):
        verbose_name = _("employment case")
        verbose_name_plural = _("employment cases")

    def __str__(self) -> str:
        return _("Employment help #%(id)s") % {"id": self.pk}


class EmploymentCaseNote(CaseNote):
    case = models.ForeignKey(
        EmploymentCase, verbose_name=_("employment case"), on_delete=models.CASCADE, related_name="notes"
    )
    from_status = note_status_field(EMPLOYMENT_LIFECYCLE, _("from"))
    to_status = note_status_field(EMPLOYMENT_LIFECYCLE, _("to"))

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="case__worker__organisation__path", actions={"view": roles.LABOUR_VIEW}, related=ASSIGNED)

    class Meta:
        verbose_name = _("employment case note")
        verbose_name_plural = _("employment case notes")
        ordering = ["case_id", "at", "id"]


class Referral(models.Model):
    """A seeker referred to a job lead, and what came of it."""

    case = models.ForeignKey(
        EmploymentCase, verbose_name=_("employment case"), on_delete=models.CASCADE, related_name="referrals"
    )
    lead = models.ForeignKey(JobLead, verbose_name=_("job lead"), on_delete=models.PROTECT, related_name="referrals")
    referred_on = models.DateField(_("referred on"))
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ReferralOutcome.choices, default=ReferralOutcome.PENDING
    )
    outcome_on = models.DateField(_("outcome on"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(
        path="case__worker__organisation__path",
        actions={"view": roles.LABOUR_VIEW, "change": roles.LABOUR_MANAGE},
        related=ASSIGNED,
    )

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-referred_on", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "lead"], name="labour_referral_once")]

    def __str__(self) -> str:
        return _("Referral #%(id)s") % {"id": self.pk}
