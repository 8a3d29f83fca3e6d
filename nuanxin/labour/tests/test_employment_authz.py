"""The employment area's cases of the authorization matrix (``authz_employment``), run alone:
the whole matrix (``tests/test_authorization.py``) runs them with every other app's."""

import pytest

from nuanxin.labour.tests import authz_employment
from tests.test_authorization import _check_case


@pytest.mark.django_db
def test_the_employment_pages_and_api_hold_their_scope(personas, subtests):
    for case in authz_employment.cases(personas):
        with subtests.test(case=str(case)):
            _check_case(case)
