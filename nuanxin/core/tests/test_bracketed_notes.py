"""A note in brackets after a value — （选填）, （已逾期）, （已结束）, （第 3 行） — is one translatable
text with its brackets: Chinese then gets full-width brackets, never "(已逾期)". The Chinese
assertions read the committed catalogue."""

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import translation

TEMPLATES = Path(settings.BASE_DIR) / "nuanxin" / "templates"

# A half-width bracket typed in the template around a translation tag.
OPEN_BEFORE_TAG = re.compile(r"\(\s*\{%\s*(translate|trans|blocktranslate|blocktrans)\b")
CLOSE_AFTER_TAG = re.compile(
    r"\{%\s*(translate|trans)\s+(\"[^\"]*\"|'[^']*')[^%]*%\}\s*\)"
    r"|\{%\s*endblocktrans(late)?\s*%\}\s*\)"
)


def _templates() -> list[Path]:
    return sorted(TEMPLATES.rglob("*.html"))


def test_no_template_puts_half_width_brackets_around_a_translation():
    offending = []
    for path in _templates():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if OPEN_BEFORE_TAG.search(line) or CLOSE_AFTER_TAG.search(line):
                offending.append(f"{path.relative_to(TEMPLATES)}:{number}")
    assert offending == []


def test_the_home_page_marks_an_organisation_grant_with_full_width_brackets(personas, client, english_client):
    english_client.force_login(personas.yi)
    html = english_client.get("/").content.decode()
    assert html.count('<span class="text-secondary small">(and all organisations under it)</span>') == 1
    client.force_login(personas.yi)
    html = client.get("/").content.decode()
    assert html.count('<span class="text-secondary small">（及其全部下级组织）</span>') == 1
    assert "(（" not in html and "(及其全部下级组织)" not in html
    # A grant on a group covers its members only: no note.
    client.force_login(personas.viewer)
    assert "及其全部下级组织" not in client.get("/").content.decode()


class SampleForm(forms.Form):
    name = forms.CharField(label="姓名")
    notes = forms.CharField(label="备注", required=False)


def _render_fields(template: str) -> str:
    return render_to_string(template, {"form": SampleForm()})


@pytest.mark.parametrize("template", ["partials/field.html"])  # the one field partial of every app
def test_every_apps_field_partial_marks_an_optional_field_with_one_translated_text(template):
    with translation.override("en"):
        html = _render_fields(template)
    assert html.count('<span class="text-secondary small">(optional)</span>') == 1
    assert html.count("姓名</label>") == 1  # the required field carries no mark
    with translation.override("zh-hans"):
        html = _render_fields(template)
    assert html.count('<span class="text-secondary small">（选填）</span>') == 1
    assert "(（" not in html and "(选填)" not in html
