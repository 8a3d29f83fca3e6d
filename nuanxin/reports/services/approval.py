"""Approval up the tree: the rules live with the report's life cycle in ``reports.services.reports``
(one module, one lock order); this module names them for the approval pages and API."""

from nuanxin.reports.services.reports import approve, may, parent_report, return_report, unlock

__all__ = ["approve", "may", "parent_report", "return_report", "unlock"]
