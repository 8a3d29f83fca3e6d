"""Recuperation's API cases of the authorization matrix (``authz_api``), run alone: the whole
matrix (``tests/test_authorization.py``) runs them with every other app's."""

import pytest

from nuanxin.recuperation.tests import authz_api
from tests.test_authorization import _check_case


@pytest.mark.django_db
def test_the_recuperation_api_holds_its_scope(personas, subtests):
    for case in authz_api.cases(personas):
        with subtests.test(case=str(case)):
            _check_case(case)
