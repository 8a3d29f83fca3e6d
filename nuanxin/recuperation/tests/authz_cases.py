"""Authorization cases of recuperation: the pages (``authz_pages``) and the API (``authz_api``)."""

from nuanxin.recuperation.tests import authz_api, authz_pages

AREAS = (authz_pages, authz_api)


def cases(p) -> list:
    return [case for area in AREAS for case in area.cases(p)]
