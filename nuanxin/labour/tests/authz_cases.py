"""Authorization cases of the labour-protection green channel's pages and API operations, one module per area."""

from nuanxin.labour.tests import authz_arrangements, authz_employment, authz_figures, authz_legal

AREAS = (
    authz_arrangements,
    authz_legal,
    authz_employment,
    authz_figures,
)


def cases(p) -> list:
    return [case for area in AREAS for case in area.cases(p)]
