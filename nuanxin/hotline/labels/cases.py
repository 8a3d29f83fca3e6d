"""Audit labels of the hotline: cases."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
