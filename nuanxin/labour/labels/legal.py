"""The audit labels of the legal area."""

from django.utils.translation import gettext_lazy as _

from nuanxin.cases.lifecycle import Urgency
from nuanxin.core.auditlabels import Labels
from nuanxin.labour.choices import Claimant, DisputeKind, LegalOutcome, LegalStatus

LABELS = Labels(
    actions={
        "labour.lawyer.create": _("Lawyer added to the team"),
        "labour.lawyer.update": _("Lawyer changed"),
        "labour.legal.open": _("Legal-aid case opened"),
        "labour.legal.transition": _("Legal-aid case moved to another step"),
        "labour.legal.note": _("Note on a legal-aid case"),
        "labour.legal.update": _("Legal-aid case changed"),
        "labour.legal.escalate": _("Overdue legal-aid case escalated"),
        "labour.legal.outcome": _("Outcome of a legal-aid case recorded"),
        "labour.legal.lawyer": _("Lawyer of a legal-aid case changed"),
        "labour.legal.documents": _("Documents attached to a legal-aid case"),
        "labour.legal.limit_warning": _("Arbitration time limit warned of"),
        # the notifications' kinds
        "labour.legal_referred": _("New legal-aid case (notification)"),
        "labour.legal_time_limit": _("Arbitration time limit near (notification)"),
        "labour.legal_overdue": _("Overdue legal-aid case (notification)"),
    },
    object_types={
        "labour.lawyer": _("Lawyer"),
        "labour.legalcase": _("Legal-aid case"),
        "labour.legalcasenote": _("Legal-aid case note"),
    },
    detail_keys={
        "firm": _("Law firm"),
        "specialties": _("Specialties"),
        "capacity": _("Capacity"),
        "active": _("In use"),
        "claimant": _("Whose dispute"),
        "lawyer": _("Lawyer"),
        "infringed_on": _("Right infringed on"),
        "visit": _("Visit"),
        "difficulty": _("Difficulty"),
        "outcome": _("Outcome"),
        "amount_recovered": _("Amount recovered"),
        "warned_for": _("Days before the limit warned of (0: passed)"),
        "days_left": _("Days left"),
        "deadline": _("Arbitration time limit"),
        "other_party": _("Other party"),
        "facts": _("Facts"),
    },
    values={"claimant": Claimant, "outcome": LegalOutcome},
    action_values={
        "labour.legal.transition": {"from": LegalStatus, "to": LegalStatus},
        "labour.legal.open": {"kind": DisputeKind, "urgency": Urgency},
    },
)
