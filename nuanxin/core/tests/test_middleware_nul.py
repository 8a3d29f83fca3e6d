"""A NUL character in a query string or a form is a 400 before any view reads it (PostgreSQL
refuses it in a string: a lookup with it was a 500)."""

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/funds/?org=%00", "/funds/figures/?org=%00", "/register/?q=a%00b", "/?x%00=1"])
def test_a_nul_in_the_query_string_is_a_400_page(personas, url):
    client = Client()
    client.force_login(personas.jia)
    response = client.get(url)
    assert response.status_code == 400
    assert "无法理解该请求。请返回后重试。" in response.content.decode()


def test_a_nul_in_a_form_is_a_400_and_nothing_is_read(personas):
    client = Client(enforce_csrf_checks=False)
    client.force_login(personas.jia)
    response = client.post("/funds/new/", "name=a%00b", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400


def test_the_api_answers_a_nul_with_its_own_json_400(personas):
    from nuanxin.accounts.services import create_api_token
    from nuanxin.core.policy import SYSTEM

    _token, plaintext = create_api_token(actor=SYSTEM, user=personas.jia)
    response = Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}").get("/api/v1/funds?org=%00")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
