"""The fee waiver's cases of the authorization matrix (``authz_cases``), run alone: the whole
matrix (``tests/test_authorization.py``) runs them with every other app's."""

import pytest

from nuanxin.telecom.tests import authz_cases
from tests.test_authorization import _check_case


@pytest.mark.django_db
def test_the_fee_waiver_pages_and_api_hold_their_scope(personas, subtests):
    for case in authz_cases.cases(personas):
        with subtests.test(case=str(case)):
            _check_case(case)
