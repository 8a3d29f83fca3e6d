"""The audit labels of the arrangements area."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels

_OPENED_FROM = {"visit": _("A care visit"), "difficulty": _("A difficulty")}

LABELS = Labels(
    actions={
        "labour.arrangement.refer": _("Pregnancy or lactation arrangement referred"),
        "labour.arrangement.agree": _("Pregnancy or lactation arrangement agreed with the employer"),
        "labour.arrangement.change": _("Pregnancy or lactation arrangement changed"),
        "labour.arrangement.end": _("Pregnancy or lactation arrangement ended"),
        "labour.arrangement.read": _("Pregnancy or lactation arrangements read"),
        "labour.arrangement.remind": _("Reminder of arrangements to review"),
        # the notifications' kinds
        "labour.arrangement.referred": _("Arrangement referred (notification)"),
        "labour.arrangement.review_soon": _("Arrangement review soon (reminder)"),
        "labour.arrangement.review_due": _("Arrangement review due (reminder)"),
        # the periodic job's name (its runs are recorded as labour.arrangement.remind)
        "labour.remind_arrangement_reviews": _("Daily reminder of arrangements to review"),
    },
    object_types={"labour.arrangement": _("Pregnancy or lactation arrangement")},
    detail_keys={
        "opened_from": _("Opened from"),
        "reason_given": _("Reason given"),
        "arrangements": _("Arrangements"),
        "reminded": _("Arrangements reminded of"),
        "notified": _("Notifications sent"),
    },
    action_values={"labour.arrangement.refer": {"opened_from": _OPENED_FROM}},
)
