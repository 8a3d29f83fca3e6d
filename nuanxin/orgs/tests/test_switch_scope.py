"""The scope switcher: a user with several grants narrows every page to one of them."""

import re

import pytest
from django.urls import reverse

from nuanxin.core.roles import Role
from nuanxin.orgs import services
from nuanxin.orgs.middleware import SESSION_KEY


def counters(response) -> dict[str, str]:
    """This app's home counters (other apps add their own)."""
    found = dict(re.findall(r'data-count="([a-z_]+)">([^<]*)<', response.content.decode()))
    return {key: value for key, value in found.items() if key in {"organisations", "users"}}


@pytest.fixture
def two_hats(personas, client):
    """乙 also reads reports for 市北区."""
    p = personas
    viewer = services.grant_role(actor=p.jia, user=p.yi, role=Role.VIEWER, organisation=p.shibei)
    admin = p.yi.grants.get(role=Role.ORG_ADMIN)
    client.force_login(p.yi)
    return admin, viewer


def test_the_switcher_lists_only_the_users_own_grants(personas, client, two_hats):
    admin, viewer = two_hats
    page = client.get(reverse("home")).content.decode()
    options = re.findall(r'<option value="(\d*)"[^>]*>([^<]*)</option>', page.split('id="nx-scope"')[1])
    assert options[:3] == [
        ("", "All my scopes"),
        (str(admin.pk), "Organisation administrator · 市南区总工会"),
        (str(viewer.pk), "Report viewer · 市北区总工会"),
    ]


def test_switching_narrows_every_page(personas, client, two_hats):
    _admin, viewer = two_hats
    assert counters(client.get(reverse("home"))) == {"organisations": "4", "users": "2"}
    response = client.post(reverse("orgs:switch_scope"), {"grant": str(viewer.pk)})
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert client.session[SESSION_KEY] == viewer.pk
    home = client.get(reverse("home"))
    # Only 市北区 as a report viewer: its two organisations, no user counter, no admin pages.
    assert counters(home) == {"organisations": "2"}
    assert 'href="/orgs/"' not in home.content.decode()
    assert f'<option value="{viewer.pk}" selected>' in home.content.decode()
    assert client.get(reverse("orgs:tree")).status_code == 403
    # Back to all scopes.
    client.post(reverse("orgs:switch_scope"), {"grant": ""})
    assert SESSION_KEY not in client.session
    assert counters(client.get(reverse("home"))) == {"organisations": "4", "users": "2"}
    assert client.get(reverse("orgs:tree")).status_code == 200


def test_someone_elses_grant_is_refused(personas, client, two_hats):
    p = personas
    admin, _viewer = two_hats
    client.post(reverse("orgs:switch_scope"), {"grant": str(admin.pk)})
    response = client.post(reverse("orgs:switch_scope"), {"grant": str(p.bing.grants.get().pk)}, follow=True)
    assert "That scope is not one of yours." in response.content.decode()
    assert client.session[SESSION_KEY] == admin.pk
    client.post(reverse("orgs:switch_scope"), {"grant": "not-a-number"})
    assert client.session[SESSION_KEY] == admin.pk


def test_a_revoked_grant_stops_being_the_scope(personas, client, two_hats):
    p = personas
    _admin, viewer = two_hats
    client.post(reverse("orgs:switch_scope"), {"grant": str(viewer.pk)})
    services.revoke_grant(actor=p.jia, grant=viewer)
    assert counters(client.get(reverse("home"))) == {"organisations": "2", "users": "2"}
    assert SESSION_KEY not in client.session


def test_switching_is_a_post(personas, client, two_hats):
    assert client.get(reverse("orgs:switch_scope")).status_code == 405


def test_a_single_grant_shows_no_switcher(personas, client):
    client.force_login(personas.care)
    assert 'id="nx-scope"' not in client.get(reverse("home")).content.decode()
