"""The commendations' page cases of the authorization matrix (``authz_pages``), run alone: the
whole matrix (``tests/test_authorization.py``) runs them with every other app's."""

import pytest

from nuanxin.honours.tests import authz_pages
from tests.test_authorization import _check_case


@pytest.mark.django_db
def test_the_honours_pages_hold_their_scope(personas, subtests):
    for case in authz_pages.cases(personas):
        with subtests.test(case=str(case)):
            _check_case(case)
