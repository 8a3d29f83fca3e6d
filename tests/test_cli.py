"""The `nuanxin` console script accepts the documented hyphenated command names."""

from nuanxin.cli import _command_name


def test_hyphenated_command_names_map_to_django_commands():
    assert _command_name(["nuanxin", "import-tables", "a-file.xlsx", "--org", "QD-SN"]) == [
        "nuanxin", "import_tables", "a-file.xlsx", "--org", "QD-SN",
    ]
    assert _command_name(["nuanxin", "help", "export-tables"]) == ["nuanxin", "help", "export_tables"]
    assert _command_name(["nuanxin", "care", "open-duties"]) == ["nuanxin", "care", "open-duties"]
    assert _command_name(["nuanxin", "--version"]) == ["nuanxin", "--version"]
    assert _command_name(["nuanxin"]) == ["nuanxin"]


def _run(env_changes: dict, *args: str):
    """A fresh interpreter with ``env_changes`` (the settings are read once per process)."""
    import os
    import subprocess
    import sys

    return subprocess.run(
        [sys.executable, *args], env={**os.environ, **env_changes}, capture_output=True, text=True, timeout=60
    )


def test_an_empty_database_url_means_the_embedded_database(tmp_path):
    done = _run(
        {"DATABASE_URL": "", "NUANXIN_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "nuanxin.settings"},
        "-c", "from django.conf import settings; print(settings.DATABASES['default']['NAME'])",
    )
    assert (done.returncode, done.stdout.strip()) == (0, str(tmp_path / "nuanxin.sqlite3"))


def test_a_wrong_setting_is_named_in_one_line_and_exits_2():
    cases = {
        "NUANXIN_LOCKOUT_FAILURES": ("five", "nuanxin: NUANXIN_LOCKOUT_FAILURES must be a whole number, not 'five'.\n"),
        "DATABASE_URL": ("mysqlx://db/x", "nuanxin: DATABASE_URL is not a database address this project reads ("),
        "NUANXIN_SMS_TEMPLATES": ("{bad", "nuanxin: NUANXIN_SMS_TEMPLATES must be JSON ("),
    }
    for name, (value, message) in cases.items():
        done = _run({name: value}, "-m", "nuanxin.cli", "check")
        assert done.returncode == 2, name
        assert done.stderr.startswith(message), done.stderr
        assert "Traceback" not in done.stderr
