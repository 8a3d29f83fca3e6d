import pytest

from nuanxin.honours.tests.fixtures import HonoursWorld, build_honours


@pytest.fixture
def hw(personas) -> HonoursWorld:
    """The commendations' test data (see fixtures.py) beside the root personas."""
    return build_honours(personas)
