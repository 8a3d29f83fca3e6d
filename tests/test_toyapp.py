"""A new domain app joins by its manifest alone: installed here in-process (tests/toyapp), it is
scoped by its policy, in the menu of those its policy lets in, in the API, and covered by the
authorization test, with no line of another app, urls.py, api.py or the nav changed."""

import types

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from django.urls import reverse

from nuanxin.core.policy import SYSTEM
from tests import test_authorization as authz_test

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def toyapp():
    """The toy app installed (its ready() registers its manifest), its table made, and the
    site's URLs and API built again from the manifests, as at start-up."""
    with override_settings(INSTALLED_APPS=[*settings.INSTALLED_APPS, "tests.toyapp"]):
        from nuanxin import api as api_module
        from nuanxin import urls as urls_module
        from tests.toyapp.models import ToyNote

        with connection.schema_editor() as editor:
            editor.create_model(ToyNote)
        api = api_module.build_api()
        urlconf = types.ModuleType("toyapp_site_urls")
        urlconf.urlpatterns = urls_module.build_urlpatterns(api)
        urlconf.api = api
        for code in (400, 403, 404, 500):
            setattr(urlconf, f"handler{code}", getattr(urls_module, f"handler{code}"))
        try:
            with override_settings(ROOT_URLCONF=urlconf):
                yield ToyNote
        finally:
            with connection.schema_editor() as editor:
                editor.delete_model(ToyNote)
    from nuanxin.core import manifest

    assert manifest.get("toyapp") is None  # gone with the app


def _menu(user) -> str:
    client = Client()
    client.force_login(user)
    return client.get(reverse("home")).content.decode()


def test_the_toy_app_is_scoped_in_the_menu_and_in_the_api(toyapp, personas):
    p = personas
    mine = toyapp.objects.create(organisation=p.shinan_hospital, text="市南的笔记")
    theirs = toyapp.objects.create(organisation=p.shibei_hospital, text="市北的笔记")

    # In the menu of those its policy lets in (administrators), not of the others.
    link = f'class="nav-link" href="{reverse("toyapp:note_list")}">Toy notes</a>'
    assert link in _menu(p.yi)
    assert link not in _menu(p.care) and link not in _menu(p.auditor)

    # Scoped: 乙 (市南区) sees 市南's note, not 市北's (404 as if missing), a care contact gets 403.
    client = Client()
    client.force_login(p.yi)
    assert client.get(reverse("toyapp:note_list")).content.decode() == "市南的笔记"
    assert client.get(reverse("toyapp:note_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("toyapp:note_detail", args=[theirs.pk])).status_code == 404
    client.force_login(p.care)
    assert client.get(reverse("toyapp:note_list")).status_code == 403

    # In the API and its schema, scoped the same way.
    assert "GET /api/v1/toy/notes/{id}" in authz_test.api_operations()
    from nuanxin.accounts.services import create_api_token

    _token, secret = create_api_token(actor=SYSTEM, user=p.yi, expires_days=1)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert api.get(f"/api/v1/toy/notes/{mine.pk}").json() == {"id": mine.pk, "text": "市南的笔记"}
    assert api.get(f"/api/v1/toy/notes/{theirs.pk}").status_code == 404


def test_the_toy_app_is_covered_by_the_authorization_test(toyapp, personas):
    every_case = authz_test.all_cases(personas)
    cases = [c for c in every_case if c.target.startswith(("toyapp:", "GET /api/v1/toy/"))]
    assert sorted(c.target for c in cases) == ["GET /api/v1/toy/notes/{id}", "toyapp:note_detail", "toyapp:note_list"]
    # The factory derived the wrong role and the other organisation from the policy.
    detail = next(c for c in cases if c.target == "toyapp:note_detail")
    assert detail.denied == personas.counsellor
    assert detail.other_org == (personas.bing,)
    # Every page and operation of the toy app has a case, and each holds four ways.
    authz_test.test_every_page_view_declares_its_access()
    covered = {c.target for c in every_case}
    toy_pages = [name for name, _p in authz_test.page_patterns() if name.startswith("toyapp:")]
    assert toy_pages and set(toy_pages) <= covered
    for case in cases:
        authz_test._check_case(case)
