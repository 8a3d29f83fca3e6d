import pytest
from django.test import Client
from django.utils import translation


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
