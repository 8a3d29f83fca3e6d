"""Audit labels of the hotline: crisis cases and callbacks (their life cycles' actions, the
risk assessment, the first contact, the hand-over, claims, attempts, escalations and reads)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.core.auditlabels import Labels
from nuanxin.hotline.choices import AttemptResult, CallbackStatus, Channel, CrisisStatus, HandoverTo, RiskLevel

_CRISIS = {"from": CrisisStatus, "to": CrisisStatus, "risk": RiskLevel, "before": RiskLevel}
_CALLBACK = {"from": CallbackStatus, "to": CallbackStatus}

LABELS = Labels(
    actions={
        "hotline.crisis.open": _("Crisis case opened"),
        "hotline.crisis.transition": _("Crisis case status changed"),
        "hotline.crisis.note": _("Crisis case note added"),
        "hotline.crisis.update": _("Crisis case changed"),
        "hotline.crisis.escalate": _("Crisis case escalated to the supervisors"),
        "hotline.crisis.assess": _("Crisis risk assessment recorded"),
        "hotline.crisis.contact": _("Crisis case contact recorded"),
        "hotline.crisis.handover": _("Crisis case hand-over recorded"),
        "hotline.crisis.read": _("Crisis cases read"),
        "hotline.crisis_opened": _("Crisis case opened (notification)"),
        "hotline.crisis_overdue": _("Crisis case without contact in time (notification)"),
        "hotline.callback.open": _("Callback queued"),
        "hotline.callback.transition": _("Callback status changed"),
        "hotline.callback.note": _("Callback note added"),
        "hotline.callback.update": _("Callback changed"),
        "hotline.callback.escalate": _("Callback escalated to the supervisors"),
        "hotline.callback.claim": _("Callback claimed"),
        "hotline.callback.release": _("Callback put back in the queue"),
        "hotline.callback.attempt": _("Callback attempt recorded"),
        "hotline.callback.read": _("Callbacks read"),
        "hotline.callback_overdue": _("Callback overdue (notification)"),
    },
    object_types={
        "hotline.crisiscase": _("Crisis case"),
        "hotline.crisisnote": _("Crisis case note"),
        "hotline.callback": _("Callback"),
        "hotline.callbacknote": _("Callback note"),
        "hotline.callbackattempt": _("Callback attempt"),
    },
    detail_keys={
        "assessment": pgettext_lazy("hotline", "Assessment"),
        "severity": _("Severity"),
        "due_at": _("Due at"),
        "crisis": _("Crisis case"),
        "preferred": _("Asked for"),
        "attempt": _("Attempt"),
        "result": _("Result"),
        "retry_at": _("Try again at"),
        "at": _("Time"),
        "first": _("First contact"),
        "person": _("Received by"),
        "ideation": _("Suicidal thoughts"),
        "plan": _("A plan"),
        "means": _("Access to means"),
        "past_attempts": _("Past attempts"),
        "protective_factors": _("Protective factors"),
        "supervisors": _("Supervisors told"),
        "answered": _("Questions answered"),
    },
    # Since the review the rows of crisis cases and callbacks carry ids, statuses, counts and
    # lengths only; the older rows' risk, hand-over and attempt codes are still put into words.
    action_values={
        "hotline.crisis.open": {"risk": RiskLevel},
        "hotline.crisis.transition": _CRISIS,
        "hotline.crisis.assess": _CRISIS,
        "hotline.crisis.handover": {"to": HandoverTo},
        "hotline.callback.transition": _CALLBACK,
        "hotline.callback.claim": _CALLBACK,
        "hotline.callback.release": _CALLBACK,
        "hotline.callback.attempt": {"result": AttemptResult, "channel": Channel},
    },
)
