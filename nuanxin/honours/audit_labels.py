"""The audit trail's labels of the commendations (see ``core/auditlabels.py``): the catalogue
(award types, calls, quotas), the nominations' steps up the tree, objections and certificates.
The manifest names ``LABELS`` (``audit_labels="nuanxin.honours.audit_labels.LABELS"``). Keys
already labelled by another app with the same meaning (``from``, ``to``, ``note``, ``changed``,
``before``, ``code``, ``worker``, ``step``, ``outcome``, ``organisation``) are not repeated."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.core.auditlabels import Labels
from nuanxin.honours.choices import AwardLevel, CallStatus, NominationStatus, ObjectionStatus, RecipientKind

_STEPS = {
    "submit": pgettext_lazy("nomination step", "Submitted"),
    "recommend": pgettext_lazy("nomination step", "Recommended up"),
    "return": pgettext_lazy("nomination step", "Returned for changes"),
    "reject": pgettext_lazy("nomination step", "Rejected"),
    "withdraw": pgettext_lazy("nomination step", "Withdrawn"),
    "notice": pgettext_lazy("nomination step", "Put on public notice"),
    "award": pgettext_lazy("nomination step", "Awarded"),
    "not_award": pgettext_lazy("nomination step", "Not awarded"),
}

LABELS = Labels(
    actions={
        "honours.award_type.create": _("Award type added"),
        "honours.award_type.update": _("Award type changed"),
        "honours.call.create": _("Call for nominations created"),
        "honours.call.update": _("Call for nominations changed"),
        "honours.call.open": _("Call for nominations opened"),
        "honours.call.close": _("Call for nominations closed"),
        "honours.quota.set": _("Nomination quota set"),
        "honours.nomination.open": _("Nomination drafted"),
        "honours.nomination.transition": _("Nomination moved on"),
        "honours.nomination.note": _("Nomination note added"),
        "honours.nomination.update": _("Nomination changed"),
        "honours.nomination.escalate": _("Nomination escalated"),
        "honours.objection.record": _("Objection to a nomination recorded"),
        "honours.objection.answer": _("Objection to a nomination answered"),
        "honours.certificate.pdf": _("Certificate of honour made (PDF)"),
    },
    object_types={
        "honours.awardtype": _("Award type"),
        "honours.call": _("Call for nominations"),
        "honours.quota": _("Nomination quota"),
        "honours.nomination": _("Nomination"),
        "honours.nominationnote": _("Nomination note"),
        "honours.objection": _("Objection"),
    },
    detail_keys={
        "honours_call": _("Call for nominations"),
        "award_type": _("Award type"),
        "award_types": _("Award types"),
        "award_level": _("Award level"),
        "recipient": _("Awarded to"),
        "notice_days": _("Public notice (days)"),
        "places": _("Places"),
        "nominee_org": _("Nominated unit"),
        "story": _("Story"),
        "at_level": _("At level"),
        "to_level": _("To level"),
        "notice_from": _("Public notice from"),
        "notice_until": _("Public notice until"),
        "nomination": _("Nomination"),
        "text": _("Text"),
        "anonymous": _("Anonymous"),
        "answer": _("Answer"),
        "certificate": _("Certificate number"),
        "bytes": _("Size (bytes)"),
    },
    values={"award_level": AwardLevel, "recipient": RecipientKind},
    action_values={
        "honours.nomination.transition": {"from": NominationStatus, "to": NominationStatus, "step": _STEPS},
        "honours.call.open": {"from": CallStatus, "to": CallStatus},
        "honours.call.close": {"from": CallStatus, "to": CallStatus},
        "honours.objection.answer": {"outcome": ObjectionStatus},
    },
)
