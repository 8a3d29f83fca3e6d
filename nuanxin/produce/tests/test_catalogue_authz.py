"""The catalogue's and the orders' cases of the authorization matrix, run alone (the whole
matrix, ``tests/test_authorization.py``, runs them with every other app's)."""

import pytest

from nuanxin.produce.tests import authz_catalogue, authz_orders
from tests.test_authorization import _check_case


@pytest.mark.django_db
def test_the_catalogue_pages_hold_their_scope(personas, subtests):
    for case in authz_catalogue.cases(personas):
        with subtests.test(case=str(case)):
            _check_case(case)


@pytest.mark.django_db
def test_the_order_pages_and_api_hold_their_scope(personas, subtests):
    for case in authz_orders.cases(personas):
        with subtests.test(case=str(case)):
            _check_case(case)
