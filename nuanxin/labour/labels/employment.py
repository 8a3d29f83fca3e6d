"""The audit labels of the employment area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
