"""Audit labels of candidates, offers, attendance (the services' actions)."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
