"""The audit labels of the forms area (building report forms)."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels

LABELS = Labels(
    actions={
        "reports.form.create": _("Report form created"),
        "reports.form.change": _("Report form's settings changed"),
        "reports.form.fields": _("Report form's fields set"),
    },
    object_types={
        "reports.reportform": _("Report form"),
        "reports.formfield": _("Report form field"),
    },
    detail_keys={
        "changed": _("Changed"),
        "fields": _("Fields"),
    },
)
