"""The spending pages' authorization cases alone (tests/test_authorization.py runs them with
every app's): anonymous, wrong role, other organisation, allowed."""

import pytest

from nuanxin.funds.tests import authz_spending
from tests.test_authorization import _check_case


@pytest.mark.django_db
def test_spending_cases(personas, subtests):
    for case in authz_spending.cases(personas):
        with subtests.test(case=str(case)):
            _check_case(case)
