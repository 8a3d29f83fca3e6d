"""The "system is busy" page (core/middleware.py ``busy_response``, errors/busy.html): a page only
asked for is offered again; a form sent was not saved, and the back button keeps what was typed."""

import re

import pytest
from django.test import Client

ERROR_URLS = "nuanxin.core.tests.api_error_urls"
pytestmark = [pytest.mark.django_db, pytest.mark.urls(ERROR_URLS)]

SHOWN = (
    "The database is busy or briefly unavailable (a large import being written, many people saving at once, "
    "or the database restarting), so this page could not be shown. Try again in a moment."
)
SENT = (
    "The database is busy or briefly unavailable (a large import being written, many people saving at once, "
    "or the database restarting). Nothing of what you just sent was saved: go back and send it again in a "
    "minute. Use your browser's back button to keep what you typed."
)


def busy_page(personas, method: str) -> tuple[int, str, list[tuple[str, str]]]:
    """Status, the page's explanation and its buttons (address, label)."""
    client = Client(raise_request_exception=False)
    client.force_login(personas.yi)
    client.cookies["nuanxin_language"] = "en"
    response = getattr(client, method)("/errors/busy-page?week=2020-W05&q=a%26b", {"note": "typed"} if
                                       method == "post" else None)
    assert response["Retry-After"] == "30"
    page = response.content.decode()
    main = page[page.index('<h1 class="h3">The system is busy</h1>'):]
    explained = re.search(r'<p class="text-secondary">(.*?)</p>', main, re.S)[1]
    buttons = re.findall(r'<a class="btn [^"]*" href="([^"]*)">([^<]*)</a>', main)
    return response.status_code, " ".join(explained.split()), buttons


def test_a_page_asked_for_says_it_could_not_be_shown_and_offers_it_again(personas):
    assert busy_page(personas, "get") == (
        503, SHOWN, [("/errors/busy-page?week=2020-W05&amp;q=a%26b", "Try this page again"), ("/", "Back to home")]
    )


def test_a_form_sent_says_nothing_was_saved_and_to_go_back_to_keep_what_was_typed(personas):
    assert busy_page(personas, "post") == (503, SENT, [("/", "Back to home")])
