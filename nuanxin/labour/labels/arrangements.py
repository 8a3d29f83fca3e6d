"""The audit labels of the arrangements area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
