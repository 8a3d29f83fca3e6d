import pytest

from nuanxin.funds.tests.fixtures import FundPeople, build_people
from tests.snapshot import once


@pytest.fixture
def fp(personas) -> FundPeople:
    """The finance clerks and approvers (see fixtures.py) beside the root personas."""
    return once(build_people, personas)
