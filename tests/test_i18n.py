"""The zh_Hans catalogue is complete and the committed .mo files match their .po files."""

import gettext
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = Path(settings.LOCALE_PATHS[0])
REPO = Path(settings.BASE_DIR)


def _tool(name):
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} (GNU gettext) is required for this test; install the gettext package")
    return path


@pytest.fixture(scope="module")
def fresh_catalogue(tmp_path_factory):
    """The catalogue as makemessages would write it from today's source, in a copy."""
    _tool("xgettext")
    copy = tmp_path_factory.mktemp("locale") / "locale"
    shutil.copytree(LOCALE, copy)
    original = settings.LOCALE_PATHS
    settings.LOCALE_PATHS = [copy]
    cwd = Path.cwd()
    try:
        import os

        os.chdir(REPO)
        for domain in ("django", "djangojs"):
            call_command(
                "makemessages",
                locale=["zh_Hans"],
                domain=domain,
                # The real catalogue directory is skipped: makemessages would otherwise take it as the
                # place for the strings of every file below it and write there, not in the copy.
                ignore_patterns=[
                    ".venv/*", "var/*", "bench/*", "tests/*", "*/tests/*", "static/vendor/*", "nuanxin/locale/*"
                ],
                no_obsolete=True,
                verbosity=0,
            )
    finally:
        os.chdir(cwd)
        settings.LOCALE_PATHS = original
    return copy


def test_every_string_has_a_chinese_translation(fresh_catalogue):
    po = fresh_catalogue / "zh_Hans" / "LC_MESSAGES" / "django.po"
    untranslated = subprocess.run(
        [_tool("msgattrib"), "--untranslated", "--no-obsolete", "--no-wrap", str(po)],
        capture_output=True, text=True, check=True,
    ).stdout
    fuzzy = subprocess.run(
        [_tool("msgattrib"), "--only-fuzzy", "--no-obsolete", "--no-wrap", str(po)],
        capture_output=True, text=True, check=True,
    ).stdout
    missing = [line for line in untranslated.splitlines() if line.startswith("msgid ") and line != 'msgid ""']
    assert missing == []
    assert [line for line in fuzzy.splitlines() if line.startswith("msgid ")] == []


def test_committed_catalogue_is_up_to_date(fresh_catalogue):
    committed = (LOCALE / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text()
    fresh = (fresh_catalogue / "zh_Hans" / "LC_MESSAGES" / "django.po").read_text()

    def entries(text):
        return [line for line in text.splitlines() if line.startswith(("msgid", "msgstr", '"')) and
                "POT-Creation-Date" not in line]

    assert entries(committed) == entries(fresh), "run `make messages` and translate the new strings"


def test_mo_matches_po(tmp_path):
    lang = "zh_Hans"
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    mo = LOCALE / lang / "LC_MESSAGES" / "django.mo"
    built = tmp_path / "django.mo"
    subprocess.run([_tool("msgfmt"), "-o", str(built), str(po)], check=True)
    with mo.open("rb") as a, built.open("rb") as b:
        assert gettext.GNUTranslations(a)._catalog == gettext.GNUTranslations(b)._catalog
