"""Authorization cases of the commendations: the pages (``authz_pages``) and the API (H4's
``authz_api``)."""

import importlib.util

from nuanxin.honours.tests import authz_pages

AREAS: tuple = (authz_pages,)
if importlib.util.find_spec("nuanxin.honours.tests.authz_api"):  # H4's, joined once it is there
    from nuanxin.honours.tests import authz_api

    AREAS = (authz_pages, authz_api)


def cases(p) -> list:
    return [case for area in AREAS for case in area.cases(p)]
