"""Audit labels of the hotline: assessments (scales taken, callbacks asked for after a public
self-assessment, reads of the records)."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.core.auditlabels import Labels
from nuanxin.hotline.choices import AssessmentSource

LABELS = Labels(
    actions={
        "hotline.assessment.take": _("Screening scale taken"),
        "hotline.assessment.callback": _("Callback asked for after a self-assessment"),
        "hotline.assessment.number_changed": _("Callback number changed after a self-assessment"),
        "hotline.assessment.read": _("Assessments read"),
    },
    object_types={"hotline.assessment": pgettext_lazy("hotline", "Assessment")},
    detail_keys={
        "scale": _("Scale"),
        "source": _("Source"),
        "hotline": _("Hotline"),
        "call": pgettext_lazy("hotline", "Call"),  # the same label as the calls' (来电)
        "callbacks": _("Callbacks"),
        "callback_consent": _("Consents to a callback"),
        "assessments": _("Assessments"),
        "page": _("Page"),
    },
    action_values={"hotline.assessment.take": {"source": AssessmentSource}},
)
