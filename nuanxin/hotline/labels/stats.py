"""Audit labels of the hotline: figures. Reading figures writes no audit row (aggregates only,
no record is read); the retention job's labels are with the hotlines' (``labels/hotlines.py``)."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels()
