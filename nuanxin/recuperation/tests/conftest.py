import pytest

from nuanxin.recuperation.tests.fixtures import RecupWorld, build_recuperation


@pytest.fixture
def rw(personas) -> RecupWorld:
    """Recuperation's test data (see fixtures.py) beside the root personas."""
    return build_recuperation(personas)
