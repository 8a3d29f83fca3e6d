"""The audit labels of the rates area: the rates' export and contacts, the reminders (jobs and
the official tables' button) and their notification kinds."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels

LABELS = Labels(
    actions={
        "reports.rates.export": _("Reporting rates exported"),
        "reports.contacts.read": _("Contacts of missing reports shown"),
        "reports.remind.due": _("Reports due soon reminded"),
        "reports.remind.missing": _("Missing reports reminded"),
        "reports.tables.remind": _("Units reminded to send the official tables"),
        # notification kinds (the scan of the code finds them beside the actions)
        "reports.due_soon": _("A report is due soon"),
        "reports.overdue": _("A report is missing after its deadline"),
        "reports.children_missing": _("Reports of the units below are missing"),
        "reports.tables_reminder": _("The official tables are not sent yet"),
    },
    detail_keys={
        "organisations": _("Organisations"),
        "notified": _("Notifications sent"),
        "missing": _("Missing"),
        "reached": _("Units with someone to remind"),
    },
)
