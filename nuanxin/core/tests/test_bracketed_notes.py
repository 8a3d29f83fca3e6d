"""A note in brackets after a value — （已逾期）, （已结束）, （第 3 行） — is one translatable text with
its brackets, as "(optional)" is: Chinese then gets full-width brackets, never "(已逾期)"."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template.loader import get_template
from django.utils.translation import trans_real

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


@pytest.mark.parametrize(
    "name",
    [
        "accounts/profile.html",
        "care/_report_filters.html",
        "care/difficulty_detail.html",
        "care/family.html",
        "core/home.html",
        "registry/imports/detail.html",
        "registry/worker_detail.html",
    ],
)
def test_the_templates_with_bracketed_notes_compile(name):
    get_template(name)


@pytest.fixture
def scope_note_in_chinese():
    """The catalogue entry as it reads once translated, independent of the .po file here."""
    catalog = trans_real.translation("zh-hans")._catalog
    key = "(and all organisations under it)"
    had, before = key in catalog._catalogs[0], catalog._catalogs[0].get(key)
    catalog[key] = "（及其全部下级组织）"
    yield
    if had:
        catalog._catalogs[0][key] = before
    else:
        del catalog._catalogs[0][key]


def test_the_home_page_marks_an_organisation_grant_with_full_width_brackets(
    personas, client, english_client, scope_note_in_chinese
):
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
