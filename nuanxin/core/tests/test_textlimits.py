"""One rule for text in forms (issue 11, item 10): a text longer than its field is refused by
the server with one clear message in the user's language — never cut silently by the browser
(no ``maxlength`` attribute); labels end with the language's own colon; one wording for an
invalid phone number."""

import pytest
from django import forms
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from nuanxin.core import textlimits
from nuanxin.registry import normalise


class NameForm(forms.Form):
    name = forms.CharField(max_length=50)


@pytest.mark.parametrize("language,message", [
    ("zh-hans", "最多 50 个字，现在 300 个字。"),
    ("en", "At most 50 characters; this has 300."),
])
def test_a_text_too_long_gets_one_clear_message(language, message):
    with translation.override(language):
        form = NameForm({"name": "长" * 300})
        assert not form.is_valid()
        assert form.errors["name"] == [message]


def test_the_browser_does_not_cut_a_long_name():
    html = str(NameForm()["name"])
    assert "maxlength" not in html
    assert NameForm({"name": "长" * 50}).is_valid()


@pytest.mark.django_db
def test_a_real_form_page_has_no_maxlength_and_refuses_a_long_name(personas, client):
    client.cookies["nuanxin_language"] = "zh-hans"
    client.force_login(personas.yi)
    page = client.get(reverse("registry:worker_create")).content.decode()
    assert 'name="name"' in page and "maxlength" not in page
    response = client.post(reverse("registry:worker_create"), {
        "organisation": personas.shinan_hospital.pk, "name": "名" * 300, "team": "hubei_aid",
    })
    assert response.status_code in (200, 400)
    assert "最多 50 个字，现在 300 个字。" in response.content.decode()


def test_labels_end_with_the_languages_colon():
    template = Template('{% load nuanxin_text %}{{ _("Last visit")|colon }}2020-01-29')
    with translation.override("zh-hans"):
        assert template.render(Context()) == "上次走访：2020-01-29"
        assert textlimits.with_colon("密码") == "密码："
    with translation.override("en"):
        assert template.render(Context()) == "Last visit: 2020-01-29"


@pytest.mark.parametrize("value", ["abc", "123", "1380000123"])
def test_one_wording_for_an_invalid_phone_number(value):
    with translation.override("en"):
        with pytest.raises(normalise.InvalidValue) as caught:
            normalise.phone(value)
    assert str(caught.value.args[0] if caught.value.args else caught.value) == f"“{value}” is not a valid phone number."
