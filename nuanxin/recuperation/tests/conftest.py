import pytest

from nuanxin.recuperation.tests.fixtures import RecupWorld, build_recuperation
from tests.snapshot import once


@pytest.fixture
def rw(personas) -> RecupWorld:
    """Recuperation's test data (see fixtures.py) beside the root personas."""
    return once(build_recuperation, personas)
