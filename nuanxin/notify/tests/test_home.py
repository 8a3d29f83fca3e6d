"""The home page counts the user's unread notifications and the menu links to them."""

import re

from django.test import Client
from django.urls import reverse

from nuanxin.notify import services


def _counts(client):
    return dict(re.findall(r'data-count="([a-z_]+)">([^<]*)<', client.get(reverse("home")).content.decode()))


def test_home_counts_only_my_unread_notifications(personas):
    p = personas
    for n in range(2):
        services.notify(recipient=p.care, kind="test", occasion=str(n), title=f"提醒 {n}", email=False)
    services.notify(recipient=p.yi, kind="test", occasion="x", title="别人的", email=False)
    client = Client()
    client.force_login(p.care)
    assert _counts(client)["unread_notifications"] == "2"
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("notify:list")}" id="nx-notifications"' in page
    services.mark_all_read(actor=p.care)
    assert _counts(client)["unread_notifications"] == "0"
