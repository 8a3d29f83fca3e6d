"""The audit labels of the forms area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
