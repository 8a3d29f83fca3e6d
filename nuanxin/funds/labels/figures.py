"""Audit labels of the funds: figures."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels(actions={}, object_types={}, detail_keys={}, values={})
