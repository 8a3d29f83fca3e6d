"""Audit labels of candidates, offers, attendance (the services' actions)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.recuperation.choices import CandidateStatus

_STATUS = {"from": CandidateStatus, "to": CandidateStatus}

LABELS = Labels(
    actions={
        "recuperation.candidate.nominate": _("Recuperation candidate nominated"),
        "recuperation.candidate.withdraw": _("Recuperation candidate withdrawn"),
        "recuperation.candidate.attendance": _("Recuperation attendance recorded"),
        "recuperation.offer.make": _("Recuperation place offered"),
        "recuperation.offer.accept": _("Recuperation offer accepted"),
        "recuperation.offer.decline": _("Recuperation offer declined"),
        "recuperation.offer.expire": _("Recuperation offer expired"),
        # The notification kind telling the unit union an offer expired (the audit scan reads it too).
        "recuperation.offer_expired": _("Recuperation offer expired (notice to the union)"),
    },
    detail_keys={
        "candidate": _("Candidate"),
        "position": _("Position on the waiting list"),
        "held_until": _("Held until"),
        "replaces": _("Replaces"),
    },
    action_values={
        "recuperation.candidate.withdraw": _STATUS,
        "recuperation.candidate.attendance": _STATUS,
    },
)
