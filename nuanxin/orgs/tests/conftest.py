import pytest


@pytest.fixture(autouse=True)
def english(english):
    """Messages are compared in English (the root conftest's fixture, for every test here)."""
    return english


@pytest.fixture
def client(english_client):
    """Pages in English (the root conftest's ``english_client``)."""
    return english_client
