"""`nuanxin serve` starts web, worker and scheduler, and stops all three together."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

# The shard planner's weight of this file (conftest.py):
# a fresh database migrated, the start-up's processes run and stopped (~230 plain tests' time; 2026-12-06).
SHARD_WEIGHT = 230

DEADLINE_SECONDS = 90  # how long to wait for start-up on a busy machine (not an assertion)


def said(message: str, **values) -> str:
    """``message`` as `nuanxin serve` writes it: in the default language (Chinese once the
    catalogue translates it), since the command activates no other."""
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(message) % values


def started_lines(text: str) -> dict[str, int]:
    """The children's pids from the "NAME started (pid N)" lines."""
    line = re.escape(said("%(name)s started (pid %(pid)s)", name="NAME", pid="PID"))
    pattern = "^" + line.replace("NAME", r"(?P<name>\w+)").replace("PID", r"(?P<pid>\d+)") + "$"
    return {m["name"]: int(m["pid"]) for m in re.finditer(pattern, text, re.M)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> dict:
    """A migrated embedded-start SQLite database in a temporary var directory."""
    var = tmp_path_factory.mktemp("serve")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "NUANXIN_ENV", "DEBUG"}}
    env.update(NUANXIN_VAR_DIR=str(var), DATABASE_URL=f"sqlite:///{var / 'db.sqlite3'}", NUANXIN_WEB_WORKERS="2")
    subprocess.run([sys.executable, "-m", "nuanxin.cli", "migrate", "-v0"], env=env, check=True, timeout=300)
    return env


def start(env: dict, log: Path) -> tuple[subprocess.Popen, int]:
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "nuanxin.cli", "serve", "--port", str(port)],
            env=env, stdout=out, stderr=subprocess.STDOUT,
        )
    return process, port


def wait_until_healthy(process: subprocess.Popen, port: int, log: Path) -> dict[str, int]:
    deadline = time.monotonic() + DEADLINE_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                assert response.status == 200
                assert response.read() == b'{"status": "ok"}'
                break
        except OSError:
            time.sleep(0.3)
    else:
        pytest.fail("nuanxin serve did not answer /healthz:\n" + log.read_text())
    # The worker and the scheduler are up once they say so (a signal during their start-up
    # would only test Python's import machinery); the address is announced once the port answers.
    while time.monotonic() < deadline:
        text = log.read_text()
        if "Starting worker" in text and "holds the lease" in text and f"http://127.0.0.1:{port}/" in text:
            break
        assert process.poll() is None, text
        time.sleep(0.3)
    else:
        pytest.fail("the worker or the scheduler did not start:\n" + log.read_text())
    pids = started_lines(log.read_text())
    assert sorted(pids) == ["scheduler", "web", "worker"]
    return pids


def web_workers(pid: int) -> list[int]:
    """The gunicorn workers: the web child's own children."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_serve_runs_three_children_and_ctrl_c_stops_them_all(site, tmp_path):
    log = tmp_path / "serve.log"
    process, port = start(site, log)
    try:
        pids = wait_until_healthy(process, port, log)
        assert all(alive(pid) for pid in pids.values())
        output = log.read_text()
        assert f"http://127.0.0.1:{port}/" in output  # the announcement (translated)
        # The web child is gunicorn (NUANXIN_WEB_WORKERS processes), its access log masked.
        workers = web_workers(pids["web"])
        assert len(workers) == 2 and "Using worker: sync" in output
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz?q=13812345678", timeout=10) as response:
            assert response.status == 200
        deadline = time.monotonic() + 10
        while '"GET /healthz?q=138****5678 HTTP/1.1" 200' not in log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert '"GET /healthz?q=138****5678 HTTP/1.1" 200' in log.read_text()
        assert "13812345678" not in log.read_text()
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
    assert {name: alive(pid) for name, pid in pids.items()} == {"web": False, "worker": False, "scheduler": False}
    assert [alive(pid) for pid in workers] == [False, False]
    assert re.search(r"Scheduler \S+ stopped", log.read_text())  # it shut down cleanly


def test_when_a_child_dies_serve_stops_the_others_and_fails(site, tmp_path):
    log = tmp_path / "serve.log"
    process, port = start(site, log)
    try:
        pids = wait_until_healthy(process, port, log)
        os.kill(pids["worker"], signal.SIGKILL)
        assert process.wait(timeout=60) == 1, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
    assert {name: alive(pid) for name, pid in pids.items()} == {"web": False, "worker": False, "scheduler": False}
    assert said("%(name)s was killed by signal %(signal)s; stopping the others.", name="worker", signal=9) in (
        log.read_text()
    )


def test_serve_refuses_an_unmigrated_database(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "NUANXIN_ENV"}}
    env.update(NUANXIN_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    result = subprocess.run([sys.executable, "-m", "nuanxin.cli", "serve", "--port", str(free_port())],
                            env=env, capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 1
    assert "`nuanxin migrate`" in result.stderr  # the message is translated, the command is not


def test_a_second_ctrl_c_stops_at_once_and_still_ends_cleanly(site, tmp_path):
    """Ctrl-C twice (an impatient user): the children are killed, which is what was asked for —
    no "ended with status -9" and exit status 0, so ``make run`` does not add "Error 1"."""
    log = tmp_path / "serve.log"
    process, port = start(site, log)
    try:
        pids = wait_until_healthy(process, port, log)
        workers = web_workers(pids["web"])
        process.send_signal(signal.SIGINT)
        time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
    assert {name: alive(pid) for name, pid in pids.items()} == {"web": False, "worker": False, "scheduler": False}
    assert [alive(pid) for pid in workers] == [False, False]  # killed with their master's group
    output = log.read_text()
    assert said("Stopping the web server, the worker and the scheduler (Ctrl-C again stops them at once)…") in output
    assert said("Stopping at once.") in output
    assert "ended with status" not in output and said("%(name)s ended with status %(status)s while stopping.",
                                                      name="worker", status=-9) not in output


def test_web_reloads_its_workers_on_sighup_and_stops_gracefully_on_sigterm(site, tmp_path):
    """``nuanxin web`` alone, as production runs it: SIGHUP replaces the workers while the
    port keeps answering (an upgrade without downtime); SIGTERM ends it with status 0."""
    log = tmp_path / "web.log"
    port = free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "nuanxin.cli", "web", "--port", str(port), "--workers", "1"],
            env=site, stdout=out, stderr=subprocess.STDOUT,
        )

    def get(path: str, method: str = "GET") -> int:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status

    try:
        deadline = time.monotonic() + DEADLINE_SECONDS
        while True:
            assert process.poll() is None, log.read_text()
            try:
                assert get("/readyz") == 200
                break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.3)
        # A HEAD (a probe, a link checker) has no body to drop: gunicorn warned of each one.
        assert (get("/healthz", "HEAD"), get("/accounts/login/", "HEAD")) == (200, 200)
        # The command became gunicorn's master (same pid), a process that never imported the
        # application: a reload's workers import the code as it is on disk then.
        master = Path(f"/proc/{process.pid}/cmdline").read_bytes().split(b"\0")
        assert master[1:4] == [b"-m", b"gunicorn", b"nuanxin.wsgi:application"]
        (first,) = web_workers(process.pid)
        process.send_signal(signal.SIGHUP)
        while True:  # the old worker ends once its replacement has booted
            current = web_workers(process.pid)
            if current and first not in current:
                break
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        assert get("/healthz") == 200
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
    assert "Handling signal: hup" in log.read_text()
    assert '"HEAD /accounts/login/ HTTP/1.1" 200 0 ' in log.read_text()
    assert "no-body response" not in log.read_text()


class FakeChild:
    """A web child as ``wait_for_port`` sees it: running until ``ended`` is set."""

    def __init__(self):
        self.ended = False
        self.polled = 0

    def poll(self):
        self.polled += 1
        return 1 if self.ended else None


def test_the_address_is_announced_only_once_the_port_accepts_connections():
    """gunicorn listens a few seconds after it starts: ``nuanxin serve`` waits for the port."""
    import threading

    from nuanxin.core.management.commands.serve import wait_for_port

    port = free_port()
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    child = FakeChild()
    opened_at: list[float] = []

    def listen():
        opened_at.append(time.monotonic())
        listener.bind(("127.0.0.1", port))
        listener.listen()

    timer = threading.Timer(0.5, listen)
    timer.start()
    try:
        assert wait_for_port("127.0.0.1", port, child, poll=0.05) is True
        answered_at = time.monotonic()
    finally:
        timer.join()
        listener.close()
    assert len(opened_at) == 1 and answered_at >= opened_at[0]
    assert child.polled >= 5  # it tried (and found nothing) while the port was closed


def test_no_address_is_announced_when_the_web_server_ends_first_or_we_are_stopping():
    from nuanxin.core.management.commands.serve import wait_for_port

    port = free_port()  # nothing listens there
    child = FakeChild()
    child.ended = True
    started = time.monotonic()
    assert wait_for_port("127.0.0.1", port, child, poll=0.05) is False
    stopping = FakeChild()
    assert wait_for_port("127.0.0.1", port, stopping, stop=lambda: True, poll=0.05) is False
    assert time.monotonic() - started < 5


@pytest.mark.django_db
def test_serve_refuses_a_port_another_program_holds_and_starts_nothing(monkeypatch):
    """Another program answers on the port: a clear error before any child starts (waiting for the
    port would have announced the other program's address as Nuanxin's)."""
    from django.core.management import CommandError, call_command

    started: list[list[str]] = []
    monkeypatch.setattr(subprocess, "Popen", lambda command, **kwargs: started.append(command))
    port = free_port()
    with socket.socket() as other:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind(("127.0.0.1", port))
        other.listen()
        with translation.override("en"), pytest.raises(CommandError) as refused:
            call_command("serve", "--host", "127.0.0.1", "--port", str(port))
    assert str(refused.value) == (
        f"Port {port} is already in use by another program: stop it, or choose another port "
        "(nuanxin serve --port 8001, make run PORT=8001)."
    )
    assert started == []
