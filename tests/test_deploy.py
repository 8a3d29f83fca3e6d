"""Production settings: `nuanxin check --deploy` is clean and secrets are required."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from nuanxin.core.tests.redis import needs_redis

# The shard planner's weight of this file (conftest.py):
# each test starts the command line in a new process (about 40 plain tests' time; whole runs, 2026-12-06).
SHARD_WEIGHT = 40


def _run(env_extra, *args):
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a deployment never has it.
    dropped = {"SECRET_KEY", "DATABASE_URL", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {k: v for k, v in os.environ.items() if k not in dropped}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "nuanxin.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def production_env(tmp_path, database_url: str = "") -> dict[str, str]:
    """A complete production environment (the SMS provider set), on ``database_url``."""
    return {
        "NUANXIN_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "nuanxin.example.org",
        "DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "NUANXIN_VAR_DIR": str(tmp_path),
        "NUANXIN_SMS_BACKEND": "nuanxin.notify.sms.ProviderBackend",
        "NUANXIN_SMS_PROVIDER_URL": "https://sms.example.org/send",
        "NUANXIN_SMS_ACCESS_KEY": "key",
        "NUANXIN_SMS_SECRET": secrets.token_urlsafe(20),
        "REDIS_URL": "redis://127.0.0.1:6379/0",  # the machine's: the checks connect to it
    }


@needs_redis
def test_check_deploy_is_clean_in_production(tmp_path):
    result = _run(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


def test_check_deploy_warns_when_the_cache_is_not_shared(tmp_path):
    env = production_env(tmp_path)
    del env["REDIS_URL"]
    result = _run({**env, "NUANXIN_WEB_WORKERS": "4"}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 1
    found = [line for line in result.stderr.splitlines() if line.startswith("?: (")]
    assert found == [
        "?: (nuanxin.W020) The cache is each process's own memory: the public pages' rate limits count per "
        "process, so 4 web processes per server allow that many times the limit."
    ]


@needs_redis
def test_check_deploy_warns_when_redis_or_the_storage_cannot_be_reached(tmp_path):
    """What /readyz would find, before the node is put behind the load balancer."""
    (tmp_path / "private").write_text("a file where the storage's directory should be")
    env = {**production_env(tmp_path), "REDIS_URL": "redis://127.0.0.1:1/0", "NUANXIN_PRIVATE_DIR": str(tmp_path /
           "private" / "uploads")}
    result = _run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 1
    found = [line for line in result.stderr.splitlines() if line.startswith(("?: (", "\tHINT"))]
    assert found == [
        "?: (nuanxin.W021) Could not reach the cache: Error 111 connecting to 127.0.0.1:1. Connection refused.",
        "\tHINT: Check REDIS_URL and that Redis answers from this server (docs/operations.md).",
        f"?: (nuanxin.W022) Could not reach the storage: {tmp_path / 'private'} is not writable",
        "\tHINT: Check the private storage's settings (NUANXIN_PRIVATE_DIR or NUANXIN_S3_*) and its rights.",
    ]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles exist on PostgreSQL only")
@pytest.mark.django_db
def test_check_deploy_warns_when_the_application_connects_as_a_superuser(tmp_path):
    """The test database's superuser owns everything and may do anything to the audit log;
    tests/test_db_roles.py shows the documented application role passes."""
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"
    result = _run(production_env(tmp_path, url), "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 1
    found = [line.split(")")[0].strip("?: (") for line in result.stderr.splitlines() if line.startswith("?: (")]
    assert found == ["nuanxin.W010", "nuanxin.W011", "nuanxin.W012", "nuanxin.W013"]
    role = s["USER"]
    assert f'?: (nuanxin.W010) The application connects to PostgreSQL as the superuser "{role}"' in result.stderr
    assert (
        f'?: (nuanxin.W011) The database role "{role}" owns (or may act as the owner of) the table core_auditlog, '
        "its schema public, the trigger function nuanxin_audit_append_only()" in result.stderr
    )
    assert f'?: (nuanxin.W012) The database role "{role}" may TRUNCATE, UPDATE, DELETE the audit table' in result.stderr
    assert f'?: (nuanxin.W013) The database role "{role}" may set session_replication_role' in result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path):
    result = _run(
        {"NUANXIN_ENV": "production", "ALLOWED_HOSTS": "x.example.org", "NUANXIN_VAR_DIR": str(tmp_path)},
        "check",
    )
    assert result.returncode == 2
    assert result.stderr == "nuanxin: SECRET_KEY must be set in the environment in production.\n"
    assert not (tmp_path / "secret_key").exists()


def test_production_hashes_passwords_with_argon2():
    assert settings.PRODUCTION_PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


def test_embedded_start_generates_secret_key_once(tmp_path):
    env = {"NUANXIN_VAR_DIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    probe = "from django.conf import settings; print(settings.SECRET_KEY)"
    first = _run(env, "shell", "--no-imports", "-c", probe)
    second = _run(env, "shell", "--no-imports", "-c", probe)
    assert first.returncode == 0, first.stderr
    key = (tmp_path / "secret_key").read_text()
    assert first.stdout.strip() == key == second.stdout.strip()
    assert len(key) >= 50
    assert oct((tmp_path / "secret_key").stat().st_mode & 0o777) == "0o600"


def test_check_deploy_warns_when_text_messages_would_only_be_logged(tmp_path):
    result = _run(
        {
            "NUANXIN_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "nuanxin.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "NUANXIN_VAR_DIR": str(tmp_path),
        },
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 1
    assert "(nuanxin.W001) NUANXIN_SMS_BACKEND is nuanxin.notify.sms.ConsoleBackend" in result.stderr


@pytest.mark.skipif(connection.vendor != "postgresql", reason="database roles exist on PostgreSQL only")
def test_check_deploy_says_when_it_cannot_reach_the_database(tmp_path):
    s = connection.settings_dict
    url = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/nuanxin_no_such_database"
    env = {**production_env(tmp_path, url), "NUANXIN_DB_POOL_TIMEOUT": "1"}
    result = _run(env, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 1
    assert (
        "?: (nuanxin.W014) Could not check the database role: couldn't get a connection after 1.00 sec\n"
        "\tHINT: nuanxin check --deploy needs the production DATABASE_URL and a running database."
    ) in result.stderr
    assert 'database "nuanxin_no_such_database" does not exist' in result.stderr  # the pool's log says why
