"""Audit labels of the hotline: stats."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
