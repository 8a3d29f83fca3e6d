"""Audit labels of the hotline: calls, the repeat caller's earlier contacts, the register
lookup, referrals and the supervisor's export.

The details of these rows hold ids, counts and lengths only (never a clinical or caller
field), so no coded value needs a label here."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.core.auditlabels import Labels

LABELS = Labels(
    actions={
        "hotline.call.record": _("Call logged"),
        "hotline.call.update": _("Call record changed"),
        "hotline.call.read": _("Call records read"),
        "hotline.call.caller_history": _("Earlier contacts of a caller looked up"),
        "hotline.register_lookup": _("Register looked up by mobile (hotline)"),
        "hotline.referral.create": _("Caller referred"),
        "hotline.export": _("Hotline records exported"),
    },
    object_types={
        "hotline.call": _("Call record"),
        "hotline.referral": _("Referral"),
    },
    detail_keys={
        "hotline": _("Hotline"),
        "calls": _("Calls"),
        "found": _("Found"),
        "call": pgettext_lazy("hotline", "Call"),
        "summary": _("Summary shared (characters)"),
        "difficulty": _("Difficulty"),
        "assessments": _("Assessments"),
        "referral": _("Referral"),
        "referred_by": _("Referred by"),
        "notes_chars": _("Notes of the call (characters)"),
        "topic_note_chars": _("Other topic (characters)"),
        "technique_chars": _("Technique (characters)"),
    },
)
