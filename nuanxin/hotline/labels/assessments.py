"""Audit labels of the hotline: assessments (scales taken, callbacks asked for after a public
self-assessment, reads of the records)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.hotline.choices import AssessmentSource

LABELS = Labels(
    actions={
        "hotline.assessment.take": _("Screening scale taken"),
        "hotline.assessment.callback": _("Callback asked for after a self-assessment"),
        "hotline.assessment.read": _("Assessments read"),
    },
    object_types={"hotline.assessment": _("Assessment")},
    detail_keys={
        "scale": _("Scale"),
        "source": _("Source"),
        "hotline": _("Hotline"),
        "call": _("Call"),
        "callback_consent": _("Consents to a callback"),
        "assessments": _("Assessments"),
        "page": _("Page"),
    },
    action_values={"hotline.assessment.take": {"source": AssessmentSource}},
)
