"""The authorization matrix of recuperation's cases alone (the whole matrix runs in
tests/test_authorization.py)."""

import pytest

from nuanxin.recuperation.tests import authz_pages
from tests.test_authorization import _check_case


@pytest.mark.django_db
def test_recuperation_pages_matrix(personas, subtests):
    for case in authz_pages.cases(personas):
        with subtests.test(case=str(case)):
            _check_case(case)
