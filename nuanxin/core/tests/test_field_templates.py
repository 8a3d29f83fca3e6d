"""The form-field partials of every app mark an optional field the same way: the whole mark,
brackets included, is one translatable text, so Chinese gets full-width （选填）."""

import pytest
from django import forms
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import trans_real


class SampleForm(forms.Form):
    name = forms.CharField(label="姓名")
    notes = forms.CharField(label="备注", required=False)


def _render(template: str) -> str:
    form = SampleForm()
    if template == "care/_field.html":
        return "".join(render_to_string(template, {"field": form[name]}) for name in ("name", "notes"))
    return render_to_string(template, {"form": form})


TEMPLATES = ["registry/_fields.html", "orgs/_fields.html", "care/_field.html"]


@pytest.fixture
def optional_in_chinese():
    """The catalogue entry as it reads once translated, independent of the .po file here."""
    catalog = trans_real.translation("zh-hans")._catalog
    key = "(optional)"
    had, before = key in catalog._catalogs[0], catalog._catalogs[0].get(key)
    catalog[key] = "（选填）"
    yield
    if had:
        catalog._catalogs[0][key] = before
    else:
        del catalog._catalogs[0][key]


@pytest.mark.parametrize("template", TEMPLATES)
def test_an_optional_field_is_marked_with_one_translated_text(template, optional_in_chinese):
    with translation.override("en"):
        html = _render(template)
    assert html.count('<span class="text-secondary small">(optional)</span>') == 1
    assert html.count("姓名</label>") == 1  # the required field carries no mark
    with translation.override("zh-hans"):
        html = _render(template)
    assert html.count('<span class="text-secondary small">（选填）</span>') == 1
    assert "(（" not in html and "(选填)" not in html
