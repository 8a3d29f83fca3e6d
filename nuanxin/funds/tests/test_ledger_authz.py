"""The ledger's authorization cases alone (``tests/test_authorization.py`` runs them with every
app's): quicker to run while working on the funds' pages and API."""

import pytest

from nuanxin.funds.tests import authz_entries, authz_funds
from tests.test_authorization import _check_case

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("area", [authz_funds, authz_entries], ids=["funds", "entries"])
def test_the_ledger_cases(personas, subtests, area):
    for case in area.cases(personas):
        with subtests.test(case=str(case)):
            _check_case(case)
