"""The telecom fee waiver (通讯免费连心桥, measure 7): the numbers the aid-team members used in
Hubei, one list per carrier, each number followed to the carrier's confirmation.

- A **waiver** line: one number of one deployment (table 3's 在武汉使用的手机号 and 手机运营商),
  with the member, the unit and the waiver period (departure to return; open while deployed).
  ``segment_carrier`` is the carrier that issued the number's segment: only a suggestion
  (numbers move between carriers since 2019); where it disagrees with the stated carrier the
  line is flagged (``carrier_flagged``) until a person confirms the carrier. A line moves
  listed → sent (in a dispatch: the list exported for the carrier, audited) → confirmed (from
  the carrier's reply file or by hand) → ended (the member returned); "no cut-off" (免停机) is
  confirmed separately. A number changed during the deployment ends its old line as
  ``replaced`` and is listed again.
- A **dispatch**: one list sent to one carrier (who, when, how many lines).
- A **carrier reply**: one reply file imported (what it matched, what it did not).

Lines are the member's personal data, scoped by the member's unit.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nuanxin.core import roles
from nuanxin.core.models import ScopedQuerySet
from nuanxin.core.policy import Policy
from nuanxin.core.versioning import version_field
from nuanxin.registry.choices import Carrier
from nuanxin.telecom.choices import ConfirmedHow, WaiverStatus

# "view" the lines (numbers, names: administrators of the member's unit and above, auditors),
# "manage" (send, confirm, end, correct the carrier), "report" (counts per carrier).
WAIVER_ACTIONS = {
    "view": roles.TELECOM_VIEW,
    "manage": roles.TELECOM_MANAGE,
    "report": roles.TELECOM_FIGURES,
}


class Dispatch(models.Model):
    """A list sent to a carrier: the export of its lines, on a date."""

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("sent by"), on_delete=models.PROTECT, related_name="+"
    )
    carrier = models.CharField(_("carrier"), max_length=16, choices=Carrier.choices)
    sent_on = models.DateField(_("sent on"))
    lines = models.PositiveIntegerField(_("numbers"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="organisation__path", actions=WAIVER_ACTIONS)

    class Meta:
        verbose_name = _("list sent to a carrier")
        verbose_name_plural = _("lists sent to carriers")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_carrier_display()} {self.sent_on}"


class CarrierReply(models.Model):
    """A carrier's reply file, imported: the numbers it confirmed and the rows it could not place."""

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("imported by"), on_delete=models.PROTECT, related_name="+"
    )
    carrier = models.CharField(_("carrier"), max_length=16, choices=Carrier.choices)
    file_name = models.CharField(_("file"), max_length=200)
    confirmed = models.PositiveIntegerField(_("confirmed"), default=0)
    # [{"line": 4, "mobile": "…", "problem": code}] rows that matched no open line.
    unmatched = models.JSONField(_("not matched"), default=list)
    created_at = models.DateTimeField(_("imported"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="organisation__path", actions=WAIVER_ACTIONS)

    class Meta:
        verbose_name = _("carrier's reply")
        verbose_name_plural = _("carriers' replies")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name


class Waiver(models.Model):
    # The register is the source of the lines: a deployment (or a worker) removed from it — a
    # correction, an import undone — takes its lines with it (their audit rows and history stay).
    deployment = models.ForeignKey(
        "registry.Deployment", verbose_name=_("deployment"), on_delete=models.CASCADE, related_name="waivers"
    )
    worker = models.ForeignKey(
        "registry.Worker", verbose_name=_("member"), on_delete=models.CASCADE, related_name="waivers"
    )
    mobile = models.CharField(_("number used in Hubei"), max_length=20)  # E.164
    carrier = models.CharField(_("carrier"), max_length=16, choices=Carrier.choices, blank=True)
    segment_carrier = models.CharField(
        _("carrier of the number segment"), max_length=16, choices=Carrier.choices, blank=True
    )
    carrier_flagged = models.BooleanField(_("carrier to be confirmed"), default=False)
    carrier_checked_at = models.DateTimeField(_("carrier confirmed"), null=True, blank=True)
    carrier_checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    period_from = models.DateField(_("waived from"), null=True, blank=True)
    period_to = models.DateField(_("waived to"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=WaiverStatus.choices, default=WaiverStatus.LISTED)
    dispatch = models.ForeignKey(
        Dispatch, verbose_name=_("sent in"), null=True, blank=True, on_delete=models.PROTECT, related_name="waivers"
    )
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    confirmed_how = models.CharField(_("confirmed how"), max_length=8, choices=ConfirmedHow.choices, blank=True)
    reply = models.ForeignKey(
        CarrierReply, verbose_name=_("reply"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    no_cutoff_confirmed_at = models.DateTimeField(_("no cut-off confirmed"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    replaced_by = models.ForeignKey(
        "self", verbose_name=_("replaced by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    created_at = models.DateTimeField(_("listed"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="worker__organisation__path", actions=WAIVER_ACTIONS)

    class Meta:
        verbose_name = _("fee waiver")
        verbose_name_plural = _("fee waivers")
        ordering = ["carrier", "worker_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deployment", "mobile"], name="telecom_waiver_number_once"),
        ]
        indexes = [
            models.Index(fields=["carrier", "status"], name="telecom_waiver_carrier_idx"),
            models.Index(fields=["mobile"], name="telecom_waiver_mobile_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.get_carrier_display()}"

    @property
    def mobile_masked(self) -> str:
        """What pages and the API show (138****5678); the full number goes only into the list
        sent to the carrier (an audited export)."""
        from nuanxin.registry import normalise

        return normalise.mask(self.mobile)
