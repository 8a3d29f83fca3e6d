"""Reports up the tree: receivers of the lower apps' hooks, one module per area."""

from nuanxin.reports.hooks import approval, dashboards, filling, forms, rates


def connect() -> None:
    for area in (
        forms,
        filling,
        approval,
        rates,
        dashboards,
    ):
        area.connect()
