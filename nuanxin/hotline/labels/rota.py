"""Audit labels of the hotline: rota."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
