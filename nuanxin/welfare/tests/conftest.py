import pytest

from nuanxin.welfare.tests.fixtures import WelfareWorld, build_welfare
from tests.snapshot import once


@pytest.fixture
def w(personas) -> WelfareWorld:
    return once(build_welfare, personas)
