"""The audit trail's labels of the mutual-aid scheme (see ``core/auditlabels.py``)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels

LABELS = Labels(
    object_types={
        "welfare.scheme": _("Mutual-aid scheme"),
        "welfare.enrolment": _("Enrolment in a mutual-aid scheme"),
        "welfare.enrolmentimport": _("Mutual-aid scheme list import"),
    },
)
