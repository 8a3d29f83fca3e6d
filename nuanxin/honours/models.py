"""The commendations' models.

- An **award type** (工人先锋号, 五一劳动奖状, 五一劳动奖章, 劳动模范, …) with its level and the
  kind of recipient; city administrators add more. Award types and calls belong to the whole
  tree (``path=None``): every union administrator sees them; only a grant at the root manages
  them.
- A **call** for nominations (e.g. 2020 年度表彰) with its award types, a deadline, the length of
  its public notice, and **quotas**: how many nominations an organisation (a district or an
  industry union) may recommend up, for one award type or all.
- A **nomination** (a case: ``cases.CaseBase``) of a worker, an organisation or a team, made by a
  unit union (``organisation``), reviewed up the tree level by level (``at_organisation``: the
  level reviewing it now), with its story, photos and documents (``core.attachments``), a
  public notice (公示) with **objections**, the city's decision and a certificate.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nuanxin.cases.models import CaseBase, CaseNote, note_status_field, status_field
from nuanxin.core import roles
from nuanxin.core.models import ScopedQuerySet
from nuanxin.core.policy import Policy
from nuanxin.core.versioning import version_field
from nuanxin.honours.choices import (
    NOMINATION_LIFECYCLE,
    AwardLevel,
    CallStatus,
    ObjectionStatus,
    RecipientKind,
)

STORY_MAX = 3000  # characters of 先进事迹

# Award types and calls: every union administrator (and the figures' readers) sees them; a
# city administrator (a grant at the root) manages them.
CATALOGUE_POLICY_ACTIONS = {"view": roles.HONOURS_FIGURES, "manage": roles.CITY_ADMINS}

# A nomination: "view" the nomination with its story and files (administrators of its unit
# and of every level above, auditors); "nominate" (open one for the unit, edit it while it is a
# draft or returned); "review" (recommend, return, reject at the level it is at: the user's
# grant must cover ``at_organisation``, checked by the services); "decide" (the city: notice,
# award); "manage" (the case's owner); "report" (the figures: counts only, viewers too).
NOMINATION_ACTIONS = {
    "view": roles.HONOURS_VIEW,
    "nominate": roles.HONOURS_MANAGE,
    "review": roles.HONOURS_MANAGE,
    "decide": roles.CITY_ADMINS,
    "manage": roles.HONOURS_MANAGE,
    "report": roles.HONOURS_FIGURES,
}


class AwardType(models.Model):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    level = models.CharField(_("level"), max_length=16, choices=AwardLevel.choices)
    recipient = models.CharField(_("recipient"), max_length=16, choices=RecipientKind.choices)
    description = models.TextField(_("description"), blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(path=None, actions=CATALOGUE_POLICY_ACTIONS, root_only={"manage"})

    class Meta:
        verbose_name = _("award type")
        verbose_name_plural = _("award types")
        ordering = ["level", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["name", "level"], name="honours_awardtype_name_level")]

    def __str__(self) -> str:
        return self.name


class Call(models.Model):
    """A call for nominations (e.g. 2020 年度表彰), issued by ``organisation`` (the city)."""

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("name"), max_length=100)
    award_types = models.ManyToManyField(AwardType, verbose_name=_("award types"), related_name="calls")
    description = models.TextField(_("description"), blank=True)
    deadline = models.DateTimeField(_("deadline for nominations"))
    notice_days = models.PositiveSmallIntegerField(
        _("public notice (days)"), default=5, validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    frontline_first = models.BooleanField(_("frontline epidemic staff first"), default=True)
    status = models.CharField(_("status"), max_length=16, choices=CallStatus.choices, default=CallStatus.DRAFT)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(path=None, actions=CATALOGUE_POLICY_ACTIONS, root_only={"manage"})

    class Meta:
        verbose_name = _("call for nominations")
        verbose_name_plural = _("calls for nominations")
        ordering = ["-deadline", "id"]

    def __str__(self) -> str:
        return self.name


class Quota(models.Model):
    """How many nominations ``organisation`` may recommend up in ``call`` (for ``award_type``;
    none: for all its award types together)."""

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="quotas")
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="+"
    )
    award_type = models.ForeignKey(
        AwardType, verbose_name=_("award type"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    places = models.PositiveSmallIntegerField(_("places"), validators=[MaxValueValidator(10000)])

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path=None, actions=CATALOGUE_POLICY_ACTIONS, root_only={"manage"})

    class Meta:
        verbose_name = _("quota")
        verbose_name_plural = _("quotas")
        constraints = [
            models.UniqueConstraint(
                fields=["call", "organisation", "award_type"], name="honours_quota_unique"
            ),
            models.UniqueConstraint(
                fields=["call", "organisation"], condition=Q(award_type__isnull=True), name="honours_quota_unique_all"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} {self.places}"


class Nomination(CaseBase):
    """A nomination made by the unit union ``organisation`` in ``call`` for ``award_type``: of a
    registered ``worker`` (a person), of ``nominee_organisation`` (a unit) or of a team named
    ``team_name`` within the unit (a collective), as the award type's recipient says."""

    lifecycle = NOMINATION_LIFECYCLE
    status = status_field(NOMINATION_LIFECYCLE)

    call = models.ForeignKey(Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="nominations")
    award_type = models.ForeignKey(
        AwardType, verbose_name=_("award type"), on_delete=models.PROTECT, related_name="nominations"
    )
    worker = models.ForeignKey(
        "registry.Worker", verbose_name=_("nominee"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    nominee_organisation = models.ForeignKey(
        "orgs.Organisation",
        verbose_name=_("nominated unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    team_name = models.CharField(_("team"), max_length=100, blank=True)
    story = models.TextField(_("story"), blank=True)
    # The level reviewing it now (the unit itself while it is a draft or returned).
    at_organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("at"), on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    notice_starts_on = models.DateField(_("public notice from"), null=True, blank=True)
    notice_ends_on = models.DateField(_("public notice until"), null=True, blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    certificate_no = models.CharField(_("certificate number"), max_length=40, blank=True)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="organisation__path", actions=NOMINATION_ACTIONS)
    attachments_action = "view"  # photos and documents: whoever may view the nomination

    class Meta(CaseBase.Meta):
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        indexes = [
            *CaseBase.Meta.indexes,
            models.Index(fields=["call", "status"], name="honours_nomination_call_idx"),
        ]
        constraints = [
            # A person is nominated once per call and award type (a withdrawn or rejected
            # nomination does not count).
            models.UniqueConstraint(
                fields=["call", "award_type", "worker"],
                condition=Q(worker__isnull=False) & ~Q(status__in=["withdrawn", "rejected"]),
                name="honours_nomination_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award_type} #{self.pk}"


class NominationNote(CaseNote):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="notes")
    from_status = note_status_field(NOMINATION_LIFECYCLE, _("from"))
    to_status = note_status_field(NOMINATION_LIFECYCLE, _("to"))
    # The level the note was written at (a review's comment says who returned it).
    level = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("level"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="nomination__organisation__path", actions=NOMINATION_ACTIONS)

    class Meta:
        ordering = ["at", "id"]


class Objection(models.Model):
    """An objection raised during a nomination's public notice, and the answer to it."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="objections")
    received_on = models.DateField(_("received"))
    raised_by = models.CharField(_("raised by"), max_length=100, blank=True)  # may stay anonymous
    text = models.TextField(_("objection"))
    status = models.CharField(
        _("status"), max_length=16, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN
    )
    answer = models.TextField(_("answer"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    version = version_field()

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="nomination__organisation__path", actions=NOMINATION_ACTIONS)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["received_on", "id"]

    def __str__(self) -> str:
        return f"objection #{self.pk}"
