"""The figures' authorization cases alone (the whole matrix is tests/test_authorization.py):
quicker to run while working on the figures."""

import pytest

from nuanxin.funds.tests import authz_figures
from tests.test_authorization import _check_case

pytestmark = pytest.mark.django_db


def test_the_figures_cases(personas, subtests):
    for case in authz_figures.cases(personas):
        with subtests.test(case=str(case)):
            _check_case(case)
