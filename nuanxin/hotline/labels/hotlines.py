"""Audit labels of the hotline: hotlines."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
