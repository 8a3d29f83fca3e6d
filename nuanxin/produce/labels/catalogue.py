"""The audit labels of the catalogue area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
