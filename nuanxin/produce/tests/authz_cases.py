"""Authorization cases of the family produce supply's pages and API operations, one module per area."""

from nuanxin.produce.tests import authz_catalogue, authz_figures, authz_orders, authz_pickup, authz_weeks

AREAS = (
    authz_catalogue,
    authz_orders,
    authz_pickup,
    authz_weeks,
    authz_figures,
)


def cases(p) -> list:
    return [case for area in AREAS for case in area.cases(p)]
