"""Authorization cases of the funds' pages and API operations, one module per area."""

from nuanxin.funds.tests import authz_entries, authz_figures, authz_funds, authz_spending

AREAS = (authz_funds, authz_entries, authz_spending, authz_figures)


def cases(p) -> list:
    return [case for area in AREAS for case in area.cases(p)]
