"""The `nuanxin` console script accepts the documented hyphenated command names."""

import io

import pytest
from django.conf import settings
from django.utils import translation

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


def test_a_replica_url_adds_the_replica_database_its_router_and_middleware(tmp_path):
    done = _run(
        {"DATABASE_URL": "postgres://nuanxin@db.example.org/nuanxin", "NUANXIN_VAR_DIR": str(tmp_path),
         "DATABASE_REPLICA_URL": "postgres://nuanxin@replica.example.org/nuanxin",
         "DJANGO_SETTINGS_MODULE": "nuanxin.settings"},
        "-c", "from django.conf import settings as s; print(s.DATABASES['replica']['HOST'], s.DATABASE_ROUTERS, "
        "s.MIDDLEWARE.index('nuanxin.core.replica.ReplicaReadsMiddleware') - "
        "s.MIDDLEWARE.index('django.contrib.auth.middleware.AuthenticationMiddleware'), s.NUANXIN_REPLICA_PATHS)",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "replica.example.org ['nuanxin.core.replica.ReplicaRouter'] 1 "
        "['/care/overview/', '/care/chart/', '/reports/dashboard/', '/reports/brief/', '/reports/rates/']"
    )


def test_a_replica_needs_postgresql_as_the_database(tmp_path):
    done = _run(
        {"DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}", "DATABASE_REPLICA_URL": "postgres://replica/nuanxin"},
        "-m", "nuanxin.cli", "check",
    )
    assert (done.returncode, done.stderr) == (2, "nuanxin: DATABASE_REPLICA_URL needs PostgreSQL as DATABASE_URL.\n")


def test_a_wrong_setting_is_named_in_one_line_and_exits_2():
    cases = {
        "NUANXIN_LOCKOUT_FAILURES": ("five", "nuanxin: NUANXIN_LOCKOUT_FAILURES must be a whole number, not 'five'.\n"),
        "DATABASE_URL": ("mysqlx://db/x", "nuanxin: DATABASE_URL is not a database address this project reads ("),
        "NUANXIN_SMS_TEMPLATES": ("{bad", "nuanxin: NUANXIN_SMS_TEMPLATES must be JSON ("),
        "REDIS_URL": ("127.0.0.1:6379", "nuanxin: REDIS_URL must start with redis://, rediss:// or unix://, not "),
        "NUANXIN_WEB_WORKERS": ("0", "nuanxin: NUANXIN_WEB_WORKERS must be 1 or more, not 0.\n"),
        "NUANXIN_SCHEDULER_LEASE_SECONDS": (
            "1", "nuanxin: NUANXIN_SCHEDULER_LEASE_SECONDS must be 2 or more, not 1.\n"
        ),
    }
    for name, (value, message) in cases.items():
        done = _run({name: value}, "-m", "nuanxin.cli", "check")
        assert done.returncode == 2, name
        assert done.stderr.startswith(message), done.stderr
        assert "Traceback" not in done.stderr



# --- messages in the project's language --------------------------------------------------------


@pytest.fixture
def run(personas, monkeypatch, capsys):
    """``nuanxin ARGS`` in-process with no language activated, as from a shell: (status, out, err)."""
    from django.db import connections

    from nuanxin import cli

    # run_from_argv closes the connections when done, which would end the test's transaction.
    monkeypatch.setattr(connections, "close_all", lambda: None)

    def run(*args: str, stdin: str = ""):
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            cli.main(["nuanxin", *args])
            status = 0
        except SystemExit as exc:
            status = exc.code
        out, err = capsys.readouterr()
        return status, out, err

    return run


def in_default_language(message: str, plural: str = "", count: int = 0) -> str:
    """``message`` as the default language (Chinese) renders it; a msgid not translated yet
    stays English."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.ngettext(message, plural, count) if plural else translation.gettext(message)


def test_import_and_export_commands_answer_in_the_default_language(run, tmp_path):
    assert translation.get_language() == settings.LANGUAGE_CODE == "zh-hans"
    missing = tmp_path / "none.xlsx"
    no_such_file = in_default_language("No such file: %(path)s") % {"path": missing}
    assert run("import-tables", str(missing), "--org", "SN") == (2, "", f"CommandError: {no_such_file}\n")
    table = tmp_path / "t.csv"
    table.write_text("姓名,联系方式\n", encoding="utf-8")
    # A msgid already in the catalogue: the Chinese text itself.
    assert run("import-tables", str(table), "--org", "NOPE") == (2, "", "CommandError: 没有代码为“NOPE”的组织。\n")
    no_user = in_default_language("No active account has the username “%(username)s”.") % {"username": "nobody"}
    assert run("import-tables", str(table), "--org", "SN", "--user", "nobody") == (
        2, "", f"CommandError: {no_user}\n"
    )
    out = tmp_path / "t.xlsx"
    assert run("export-tables", "--org", "NOPE", "--table", "1", "--out", str(out)) == (
        2, "", "CommandError: 没有代码为“NOPE”的组织。\n"
    )
    assert run("export-tables", "--org", "SN", "--table", "1", "--out", str(out), "--user", "nobody") == (
        2, "", f"CommandError: {no_user}\n"
    )
    rows = in_default_language("%(path)s: %(title)s, %(count)s row", "%(path)s: %(title)s, %(count)s rows", 0)
    title = "青岛市援鄂医疗队成员在鄂期间联系方式统计表"
    assert run("export-tables", "--org", "SN", "--table", "3", "--out", str(out)) == (
        0, rows % {"path": out, "title": title, "count": 0} + "\n", ""
    )


def test_users_create_prints_the_role_label_not_its_code(run):
    result = run("users", "create", "wang", "--org", "SN", "--role", "org_admin", "--password-stdin",
                 stdin="Strong-pass-2020\n")
    assert result == (0, "已创建账户 wang：SN 的组织管理员。\n", "")
    result = run("users", "grant", "wang", "--role", "viewer", "--org", "SN-H1")
    assert result == (0, "已授予 wang 在 SN-H1 的报表查看员角色。\n", "")
    result = run("users", "revoke", "wang", "--role", "viewer", "--org", "SN-H1")
    assert result == (0, "已撤销 wang 在 SN-H1 的报表查看员角色。\n", "")


def test_operator_commands_answer_in_the_default_language(run):
    """reset-totp, care and scheduler speak the project's language too (the msgids' Chinese once
    the catalogue has them; a msgid already translated is asserted as its Chinese text)."""
    assert run("reset-totp", "nobody") == (1, "", "CommandError: 没有用户名为“nobody”的账户。\n")
    no_authenticator = in_default_language("%(username)s has no authenticator; nothing to do.")
    assert run("reset-totp", "jia", "--yes") == (0, no_authenticator % {"username": "jia"} + "\n", "")
    no_campaign = in_default_language("No campaign has the id %(id)s.") % {"id": 999}
    assert run("care", "set-cadence", "--campaign", "999", "cdc=weekly") == (
        1, "", f"CommandError: {no_campaign}\n"
    )
    not_a_date = in_default_language("“%(value)s” is not a date: write YYYY-MM-DD.") % {"value": "2021-3-1"}
    status, out, err = run("care", "create", "--name", "新行动", "--start", "2021-3-1")  # a usage error
    assert (status, out, err.splitlines()[-1]) == (2, "", f"nuanxin care create: error: argument --start: {not_a_date}")
    synced = in_default_language("Unassigned families: %(added)s added, %(removed)s removed.")
    assert run("care", "sync-unassigned") == (0, synced % {"added": 0, "removed": 0} + "\n", "")
