"""The audit labels of the orders area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
