"""The notification centre sends the user on only to this site's pages."""

import pytest
from django.urls import reverse

from nuanxin.notify.services import notify


@pytest.mark.parametrize("url", ["//evil.example/care/", "/\\evil.example/", "https://evil.example/"])
def test_opening_a_notification_never_leaves_the_site(client, personas, url):
    note = notify(recipient=personas.yi, kind="test.redirect", occasion=url, title="外链", url=url)
    client.force_login(personas.yi)
    response = client.post(reverse("notify:mark_read", args=[note.pk]), {"open": "1"})
    assert (response.status_code, response["Location"]) == (302, reverse("notify:list"))


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/"])
def test_next_never_leaves_the_site(client, personas, target):
    note = notify(recipient=personas.yi, kind="test.redirect", occasion=target, title="外链")
    client.force_login(personas.yi)
    for name, args in (("notify:mark_read", [note.pk]), ("notify:mark_all_read", [])):
        response = client.post(reverse(name, args=args), {"next": target})
        assert (response.status_code, response["Location"]) == (302, reverse("notify:list"))
