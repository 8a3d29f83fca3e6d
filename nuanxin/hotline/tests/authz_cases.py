"""Authorization cases of the hotline's pages and API operations, one module per area."""

from nuanxin.hotline.tests import (
    authz_assessments,
    authz_calls,
    authz_cases_cases,
    authz_hotlines,
    authz_rota,
    authz_stats,
)

AREAS = (authz_hotlines, authz_rota, authz_calls, authz_assessments, authz_cases_cases, authz_stats)


def cases(p) -> list:
    return [case for area in AREAS for case in area.cases(p)]
