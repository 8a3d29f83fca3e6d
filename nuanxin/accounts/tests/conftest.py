import pytest

from nuanxin.accounts.tests.helpers import T0


@pytest.fixture
def at_t0(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture(autouse=True)
def english(english):
    """Messages are compared in English (the root conftest's fixture, for every test here)."""
    return english


@pytest.fixture
def client(english_client):
    """Pages in English (the root conftest's ``english_client``)."""
    return english_client
