"""Audit labels of the hotline: assessments."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
