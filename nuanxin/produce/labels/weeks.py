"""The audit labels of the weeks area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
