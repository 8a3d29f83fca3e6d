"""The audit labels of the legal area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
