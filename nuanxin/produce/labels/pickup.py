"""The audit labels of the pickup area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
