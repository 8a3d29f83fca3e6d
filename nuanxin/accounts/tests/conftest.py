import pytest
from django.test import Client
from django.utils import translation

from nuanxin.accounts.tests.helpers import T0


@pytest.fixture
def at_t0(time_machine):
    time_machine.move_to(T0, tick=False)
    return time_machine


@pytest.fixture(autouse=True)
def english():
    """Messages are compared in English (the default language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """A test client whose pages are in English (the language switch's cookie)."""
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    return c
