"""The audit trail's labels of the mutual-aid scheme (see ``core/auditlabels.py``). Keys already
labelled by another app with the same meaning (``name``, ``changed``, ``worker``, ``source``,
``file``, ``rows``, ``count``, ``fund``, ``amount``, ``workers``, ``page``, ``kept``) are not
repeated; the scheme's own keys carry the ``welfare_`` prefix."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels
from nuanxin.registry.choices import TeamType
from nuanxin.welfare.choices import EnrolmentSource

LABELS = Labels(
    actions={
        "welfare.scheme.create": _("Mutual-aid scheme created"),
        "welfare.scheme.update": _("Mutual-aid scheme changed"),
        "welfare.enrolment.create": _("Worker enrolled in a mutual-aid scheme"),
        "welfare.import.check": _("Mutual-aid scheme list checked"),
        "welfare.import.apply": _("Mutual-aid scheme list applied"),
        "welfare.import.discard": _("Mutual-aid scheme list discarded"),
        "welfare.roster.export": _("Mutual-aid scheme roster exported"),
        "welfare.contributions.charge": _("Mutual-aid contributions charged to a fund"),
    },
    object_types={
        "welfare.scheme": _("Mutual-aid scheme"),
        "welfare.enrolment": _("Enrolment in a mutual-aid scheme"),
        "welfare.enrolmentimport": _("Mutual-aid scheme list import"),
    },
    detail_keys={
        "welfare_scheme": _("Mutual-aid scheme"),
        "welfare_year": _("Scheme year"),
        "welfare_teams": _("Eligible frontline teams"),
        "team_name": _("Team name"),
        "matched": _("Matched"),
        "already": _("Enrolled already"),
        "welfare_masked": _("ID numbers masked"),
        "welfare_entry": _("Expenditure entry"),
    },
    values={"welfare_teams": TeamType},
    action_values={"welfare.enrolment.create": {"source": EnrolmentSource}},
)
