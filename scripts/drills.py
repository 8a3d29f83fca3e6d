#!/usr/bin/env python
"""Fault drills (docs/operations.md, 故障演练): PostgreSQL restarted under load, the private
storage full during an upload, a backup restored on a fresh database.

    .venv/bin/python scripts/drills.py [postgres-restart|storage-full|backup-restore|all] [options]
    make drills DRILL_ARGS="backup-restore"

Everything runs on a PRIVATE PostgreSQL (initdb + pg_ctl as the ``postgres`` OS user, a data
directory under /tmp/nuanxin-drill-*, a free port; never the machine's own PostgreSQL) with
Nuanxin migrated and the demo loaded, and a private ``nuanxin web`` (gunicorn). Each step prints
what it did and how long it took; each check prints OK or FAIL; the exit status is 1 when a
check failed (2 when a drill could not run). Every process started here is stopped at the end,
also on a failure or Ctrl-C, and the directory is removed (``--keep`` keeps it).
"""

# The drills run programs they name themselves (pg_ctl, nuanxin, mount), count rows of tables
# they list from pg_tables, and sample rows with a seeded (non-cryptographic) generator.
# ruff: noqa: S103, S311, S603, S607, S608

from __future__ import annotations

import argparse
import contextlib
import errno
import hashlib
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tarfile
import tempfile
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg
import requests

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT / ".venv" / "bin"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
DEMO_PASSWORD = "Nuanxin-demo-2020"  # nuanxin/core/demo.py
CARE_CONTACTS = ("demo-care", "demo-care2", "demo-care3", "demo-care4", "demo-care5")  # nuanxin/care/demo.py
IMPORT_ADMIN = "demo-district"  # 组织管理员, 市南区总工会: may import tables
SAMPLE_TABLE = ROOT / "docs" / "samples" / "table1_aid_team.xlsx"
BUSY_MARK = "系统正忙"  # the 503 page's title (templates/errors/busy.html, Chinese by default)
ERROR_MARK = "服务器未能完成此请求"  # the 500 page
STORAGE_FULL_ZH = "服务器的存储空间已满"  # core/attachments.py storage_full_message(), in Chinese
STORAGE_FULL_EN = "The server has no storage space left for this file"
CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
TOKEN_RE = re.compile(r'name="submission_token" value="([^"]+)"')
FAMILY_RE = re.compile(r'/care/families/(\d+)/"')
ORG_OPTION_RE = re.compile(r'<option value="(\d+)"[^>]*>')


class DrillError(Exception):
    """A drill cannot go on (a server did not start, a command failed)."""


# --- reporting ----------------------------------------------------------------------------------


class Report:
    """Prints steps (with their time), checks (OK/FAIL) and figures; remembers failures and the
    measured times for the summary."""

    def __init__(self):
        self.failures: list[str] = []
        self.times: list[tuple[str, float]] = []
        self.figures: list[tuple[str, str]] = []
        self.started = time.monotonic()

    @staticmethod
    def out(text: str = "") -> None:
        print(text, flush=True)

    def title(self, text: str) -> None:
        self.out()
        self.out(f"=== {text} ===")

    @contextlib.contextmanager
    def step(self, text: str):
        self.out(f"-> {text}")
        start = time.monotonic()
        try:
            yield
        finally:
            took = time.monotonic() - start
            self.times.append((text, took))
            self.out(f"   ({took:.2f} s)")

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        self.out(f"   [{'OK' if ok else 'FAIL'}] {name}" + (f": {detail}" if detail else ""))
        if not ok:
            self.failures.append(name)
        return ok

    def figure(self, name: str, value: str) -> None:
        self.figures.append((name, value))
        self.out(f"   * {name}: {value}")

    def summary(self) -> None:
        self.title("summary")
        for name, value in self.figures:
            self.out(f"  {name}: {value}")
        self.out(f"  total time: {time.monotonic() - self.started:.1f} s")
        if self.failures:
            self.out(f"  FAILED checks ({len(self.failures)}):")
            for name in self.failures:
                self.out(f"    - {name}")
        else:
            self.out("  all checks passed")


def human_size(size: int) -> str:
    n = float(size)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return str(n)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(cmd: list[str], *, env: dict | None = None, timeout: float = 900, quiet: bool = True, **kwargs) -> str:
    """Run ``cmd`` in its own session (Ctrl-C reaches this script, which stops it); its output
    is returned, and shown when it fails."""
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True, **kwargs
    )
    try:
        output, _ = proc.communicate(timeout=timeout)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
        raise
    if proc.returncode != 0:
        raise DrillError(f"{' '.join(map(str, cmd))} exited with {proc.returncode}:\n{output[-3000:]}")
    if not quiet and output.strip():
        print(output.rstrip(), flush=True)
    return output


# --- a private PostgreSQL -----------------------------------------------------------------------


class PrivatePostgres:
    """A PostgreSQL cluster of its own under ``root`` on a free port, run as the ``postgres``
    OS user; ``close()`` stops it (immediately) whatever state it is in."""

    bin = PG_BIN

    def __init__(self, root: Path, name: str = "pg"):
        self.dir = root / name
        self.sockets = root / f"{name}-sockets"
        self.log = root / f"{name}.log"
        self.port = free_port()

    def _as_postgres(self, *cmd: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", "postgres", "--", *cmd]
        return list(cmd)

    def _ctl(self, *args: str, timeout: float = 120) -> str:
        return run(self._as_postgres(str(self.bin / "pg_ctl"), "-D", str(self.dir), *args), timeout=timeout)

    def init(self) -> None:
        self.sockets.mkdir(mode=0o700)
        if os.geteuid() == 0:
            shutil.chown(self.dir.parent, "postgres")
            shutil.chown(self.sockets, "postgres")
        run(self._as_postgres(
            str(self.bin / "initdb"), "-D", str(self.dir), "-U", "postgres", "--auth=trust", "-E", "UTF8",
            "--locale=C.UTF-8",
        ))
        with open(self.dir / "postgresql.conf", "a") as conf:
            conf.write(
                f"\n# nuanxin drill\nport = {self.port}\nlisten_addresses = '127.0.0.1'\n"
                f"unix_socket_directories = '{self.sockets}'\nmax_connections = 100\n"
            )

    def start(self) -> None:
        self._ctl("-l", str(self.log), "-w", "-t", "60", "start")

    def restart(self) -> None:
        self._ctl("-l", str(self.log), "-m", "fast", "-w", "-t", "60", "restart")

    def stop(self, mode: str = "fast") -> None:
        self._ctl("-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        return (self.dir / "postmaster.pid").exists()

    def close(self) -> None:
        if not self.running():
            return
        try:
            self.stop("immediate")
        except Exception:  # the last resort: the postmaster's pid
            with contextlib.suppress(Exception):
                pid = int((self.dir / "postmaster.pid").read_text().split()[0])
                os.kill(pid, signal.SIGQUIT)

    def url(self, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{db}"

    def connect(self, db: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(host="127.0.0.1", port=self.port, user="postgres", dbname=db, autocommit=True)

    def query(self, sql: str, params=None, db: str = "nuanxin") -> list[tuple]:
        with self.connect(db) as conn:
            return conn.execute(sql, params).fetchall()

    def create_db(self, name: str) -> None:
        with self.connect() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')

    def tool(self, name: str) -> str:
        return str(self.bin / name)


# --- Nuanxin: commands and the web server -------------------------------------------------------


def app_env(*, database_url: str, var_dir: Path, private_dir: Path, **extra: str) -> dict:
    """The environment of a private Nuanxin: none of the caller's NUANXIN_*/DATABASE_URL/
    REDIS_URL/S3 settings, the drill's database and directories."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("NUANXIN_", "DJANGO_")) and k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY")
    }
    env.update(
        DATABASE_URL=database_url, NUANXIN_VAR_DIR=str(var_dir), NUANXIN_PRIVATE_DIR=str(private_dir),
        NUANXIN_ENV="development", LOG_LEVEL="INFO", PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def nuanxin(env: dict, *args: str, timeout: float = 900) -> str:
    return run([str(BIN / "nuanxin"), *args], env=env, timeout=timeout, cwd=str(ROOT))


class Web:
    """``nuanxin web`` (gunicorn) on a free port in its own process group."""

    def __init__(self, env: dict, log: Path, workers: int = 2):
        self.env = env
        self.log = log
        self.port = free_port()
        self.workers = workers
        self.proc: subprocess.Popen | None = None
        self.base = f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90) -> None:
        cmd = [str(BIN / "nuanxin"), "web", "--host", "127.0.0.1", "--port", str(self.port),
               "--workers", str(self.workers)]
        if not (ROOT / "nuanxin" / "core" / "management" / "commands" / "web.py").exists():  # before `nuanxin web`
            cmd = [str(BIN / "gunicorn"), "nuanxin.wsgi:application", "-b", f"127.0.0.1:{self.port}",
                   "-w", str(self.workers)]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(
                cmd, env=self.env, cwd=str(ROOT), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise DrillError(f"the web server exited with {self.proc.returncode}; see {self.log}")
            with contextlib.suppress(requests.RequestException):
                if requests.get(self.base + "/healthz", timeout=2).status_code == 200:
                    return
            time.sleep(0.3)
        raise DrillError(f"the web server did not answer /healthz within {timeout:.0f} s; see {self.log}")

    def worker_pids(self) -> set[int]:
        if self.proc is None:
            return set()
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(self.proc.pid)], capture_output=True, text=True)
        return {int(p) for p in out.stdout.split()}

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


def sign_in(base: str, username: str, *, timeout: float = 30) -> requests.Session:
    session = requests.Session()
    page = session.get(base + "/accounts/login/", timeout=timeout)
    csrf = CSRF_RE.search(page.text)
    if page.status_code != 200 or csrf is None:
        raise DrillError(f"the sign-in page answered {page.status_code}")
    answer = session.post(
        base + "/accounts/login/",
        data={"csrfmiddlewaretoken": csrf.group(1), "username": username, "password": DEMO_PASSWORD},
        headers={"Referer": base + "/accounts/login/"}, allow_redirects=False, timeout=timeout,
    )
    if answer.status_code != 302 or "/accounts/login" in answer.headers.get("Location", ""):
        raise DrillError(f"{username} could not sign in ({answer.status_code})")
    return session


# --- the site every drill works on ----------------------------------------------------------------


class Site:
    """A private PostgreSQL with Nuanxin migrated and the demo loaded, under one directory."""

    def __init__(self, report: Report, stack: contextlib.ExitStack, keep: bool):
        self.report = report
        self.stack = stack
        self.root = Path(tempfile.mkdtemp(prefix="nuanxin-drill-", dir="/tmp"))
        os.chmod(self.root, 0o755)  # the postgres user enters it
        if not keep:
            stack.callback(shutil.rmtree, self.root, ignore_errors=True)
        self.pg = PrivatePostgres(self.root)
        stack.callback(self.pg.close)
        self.db = "nuanxin"
        self.var = self.root / "var"
        self.private = self.root / "private"
        self.ready = False
        self.tried = False

    def env(self, **extra: str) -> dict:
        return app_env(database_url=self.pg.url(self.db), var_dir=self.var, private_dir=self.private, **extra)

    def prepare(self) -> None:
        if self.ready:
            return
        if self.tried:
            raise DrillError("the private PostgreSQL with the demo could not be prepared (above)")
        self.tried = True
        r = self.report
        r.title("private PostgreSQL with the demo")
        r.out(f"   directory {self.root}")
        with r.step(f"initdb + pg_ctl start (PostgreSQL 15, port {self.pg.port}, as the postgres OS user)"):
            self.pg.init()
            self.pg.start()
            self.pg.create_db(self.db)
        self.var.mkdir()
        self.private.mkdir(mode=0o700)
        with r.step("nuanxin migrate"):
            nuanxin(self.env(), "migrate", "--no-input", "-v", "0")
        with r.step("nuanxin demo"):
            try:
                nuanxin(self.env(), "demo")
            except DrillError as exc:  # what was built before the failure stays: the drills go on
                r.check("nuanxin demo loads", False, "\n      ".join(str(exc).strip().splitlines()[-4:]))
        self.ready = True

    def web(self, env: dict | None = None, name: str = "web") -> Web:
        web = Web(env or self.env(), self.root / f"{name}.log")
        self.stack.callback(web.stop)
        web.start()
        return web


# --- drill 1: PostgreSQL restarted under load ----------------------------------------------------


@dataclass
class Event:
    at: float
    kind: str  # read, form, visit, probe
    status: int | str  # the HTTP status, or the client-side error's name
    took: float
    detail: str = ""


@dataclass
class Load:
    base: str
    users: tuple[str, ...]
    stop: threading.Event = field(default_factory=threading.Event)
    events: list[Event] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    attempted: set[str] = field(default_factory=set)  # form tokens of visits sent at least once
    confirmed: set[str] = field(default_factory=set)  # … answered with the redirect of a saved visit
    retried: set[str] = field(default_factory=set)  # … saved when sent again after a 503 or a broken line
    errors: list[str] = field(default_factory=list)

    def record(self, kind: str, response_or_error, start: float) -> Event:
        took = time.monotonic() - start
        if isinstance(response_or_error, BaseException):
            event = Event(start, kind, type(response_or_error).__name__, took, str(response_or_error)[:200])
        else:
            response = response_or_error
            detail = ""
            if response.status_code == 503:
                detail = "busy-page" if BUSY_MARK in response.text and response.headers.get("Retry-After") else "other"
            elif response.status_code >= 500:
                detail = "error-page" if ERROR_MARK in response.text else response.text[:200]
            event = Event(start, kind, response.status_code, took, detail)
        with self.lock:
            self.events.append(event)
        return event

    def get(self, session: requests.Session, kind: str, url: str):
        start = time.monotonic()
        try:
            response = session.get(self.base + url, timeout=60, allow_redirects=False)
        except requests.RequestException as exc:
            self.record(kind, exc, start)
            return None
        self.record(kind, response, start)
        return response

    def care_contact(self, username: str) -> None:
        """Signed in as a care contact: read this week's families, open a visit form, log the
        visit (one item of necessities); a 503 is retried with the same form token, as a user
        sends the form again."""
        try:
            session = sign_in(self.base, username)
            week = session.get(self.base + "/care/week/", timeout=60)
            families = sorted(set(FAMILY_RE.findall(week.text)))
            if not families:
                raise DrillError(f"{username} has no families this week")
        except Exception as exc:
            self.errors.append(f"{username}: {exc}")
            return
        n = 0
        while not self.stop.is_set():
            family = families[n % len(families)]
            n += 1
            if self.get(session, "read", "/care/week/") is None:
                time.sleep(0.5)
                continue
            form = self.get(session, "form", f"/care/families/{family}/visit/")
            if form is None or form.status_code != 200:
                time.sleep(0.5)
                continue
            csrf, token = CSRF_RE.search(form.text), TOKEN_RE.search(form.text)
            if not csrf or not token:
                self.errors.append(f"{username}: the visit form has no CSRF or submission token")
                return
            data = {
                "csrfmiddlewaretoken": csrf.group(1), "submission_token": token.group(1),
                "on": date.today().isoformat(), "mode": "phone", "visitors": "演练", "notes": "fault drill",
                "items-TOTAL_FORMS": "1", "items-INITIAL_FORMS": "0", "items-MIN_NUM_FORMS": "0",
                "items-MAX_NUM_FORMS": "50", "items-0-item": "大米", "items-0-quantity": "1", "items-0-unit": "袋",
                "items-0-value": "50", "diffs-TOTAL_FORMS": "0", "diffs-INITIAL_FORMS": "0",
                "diffs-MIN_NUM_FORMS": "0", "diffs-MAX_NUM_FORMS": "10",
            }
            with self.lock:
                self.attempted.add(token.group(1))
            for _attempt in range(120):  # the same form sent again after a 503, until saved
                start = time.monotonic()
                try:
                    response = session.post(
                        self.base + f"/care/families/{family}/visit/", data=data, timeout=60,
                        headers={"Referer": self.base + f"/care/families/{family}/visit/"}, allow_redirects=False,
                    )
                except requests.RequestException as exc:
                    self.record("visit", exc, start)
                    time.sleep(1)
                    continue
                event = self.record("visit", response, start)
                if response.status_code == 302:
                    with self.lock:
                        self.confirmed.add(token.group(1))
                        if _attempt:
                            self.retried.add(token.group(1))
                    break
                if event.status != 503 or self.stop.is_set():
                    break
                time.sleep(1)

    def probe(self, session: requests.Session) -> None:
        """A page that needs the database, every 0.2 s: when the outage began and ended."""
        while not self.stop.is_set():
            self.get(session, "probe", "/care/week/")
            time.sleep(0.2)

    def first_ok_after(self, t: float, kind: str = "probe") -> float | None:
        with self.lock:
            times = [e.at + e.took for e in self.events if e.kind == kind and e.at >= t and e.status == 200]
        return min(times) if times else None

    def answered_between(self, t0: float, t1: float) -> list[Event]:
        """The answers that arrived between ``t0`` and ``t1`` (whenever they were sent: a request
        waits in gunicorn's queue, then up to the pool's timeout for a connection)."""
        with self.lock:
            return [e for e in self.events if t0 <= e.at + e.took < t1]


def _median(values: list[float]) -> float:
    values = sorted(values)
    return values[len(values) // 2] if values else 0.0


def _statuses(events: list[Event]) -> str:
    counts = Counter(str(e.status) for e in events)
    return ", ".join(f"{status}×{n}" for status, n in sorted(counts.items())) or "none"


def drill_postgres_restart(site: Site, report: Report, args) -> None:
    report.title("drill: PostgreSQL restarted under load")
    site.prepare()
    pg = site.pg
    env = site.env(NUANXIN_DB_POOL_TIMEOUT=str(args.pool_timeout))
    with report.step(f"start nuanxin web (2 workers, NUANXIN_DB_POOL_TIMEOUT={args.pool_timeout})"):
        web = site.web(env, "web-restart")
    users = CARE_CONTACTS[: args.threads]
    load = Load(web.base, users)
    started_at = pg.query("SELECT now()")[0][0]
    threads = [threading.Thread(target=load.care_contact, args=(u,), daemon=True) for u in users]
    probe_session = sign_in(web.base, "demo-care")
    threads.append(threading.Thread(target=load.probe, args=(probe_session,), daemon=True))
    phases: list[tuple[str, float, float, float]] = []  # name, outage began, database back, recovered
    try:
        with report.step(f"load: {len(users)} care contacts ({', '.join(users)}) logging visits, a probe reading"):
            for t in threads:
                t.start()
            time.sleep(args.warmup)
            if load.errors:
                raise DrillError("; ".join(load.errors))
            master, workers_before = web.proc.pid, web.worker_pids()  # every worker has served by now
            report.out(f"   before the fault ({args.warmup:.0f} s): {_statuses(load.events)}; a page took "
                       f"{_median([e.took for e in load.events if e.status == 200]):.2f} s (median)")
        with report.step("pg_ctl restart -m fast (during the load)"):
            t0 = time.monotonic()
            pg.restart()
            t1 = time.monotonic()
        recovered = _wait_recovery(load, t1, args.recovery_limit)
        phases.append(("restart -m fast", t0, t1, recovered))
        time.sleep(args.settle)
        with report.step(f"pg_ctl stop -m fast, {args.outage:.0f} s down (longer than the pool's timeout), start"):
            t2 = time.monotonic()
            pg.stop("fast")
            time.sleep(args.outage)
            pg.start()
            t3 = time.monotonic()
        recovered = _wait_recovery(load, t3, args.recovery_limit)
        phases.append((f"{args.outage:.0f} s outage", t2, t3, recovered))
        time.sleep(args.settle)
    finally:
        load.stop.set()
        for t in threads:
            t.join(timeout=90)
    report.out(f"   requests: {len(load.events)}; visits sent {len(load.attempted)}, answered saved "
               f"{len(load.confirmed)}, of which saved when sent again after a 503: {len(load.retried)}")
    all_events = list(load.events)
    for name, t0, t1, recovered in phases:
        down = load.answered_between(t0, t1)
        after = load.answered_between(t1, recovered if recovered else t1 + args.recovery_limit)
        report.out(f"   {name}: answers while PostgreSQL was down: {_statuses(down)}; "
                   f"after it was back until the first page: {_statuses(after)}")
        if recovered is None:
            report.check(f"{name}: the service recovers without restarting Nuanxin", False,
                         f"no page answered 200 within {args.recovery_limit:.0f} s of the database being back")
        else:
            report.check(f"{name}: the service recovers without restarting Nuanxin", True,
                         f"{recovered - t1:.2f} s after the database was back; {recovered - t0:.2f} s of outage seen "
                         f"by the users")
            report.figure(f"postgres-restart: {name}: database back → pages answer",
                          f"{max(0.0, recovered - t1):.2f} s (outage seen by users {recovered - t0:.2f} s)")
    bad = [e for e in all_events if isinstance(e.status, int) and e.status >= 500 and e.status != 503]
    report.check("no 500 during the outage", not bad,
                 "; ".join(f"{e.kind} {e.status} {e.detail[:80]}" for e in bad[:5]))
    not_busy = [e for e in all_events if e.status == 503 and e.detail != "busy-page"]
    busy = [e for e in all_events if e.status == 503]
    report.check("every 503 is the “system busy” page with Retry-After", not not_busy,
                 f"{len(busy)} × 503" + (f", {len(not_busy)} not the busy page" if not_busy else ""))
    if phases:
        down = load.answered_between(phases[-1][1], phases[-1][2])
        busy_down = [e for e in down if e.status == 503]
        report.check("requests while PostgreSQL is down get the 503 page", bool(busy_down),
                     f"{len(busy_down)} of {len(down)} answers in the {args.outage:.0f} s outage were 503")
    refused = [e for e in all_events if not isinstance(e.status, int)]
    report.check("no connection refused or reset by the web server", not refused,
                 "; ".join(f"{e.kind} {e.status}" for e in refused[:5]))
    report.check("the web server was not restarted", web.alive() and web.proc.pid == master,
                 f"gunicorn master {master}, workers {sorted(workers_before)} → {sorted(web.worker_pids())}")
    _check_visits_whole(site, report, load, started_at)


def _wait_recovery(load: Load, since: float, limit: float) -> float | None:
    deadline = since + limit
    while time.monotonic() < deadline:
        ok = load.first_ok_after(since)
        if ok is not None:
            return ok
        time.sleep(0.1)
    return load.first_ok_after(since)


def _check_visits_whole(site: Site, report: Report, load: Load, started_at) -> None:
    """Every visit logged during the drill is whole: its audit row, its item, its week's duty
    done by the week's first visit; no audit row of a visit that is not there."""
    with report.step("check the saved visits in the database"):
        q = site.pg.query
        visits = q(
            """SELECT v.id, v.worker_id, v."on" FROM care_visit v JOIN accounts_user u ON u.id = v.recorded_by_id
               WHERE v.created_at >= %s AND u.username = ANY(%s)""", (started_at, list(load.users)),
        )
        ids = [v[0] for v in visits]
        audits = q(
            "SELECT object_id, count(*) FROM core_auditlog WHERE action = 'visit.record' AND at >= %s "
            "GROUP BY object_id",
            (started_at,),
        )
        audit_count = {int(k): n for k, n in audits}
        items = dict(q("SELECT visit_id, count(*) FROM care_visititem WHERE visit_id = ANY(%s) GROUP BY visit_id",
                       (ids,)))
        missing_audit = [i for i in ids if audit_count.get(i) != 1]
        orphan_audit = sorted(set(audit_count) - set(ids))
        missing_item = [i for i in ids if items.get(i) != 1]
        workers = sorted({v[1] for v in visits})
        wrong_duties = q(
            """SELECT d.id, d.status, d.visit_id, first.id FROM care_visitduty d
               LEFT JOIN LATERAL (SELECT v.id FROM care_visit v WHERE v.worker_id = d.worker_id
                   AND v."on" BETWEEN d.week AND d.week + 6 ORDER BY v."on", v.id LIMIT 1) first ON true
               WHERE d.worker_id = ANY(%s)
                 AND ((first.id IS NOT NULL AND (d.status <> 'done' OR d.visit_id IS DISTINCT FROM first.id))
                   OR (first.id IS NULL AND d.status = 'done'))""",
            (workers,),
        )
    report.out(f"   {len(ids)} visits saved during the drill, for {len(workers)} families")
    report.check("every visit saved has exactly one audit row (visit.record)", not missing_audit,
                 f"{len(missing_audit)} without" if missing_audit else f"{len(ids)} visits, {len(ids)} audit rows")
    report.check("no audit row of a visit that was not saved", not orphan_audit, str(orphan_audit[:10]))
    report.check("every visit saved has its item of necessities", not missing_item, str(missing_item[:10]))
    report.check("the families' duties agree with their visits (done by the week's first visit)", not wrong_duties,
                 f"{len(wrong_duties)} duties disagree: {wrong_duties[:3]}" if wrong_duties else
                 f"duties of {len(workers)} families checked")
    report.check(
        "saved visits: at least every one answered as saved, at most every one sent (no visit saved twice)",
        len(load.confirmed) <= len(ids) <= len(load.attempted),
        f"answered saved {len(load.confirmed)} ≤ saved {len(ids)} ≤ sent {len(load.attempted)}",
    )


# --- drill 2: the private storage full during an upload ----------------------------------------


def _files_under(root: Path, skip: frozenset[str] = frozenset()) -> list[str]:
    found = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.relpath(os.path.join(folder, name), root)
            if path not in skip:
                found.append(path)
    return sorted(found)


def _fill(directory: Path) -> int:
    """Write a filler file until the file system says ENOSPC; its size."""
    written = 0
    chunk = b"\0" * 4096
    with open(directory / "filler", "wb", buffering=0) as out:
        try:
            while True:
                written += out.write(chunk)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
    return written


def drill_storage_full(site: Site, report: Report, args) -> None:
    report.title("drill: the private storage full during an upload")
    site.prepare()
    full = site.root / "private-full"
    full.mkdir(mode=0o700)
    with report.step("mount a 1 MiB tmpfs as NUANXIN_PRIVATE_DIR and fill it"):
        try:
            run(["mount", "-t", "tmpfs", "-o", "size=1m,mode=0700", "nuanxin-drill", str(full)], timeout=30)
            site.stack.callback(lambda: run(["umount", "-l", str(full)], timeout=30))
        except (DrillError, OSError) as exc:
            raise DrillError(
                f"cannot mount a tmpfs here ({str(exc).splitlines()[0]}): the simulated full disk is the test "
                "nuanxin/tables/tests/test_storage_full.py (a storage raising ENOSPC)"
            ) from None
        report.out(f"   filler: {human_size(_fill(full))}; free now: {shutil.disk_usage(full).free} bytes")
    env = site.env()
    env["NUANXIN_PRIVATE_DIR"] = str(full)
    with report.step("start nuanxin web on the full storage"):
        web = site.web(env, "web-full")
    q = site.pg.query
    counts_sql = """SELECT (SELECT count(*) FROM registry_importbatch), (SELECT count(*) FROM core_attachment),
                           (SELECT count(*) FROM core_auditlog WHERE action IN ('import.upload', 'attachment.store'))"""
    before = q(counts_sql)[0]
    files_before = _files_under(full)
    with report.step(f"{IMPORT_ADMIN} uploads {SAMPLE_TABLE.name} on the import page"):
        session = sign_in(web.base, IMPORT_ADMIN)
        page = session.get(web.base + "/register/imports/", timeout=60)
        csrf, org = CSRF_RE.search(page.text), ORG_OPTION_RE.search(page.text)
        if page.status_code != 200 or not csrf or not org:
            raise DrillError(f"the import page answered {page.status_code} without its form")
        with open(SAMPLE_TABLE, "rb") as fh:
            answer = session.post(
                web.base + "/register/imports/",
                data={"csrfmiddlewaretoken": csrf.group(1), "organisation": org.group(1)},
                files={"file": (SAMPLE_TABLE.name, fh)}, headers={"Referer": web.base + "/register/imports/"},
                allow_redirects=False, timeout=120,
            )
    report.check("the upload page answers with the form again (not a 500)", answer.status_code == 200,
                 f"HTTP {answer.status_code}")
    if STORAGE_FULL_ZH in answer.text:
        report.check("a clear message in Chinese", True, _sentence(answer.text, STORAGE_FULL_ZH))
    else:
        report.check("a clear message in Chinese", False, (
            "only the English text (the catalogue lacks the translation: /tmp/i18n/drills.json)"
            if STORAGE_FULL_EN in answer.text else "no storage-full message on the page"))
    after = q(counts_sql)[0]
    report.check("no batch, attachment or upload audit row written", after == before,
                 f"(batches, attachments, audit rows) {tuple(before)} → {tuple(after)}")
    files_after = _files_under(full)
    report.check("no file (not even a partial one) left in the storage", files_after == files_before,
                 f"files: {files_after}")
    log = (site.root / "web-full.log").read_text(errors="replace")
    report.check("the log tells the operator the storage is full", "Private storage full" in log)
    with report.step("free the space and upload again"):
        (full / "filler").unlink()
        page = session.get(web.base + "/register/imports/", timeout=60)
        with open(SAMPLE_TABLE, "rb") as fh:
            again = session.post(
                web.base + "/register/imports/",
                data={"csrfmiddlewaretoken": CSRF_RE.search(page.text).group(1), "organisation": org.group(1)},
                files={"file": (SAMPLE_TABLE.name, fh)}, headers={"Referer": web.base + "/register/imports/"},
                allow_redirects=False, timeout=120,
            )
    report.check("once space is freed the same upload succeeds", again.status_code == 302,
                 f"HTTP {again.status_code} → {again.headers.get('Location', '')}")
    web.stop()


def _sentence(page: str, mark: str) -> str:
    start = page.index(mark)
    return re.sub(r"\s+", " ", page[start:start + 80]).split("<")[0]


# --- drill 3: backup and restore ---------------------------------------------------------------


KEY_TABLES = ("registry_worker", "care_visit", "core_auditlog", "core_attachment", "accounts_user")


def _upload_attachments(site: Site, report: Report, count: int) -> None:
    """A few table uploads through the page: each keeps its file as an attachment until read,
    so also attach some of the demo's own PDFs (receipts) if there are none."""
    with report.step(f"upload {count} tables through the import page (each kept as an attachment)"):
        web = site.web(site.env(), "web-backup")
        session = sign_in(web.base, IMPORT_ADMIN)
        data = SAMPLE_TABLE.read_bytes()
        for n in range(count):
            page = session.get(web.base + "/register/imports/", timeout=60)
            org = ORG_OPTION_RE.search(page.text)
            answer = session.post(
                web.base + "/register/imports/",
                data={"csrfmiddlewaretoken": CSRF_RE.search(page.text).group(1), "organisation": org.group(1)},
                files={"file": (f"drill-{n}.xlsx", data)}, headers={"Referer": web.base + "/register/imports/"},
                allow_redirects=False, timeout=120,
            )
            if answer.status_code != 302:
                raise DrillError(f"upload {n} answered {answer.status_code}")
        web.stop()
    # the importer reads an upload and deletes it; attachments of other kinds stay: store a few
    # the way the app does, through the storage API, so the backup has files to compare
    code = (
        "from nuanxin.core import attachments\n"
        "from nuanxin.core.policy import SYSTEM\n"
        "from nuanxin.registry.import_models import ImportBatch\n"
        f"data = open({str(SAMPLE_TABLE)!r}, 'rb').read()\n"
        "from nuanxin.tables.imports.storage import TABLE_KINDS\n"
        f"for n, batch in enumerate(ImportBatch.objects.order_by('-pk')[:{count}]):\n"
        "    if not attachments.for_owner(batch).exists():\n"
        "        attachments.store(actor=SYSTEM, owner=batch, uploaded_file=data + b'', kinds=TABLE_KINDS,\n"
        "                          name=f'kept-{n}.xlsx')\n"
    )
    with report.step("keep those tables as attachments (attachments.store through the storage API)"):
        nuanxin(site.env(), "shell", "-c", code)


def _pending_migrations(env: dict) -> list[str]:
    """The migrations not applied (``migrate --check`` fails): from ``showmigrations --plan``."""
    try:
        nuanxin(env, "migrate", "--check", "-v", "0")
        return []
    except DrillError:
        plan = nuanxin(env, "showmigrations", "--plan")
        return [line.split("]", 1)[1].strip() for line in plan.splitlines() if line.startswith("[ ]")]


def _table_counts(pg: PrivatePostgres, db: str) -> dict[str, int]:
    tables = [t for (t,) in pg.query(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename", db=db)]
    with pg.connect(db) as conn:
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _sample_rows(pg: PrivatePostgres, db: str, table: str, ids: list) -> list[tuple]:
    with pg.connect(db) as conn:
        return conn.execute(f'SELECT * FROM "{table}" WHERE id = ANY(%s) ORDER BY id', (ids,)).fetchall()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def drill_backup_restore(site: Site, report: Report, args) -> None:
    report.title("drill: backup (pg_dump + storage) restored on a fresh database")
    site.prepare()
    pg = site.pg
    _upload_attachments(site, report, args.attachments)
    backup = site.root / "backup"
    backup.mkdir()
    dump, archive = backup / "nuanxin.dump", backup / "private.tar.gz"
    with report.step("pg_dump -Fc (the database first)"):
        run([pg.tool("pg_dump"), "-Fc", "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-d", site.db,
             "-f", str(dump)], timeout=1800)
    db_size = pg.query("SELECT pg_database_size(current_database())")[0][0]
    report.figure("backup-restore: database size", human_size(db_size))
    report.figure("backup-restore: dump size (pg_dump -Fc)", human_size(dump.stat().st_size))
    with report.step("tar the private storage (after the database)"):
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(site.private, arcname="private")
    files = _files_under(site.private)
    storage_bytes = sum((site.private / f).stat().st_size for f in files)
    report.figure("backup-restore: storage", f"{len(files)} files, {human_size(storage_bytes)}; "
                  f"archive {human_size(archive.stat().st_size)}")
    restored_db, restored_private = "nuanxin_restored", site.root / "private-restored"
    timings = {}
    with report.step("restore: createdb + pg_restore into a fresh database"):
        t = time.monotonic()
        pg.create_db(restored_db)
        run([pg.tool("pg_restore"), "-h", "127.0.0.1", "-p", str(pg.port), "-U", "postgres", "-d", restored_db,
             "--no-owner", "--exit-on-error", str(dump)], timeout=3600)
        timings["pg_restore"] = time.monotonic() - t
    with report.step("restore: untar the storage into a fresh directory"):
        t = time.monotonic()
        unpack = site.root / "unpack"
        unpack.mkdir()
        with tarfile.open(archive) as tar:
            tar.extractall(unpack, filter="tar")
        (unpack / "private").rename(restored_private)
        timings["storage"] = time.monotonic() - t
    with report.step("check: row counts of every table"):
        t = time.monotonic()
        original, restored = _table_counts(pg, site.db), _table_counts(pg, restored_db)
        differ = {k: (original.get(k), restored.get(k)) for k in set(original) | set(restored)
                  if original.get(k) != restored.get(k)}
        report.check("every table has the same number of rows", not differ,
                     f"{len(original)} tables, {sum(original.values()):,} rows" if not differ else str(differ)[:300])
    with report.step(f"check: {args.sample} random rows of {', '.join(KEY_TABLES)} column by column"):
        rng = random.Random(args.seed)
        for table in KEY_TABLES:
            ids = [i for (i,) in pg.query(f'SELECT id FROM "{table}"', db=site.db)]
            chosen = rng.sample(ids, min(args.sample, len(ids)))
            a, b = _sample_rows(pg, site.db, table, chosen), _sample_rows(pg, restored_db, table, chosen)
            first = next(((x, y) for x, y in zip(a, b, strict=False) if x != y), None)
            report.check(f"{table}: {len(chosen)} sampled rows equal", a == b and len(a) == len(chosen),
                         "" if a == b else f"first difference: {first}"[:300])
    with report.step("check: every attachment's file present with the same SHA-256"):
        rows = pg.query("SELECT id, storage_name, sha256, size FROM core_attachment", db=restored_db)
        bad = []
        for pk, name, sha, size in rows:
            path = restored_private / name
            if not path.is_file() or path.stat().st_size != size or _sha256(path) != sha:
                bad.append(pk)
        report.check("every attachment's file is there with its SHA-256", bool(rows) and not bad,
                     f"{len(rows)} attachments" + (f", {len(bad)} missing or different: {bad[:10]}" if bad else ""))
        timings["checks"] = time.monotonic() - t
    restored_env = app_env(database_url=pg.url(restored_db), var_dir=site.var, private_dir=restored_private)
    with report.step("the application on the restored copy: migrate --check, /readyz, sign-in, pages"):
        t = time.monotonic()
        pending = _pending_migrations(restored_env)
        if pending:  # the code may be newer than the database the drill built (a migration added since)
            pending_original = _pending_migrations(site.env())
            report.check("no migration pending on the restored copy beyond the original's",
                         pending == pending_original,
                         f"pending on both (code newer than the drill's database): {', '.join(pending)}"
                         if pending == pending_original else f"restored {pending}, original {pending_original}")
        else:
            report.check("no migration pending (migrate --check)", True)
        web = site.web(restored_env, "web-restored")
        ready = requests.get(web.base + "/readyz", timeout=30)
        report.check("/readyz answers 200", ready.status_code == 200, f"{ready.status_code} {ready.text[:120]}")
        session = sign_in(web.base, "demo-care")
        week = session.get(web.base + "/care/week/", timeout=60)
        report.check("a care contact signs in and reads this week's families", week.status_code == 200 and bool(
            FAMILY_RE.search(week.text)), f"HTTP {week.status_code}")
        admin = sign_in(web.base, IMPORT_ADMIN)
        attachment = pg.query(
            "SELECT a.id FROM core_attachment a JOIN django_content_type c ON c.id = a.owner_type_id "
            "WHERE c.model = 'importbatch' ORDER BY a.id DESC LIMIT 1", db=restored_db)
        if attachment:
            got = admin.get(web.base + f"/attachments/{attachment[0][0]}/", timeout=60)
            want = pg.query("SELECT sha256 FROM core_attachment WHERE id = %s", (attachment[0][0],), db=restored_db)
            report.check("an attachment downloads from the restored storage, same SHA-256",
                         got.status_code == 200 and hashlib.sha256(got.content).hexdigest() == want[0][0],
                         f"HTTP {got.status_code}")
        web.stop()
        timings["application"] = time.monotonic() - t
    total = timings["pg_restore"] + timings["storage"]
    report.figure("backup-restore: restore (pg_restore + storage)",
                  f"{total:.1f} s (pg_restore {timings['pg_restore']:.1f} s, storage {timings['storage']:.1f} s)")
    report.figure("backup-restore: checks", f"{timings['checks']:.1f} s; application up on the copy "
                  f"{timings['application']:.1f} s")


# --- main ------------------------------------------------------------------------------------------


DRILLS = {
    "postgres-restart": drill_postgres_restart,
    "storage-full": drill_storage_full,
    "backup-restore": drill_backup_restore,
}


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] + " Runs on a private PostgreSQL; see docs/operations.md (故障演练).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=(
            "drills:\n"
            "  postgres-restart  care contacts log visits while PostgreSQL restarts (pg_ctl restart -m fast),\n"
            "                    then is down longer than the pool's timeout: 503 \"system busy\" pages, no 500,\n"
            "                    nothing saved half, recovery without restarting Nuanxin (time printed)\n"
            "  storage-full      a table uploaded while the private storage (a tiny tmpfs) is full: a clear\n"
            "                    message in Chinese, no batch, no attachment, no partial file\n"
            "  backup-restore    pg_dump -Fc and a tar of the storage restored into a fresh database and directory:\n"
            "                    row counts, sampled rows, attachments' SHA-256, the application works\n"
            "  all               the three on one private PostgreSQL\n"
            "exit status: 0 all checks passed, 1 a check failed, 2 a drill could not run, 130 interrupted"
        ),
    )
    parser.add_argument("drill", choices=[*DRILLS, "all"], help="which drill to run")
    parser.add_argument("--threads", type=int, default=5, help="care contacts logging visits at once (1-5, default 5)")
    parser.add_argument("--warmup", type=float, default=10, help="seconds of load before the fault (default 10)")
    parser.add_argument("--settle", type=float, default=5, help="seconds of load after recovery (default 5)")
    parser.add_argument("--outage", type=float, default=12,
                        help="seconds PostgreSQL stays down in the second fault (default 12)")
    parser.add_argument("--pool-timeout", type=float, default=5,
                        help="NUANXIN_DB_POOL_TIMEOUT of the drill's web server (default 5)")
    parser.add_argument("--recovery-limit", type=float, default=30,
                        help="a check fails if pages do not answer within this many seconds (default 30)")
    parser.add_argument("--attachments", type=int, default=3, help="tables uploaded before the backup (default 3)")
    parser.add_argument("--sample", type=int, default=50, help="rows compared per key table (default 50)")
    parser.add_argument("--seed", type=int, default=17, help="random seed of the sample")
    parser.add_argument("--keep", action="store_true", help="keep /tmp/nuanxin-drill-* (logs, dump) afterwards")
    parser.add_argument("--pg-bin", type=Path, default=PG_BIN, help="PostgreSQL's programs (default %(default)s)")
    args = parser.parse_args(argv)
    args.threads = max(1, min(args.threads, len(CARE_CONTACTS)))
    PrivatePostgres.bin = args.pg_bin
    if not (args.pg_bin / "initdb").exists():
        print(f"drills: {args.pg_bin}/initdb not found (--pg-bin)", file=sys.stderr)
        return 2
    signal.signal(signal.SIGTERM, _raise_interrupt)
    report = Report()
    names = list(DRILLS) if args.drill == "all" else [args.drill]
    status = 0
    with contextlib.ExitStack() as stack:
        try:
            site = Site(report, stack, args.keep)
            for name in names:
                try:
                    DRILLS[name](site, report, args)
                except DrillError as exc:
                    report.check(f"{name}: the drill ran to its end", False, str(exc))
                    status = 2
                except (Exception, AssertionError) as exc:  # a bug or a surprise: said, and the next drill runs
                    traceback.print_exc()
                    report.check(f"{name}: the drill ran to its end", False, f"{type(exc).__name__}: {exc}")
                    status = 2
        except KeyboardInterrupt:
            report.out("\ninterrupted: stopping everything the drills started")
            status = 130
        finally:
            report.out("\n-> stopping the servers and PostgreSQL the drills started" +
                       ("" if not args.keep else f" (kept: {site.root})"))
    report.summary()
    if status == 0 and report.failures:
        status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
