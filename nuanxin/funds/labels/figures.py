"""Audit labels of the funds: figures.

The figures (the page, ``GET /api/v1/funds/summary``, the home card) only read totals and
write no audit row. ``nuanxin funds rebuild-totals`` and the rebuild after an organisation
moved (``funds/totals.py``) record ``funds.totals.rebuild`` (with ``rows``) through the
ledger's ``rebuild_totals``, labelled in ``labels/ledger.py``; ``verify-totals`` only reads."""

from nuanxin.core.auditlabels import Labels

LABELS = Labels(actions={}, object_types={}, detail_keys={}, values={})
