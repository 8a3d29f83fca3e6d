"""The audit labels of the figures area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
