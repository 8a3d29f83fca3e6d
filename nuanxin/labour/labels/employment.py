"""The audit labels of the employment area."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.labour.choices import EmploymentStatus, ReferralOutcome

LABELS = Labels(
    actions={
        "labour.employment.open": _("Employment help opened"),
        "labour.employment.transition": _("Employment case moved on"),
        "labour.employment.note": _("Note added to an employment case"),
        "labour.employment.update": _("Employment case changed"),
        "labour.employment.escalate": _("Overdue employment case escalated"),
        "labour.employer.create": _("Partner employer added"),
        "labour.employer.update": _("Partner employer changed"),
        "labour.lead.create": _("Job lead added"),
        "labour.lead.update": _("Job lead changed"),
        "labour.referral.create": _("Seeker referred to a job"),
        "labour.referral.outcome": _("Referral outcome recorded"),
        "labour.employment.overdue": _("Employment help overdue (reminder)"),  # the notification's kind
    },
    object_types={
        "labour.partneremployer": _("Partner employer"),
        "labour.joblead": _("Job lead"),
        "labour.employmentcase": _("Employment case"),
        "labour.employmentcasenote": _("Employment case note"),
        "labour.referral": _("Referral to a job"),
    },
    detail_keys={
        "family_member": _("Family member"),
        "visit": _("Visit"),
        "difficulty": _("Difficulty"),
        "employer": _("Employer"),
        "lead": _("Job lead"),
        "case": _("Employment case"),
        "openings": _("Openings"),
        "on": _("Date"),
    },
    action_values={
        "labour.employment.transition": {"from": EmploymentStatus, "to": EmploymentStatus},
        "labour.referral.outcome": {"from": ReferralOutcome, "to": ReferralOutcome},
    },
)
