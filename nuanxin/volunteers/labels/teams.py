"""The audit labels of the teams area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
