"""The audit labels of the filling area."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
