"""The audit labels of the rates area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
