import pytest

from nuanxin.honours.tests.fixtures import HonoursWorld, build_honours
from tests.snapshot import once


@pytest.fixture
def hw(personas) -> HonoursWorld:
    """The commendations' test data (see fixtures.py) beside the root personas."""
    return once(build_honours, personas)
