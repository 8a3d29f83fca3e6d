"""The authorization cases of the hotlines and the figures, run on their own (the project's
matrix, ``tests/test_authorization.py``, runs them with every app's): anonymous, the wrong
role, the other organisations and the allowed user, for each page and operation."""

import pytest

from nuanxin.hotline.tests import authz_hotlines, authz_stats
from tests.test_authorization import _check_case

pytestmark = pytest.mark.django_db


def test_the_hotline_pages(personas, subtests):
    cases = authz_hotlines.cases(personas)
    assert len(cases) == 15
    for case in cases:
        with subtests.test(case=str(case)):
            _check_case(case)


def test_the_figures(personas, subtests):
    cases = authz_stats.cases(personas)
    assert {c.target for c in cases} == {"hotline:stats", "GET /api/v1/hotline/stats"}
    for case in cases:
        with subtests.test(case=str(case)):
            _check_case(case)
