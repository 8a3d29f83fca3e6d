"""Audit labels of the hotline: calls."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
