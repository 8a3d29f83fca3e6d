"""Audit labels of the hotline: calls, the repeat caller's earlier contacts, the register
lookup, referrals and the supervisor's export."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.hotline.choices import CallerKind, CallOutcome, ReferralTarget, RiskLevel

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
        "caller_kind": _("Caller"),
        "linked": _("Linked to the register"),
        "topics": _("Topics"),
        "interventions": _("What was done"),
        "risk": _("Risk"),
        "callback_consent": _("Consents to a callback"),
        "same_counsellor": _("Asks for the same counsellor"),
        "calls": _("Calls"),
        "found": _("Found"),
        "family_member": _("Family member"),
        "call": _("Call"),
        "target": _("Referred to"),
        "consent": _("Agreed to share"),
        "summary": _("Summary shared (characters)"),
        "difficulty": _("Difficulty"),
        "assessments": _("Assessments"),
        "referral": _("Referral"),
        "referred_by": _("Referred by"),
    },
    values={"caller_kind": CallerKind, "risk": RiskLevel},
    action_values={
        "hotline.call.record": {"outcome": CallOutcome},
        "hotline.call.update": {"outcome": CallOutcome},
        "hotline.referral.create": {"target": ReferralTarget},
    },
)
