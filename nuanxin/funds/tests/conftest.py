import pytest

from nuanxin.funds.tests.fixtures import FundPeople, build_people


@pytest.fixture
def fp(personas) -> FundPeople:
    """The finance clerks and approvers (see fixtures.py) beside the root personas."""
    return build_people(personas)
