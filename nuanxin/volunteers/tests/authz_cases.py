"""Authorization cases of volunteer teams: pages and API operations, one module per area."""

from nuanxin.volunteers.tests import authz_figures, authz_shifts, authz_teams

AREAS = (
    authz_teams,
    authz_shifts,
    authz_figures,
)


def cases(p) -> list:
    return [case for area in AREAS for case in area.cases(p)]
