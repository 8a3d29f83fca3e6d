"""Authorization cases of reports up the tree: pages and API operations, one module per area."""

from nuanxin.reports.tests import authz_approval, authz_dashboards, authz_filling, authz_forms, authz_rates

AREAS = (
    authz_forms,
    authz_filling,
    authz_approval,
    authz_rates,
    authz_dashboards,
)


def cases(p) -> list:
    return [case for area in AREAS for case in area.cases(p)]
