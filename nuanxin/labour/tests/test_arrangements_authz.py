"""The scoping matrix (tests/test_authorization.py) for the arrangements' and figures' cases
alone: a quick run while working on this area."""

import pytest

from nuanxin.labour.tests import authz_arrangements, authz_figures
from tests.test_authorization import _check_case

pytestmark = pytest.mark.django_db


def test_arrangement_and_figures_cases(personas, subtests):
    for case in authz_arrangements.cases(personas) + authz_figures.cases(personas):
        with subtests.test(case=str(case)):
            _check_case(case)
