"""The audit labels of the approval area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
