"""The audit labels of the shifts area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
