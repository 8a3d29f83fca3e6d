"""The audit labels of the dashboards area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
