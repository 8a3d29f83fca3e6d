"""Audit labels of bases, programmes, batches, rosters, costs and figures."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.auditlabels import Labels

LABELS = Labels(
    object_types={
        "recuperation.base": _("Recuperation base"),
        "recuperation.programme": _("Recuperation programme"),
        "recuperation.batch": _("Recuperation batch"),
        "recuperation.candidate": _("Recuperation candidate"),
        "recuperation.offer": _("Recuperation offer"),
    },
)
