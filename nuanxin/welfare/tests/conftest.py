import pytest

from nuanxin.welfare.tests.fixtures import WelfareWorld, build_welfare


@pytest.fixture
def w(personas) -> WelfareWorld:
    return build_welfare(personas)
