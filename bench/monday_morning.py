"""Monday morning on PostgreSQL: 500 care contacts sign in and log a visit while admins read.

    make bench BENCH_ARGS="monday_morning"                         # 1,000,000 workers, 1 and 2 nodes
    .venv/bin/python -m bench monday_morning -- --quick            # 100,000 workers, a quick look
    .venv/bin/python -m bench monday_morning -- --reuse-db --keep-db   # the kept database again

The data is the care benchmark's (``bench.care_scale.build_database``: a city of 10 districts ×
20 units, N workers, a tenth of them aid-team families visited weekly over 52 weeks, a care
contact per 10 families), loaded into its own database (``--db-name``, default
``nuanxin_bench_monday``) on the server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/test) and dropped at the end unless ``--keep-db``;
``--reuse-db`` measures a kept one. The benchmark gives the users it signs in a known password
(one Argon2 hash written by SQL: the server verifies it with its production hasher, so every
sign-in pays Argon2, reported apart), creates the admins (``mm-admin-NN``: city and district
administrators, with an authenticator, as production requires of admins) and starts the
production server as configured by default: ``nuanxin web`` (gunicorn, NUANXIN_WEB_WORKERS
workers: 2 per core unless set) with ``NUANXIN_ENV=production`` behind a proxy
(``NUANXIN_BEHIND_PROXY=1``: the client sends ``X-Forwarded-Proto: https`` and each simulated
user its own ``X-Forwarded-For`` address, as 500 phones would have), on 127.0.0.1, stopped at
the end.

The load (a light asyncio client, one HTTP/1.1 connection per request as a browser behind a
proxy would use, all in this process):

- ``--contacts`` (500) care contacts at once, each: the sign-in page, signing in, 本周走访
  (``/care/week/``), the form of a visit to their first family, the form posted with its CSRF
  token (the visit recorded), the family's page it redirects to;
- ``--admins`` (50) admins, each signing in (password and code) then opening the care overview
  (one in ten the city's, the others their district's) again and again until the contacts are
  done, ``--think`` seconds apart;
- ``--searchers`` (20) admins opening the register list searched for a name (``--search``);
- a probe reading the trivial page (``/healthz``) throughout, for the ratios.

It prints throughput, p50/p95/p99 per step, errors by kind, the database connections used (peak
of ``pg_stat_activity`` sampled every 0.25 s) and the CPU the web workers and the database's
backends took, and each step's p95 against the trivial page's p95 of the same run: targets no
error, every ratio ≤ 3 ×, the overview's p95 under 300 ms (met / not met, never a failure).
Then the same with ``--nodes 2`` web servers (two ``nuanxin web`` on two ports, the requests
spread round-robin by the client; other contacts sign in), and how throughput grows. With one
node it also measures each page one request at a time (p95 against the trivial page's: target
≤ 5 ×) and 本周走访 under ``--week-users`` (50) users at once (requests/s; target ≥ 150/s).
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import html
import os
import random
import re
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from bench import care_scale
from bench._process import stop_group

BENCH_DB = "nuanxin_bench_monday"
PASSWORD = "Montag-Morgen-2026"
ROOT = Path(__file__).resolve().parent.parent
TICKS = os.sysconf("SC_CLK_TCK")
REQUEST_TIMEOUT = 300.0  # a browser's patience (--timeout)
# The tables a request writes rows into (counted before and after each phase: rows per action).
WRITTEN = ("core_auditlog", "care_historicalvisit", "care_visititem", "core_idempotencykey", "django_session",
           "accounts_loginattempt")  # fmt: skip


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


# --- the users ---------------------------------------------------------------------------------


def argon2_hash_and_cost() -> tuple[str, float]:
    """One Django Argon2 hash of PASSWORD (the production hasher, its default parameters) and
    the median milliseconds of verifying it here."""
    from django.conf import settings

    if not settings.configured:
        settings.configure()
    from django.contrib.auth.hashers import Argon2PasswordHasher

    hasher = Argon2PasswordHasher()
    encoded = hasher.encode(PASSWORD, hasher.salt())
    times = []
    for _ in range(5):
        t = time.perf_counter()
        assert hasher.verify(PASSWORD, encoded)
        times.append((time.perf_counter() - t) * 1000)
    return encoded, sorted(times)[2]


def _connect(url: str):
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True)


def prepare_users(url: str, contacts: int, admins: int, searchers: int, encoded: str) -> dict:
    """Give ``2 × contacts`` care contacts (two runs, each its own) the known password and create
    the admins with an authenticator. Returns the usernames and the admins' TOTP secrets."""
    import pyotp

    with _connect(url) as conn:
        all_contacts = [
            r[0]
            for r in conn.execute(
                """
                SELECT u.username FROM accounts_user u
                WHERE u.username LIKE 'bc-%%'
                  AND EXISTS (SELECT 1 FROM care_careassignment a WHERE a.contact_id = u.id AND a.ended_at IS NULL)
                ORDER BY u.id
                """
            ).fetchall()
        ]
        if len(all_contacts) < contacts:
            raise SystemExit(f"monday_morning: {len(all_contacts)} care contacts in the data, {contacts} asked for")
        # spread over the units: every k-th contact; two disjoint sets when there are enough
        picks = min(len(all_contacts), 2 * contacts)
        step = len(all_contacts) / picks
        chosen = [all_contacts[int(i * step)] for i in range(picks)]
        conn.execute("UPDATE accounts_user SET password = %s WHERE username = ANY(%s)", [encoded, chosen])
        root = conn.execute("SELECT id FROM orgs_organisation WHERE code = 'BC'").fetchone()[0]
        districts = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM orgs_organisation WHERE code ~ '^BC-D[0-9]+$' ORDER BY code"
            ).fetchall()
        ]
        names, secrets_by_user = [], {}
        for i in range(admins + searchers):
            city = i % 10 == 0
            org = root if city else districts[i % len(districts)]
            username = f"mm-admin-{i:03d}"
            conn.execute(
                """
                INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email,
                    is_staff, is_active, date_joined, full_name, mobile, organisation_id, session_generation)
                VALUES (%s, false, %s, '', '', '', false, true, now(), %s, '', %s, 0)
                ON CONFLICT (username) DO UPDATE SET password = EXCLUDED.password
                """,
                [encoded, username, f"基准管理员{i}", org],
            )
            user_id = conn.execute("SELECT id FROM accounts_user WHERE username = %s", [username]).fetchone()[0]
            conn.execute(
                """
                INSERT INTO orgs_grant (role, created_at, user_id, organisation_id)
                SELECT %s, now(), %s, %s
                WHERE NOT EXISTS (SELECT 1 FROM orgs_grant WHERE user_id = %s)
                """,
                ["city_admin" if city else "org_admin", user_id, org, user_id],
            )
            secret = pyotp.random_base32()
            conn.execute("DELETE FROM accounts_totpdevice WHERE user_id = %s", [user_id])
            conn.execute(
                """
                INSERT INTO accounts_totpdevice (user_id, secret, confirmed_at, last_used_step, created_at)
                VALUES (%s, %s, now(), 0, now())
                """,
                [user_id, secret],
            )
            names.append(username)
            secrets_by_user[username] = secret
        # the previous runs' sign-in attempts would count towards a lockout
        conn.execute("DELETE FROM accounts_loginattempt")
    return {
        "contacts": [chosen[: len(chosen) // 2], chosen[len(chosen) // 2 :]]
        if picks >= 2 * contacts
        else [chosen[:contacts], chosen[:contacts]],
        "admins": names[:admins],
        "searchers": names[admins:],
        "secrets": secrets_by_user,
        "city_admins": {n for i, n in enumerate(names) if i % 10 == 0},
    }


def written_counts(url: str) -> dict[str, int]:
    with _connect(url) as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in WRITTEN}


def print_written(before: dict, after: dict, actions: int, what: str) -> None:
    if not actions:
        return
    parts = [f"{t} {(after[t] - before[t]) / actions:.2f}" for t in WRITTEN if after[t] != before[t]]
    print(f"  rows written per {what}: " + ", ".join(parts))


def print_tables(url: str, limit: int = 14) -> None:
    """The largest tables of the database: rows (the statistics' count) and size with indexes."""
    with _connect(url) as conn:
        rows = conn.execute(
            """
            SELECT relname, n_live_tup, pg_total_relation_size(relid), pg_relation_size(relid)
            FROM pg_stat_user_tables ORDER BY pg_total_relation_size(relid) DESC LIMIT %s
            """,
            [limit],
        ).fetchall()
        database = conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    print(
        "\n== the largest tables (pg_total_relation_size: with indexes and TOAST; "
        f"database {database / 2**30:.2f} GiB) =="
    )
    print(f"  {'table':<30} {'rows':>12} {'total':>10} {'heap':>10} {'bytes a row':>12}")
    for name, count, total, heap in rows:
        per_row = f"{total / count:.0f}" if count else "-"
        print(f"  {name:<30} {count:>12,} {total / 2**20:>8.1f} M {heap / 2**20:>8.1f} M {per_row:>12}")


# --- the servers -------------------------------------------------------------------------------


def server_env(url: str, var_dir: str) -> dict:
    env = dict(os.environ)  # NUANXIN_WEB_* and NUANXIN_DB_POOL_* as the operator set them, or the defaults
    env.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "nuanxin.settings",
            "NUANXIN_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "NUANXIN_BEHIND_PROXY": "1",
            "NUANXIN_VAR_DIR": var_dir,
        }
    )
    return env


def nuanxin_command() -> list[str]:
    script = Path(sys.executable).parent / "nuanxin"
    return [str(script)] if script.exists() else [sys.executable, "-m", "nuanxin.cli"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_web(env: dict, port: int, log_path: Path) -> subprocess.Popen:
    """``nuanxin web`` on 127.0.0.1:port (its own process group), once /healthz answers."""
    log = open(log_path, "ab")
    process = subprocess.Popen(
        [*nuanxin_command(), "web", "--host", "127.0.0.1", "--port", str(port)],
        cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    log.close()
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"nuanxin web exited with {process.returncode} before answering (log: {log_path})")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
                s.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\n"
                          b"Connection: close\r\n\r\n")  # fmt: skip
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return process
        except OSError:
            pass
        time.sleep(0.5)
    stop_web(process)
    raise RuntimeError(f"nuanxin web did not answer /readyz within 90 s (log: {log_path})")


def stop_web(process: subprocess.Popen) -> None:
    stop_group(process, grace=40)


def web_workers(env: dict) -> int:
    out = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; import django; django.setup(); "
         "print(settings.NUANXIN_WEB_WORKERS, settings.NUANXIN_DB_POOL_MAX)"],
        cwd=str(ROOT), env=env, stdout=subprocess.PIPE, text=True, check=True,
    )  # fmt: skip
    return int(out.stdout.split()[0]), int(out.stdout.split()[1])


# --- what the machine does during a run ---------------------------------------------------------


def _ticks(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/stat", "rb") as fh:
            fields = fh.read().rsplit(b")", 1)[1].split()
        return int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return None


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as fh:
            return [int(p) for p in fh.read().split()]
    except OSError:
        return []


def _machine() -> tuple[int, int]:
    with open("/proc/stat") as fh:
        values = [int(v) for v in fh.readline().split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


class Sampler(threading.Thread):
    """Every 0.25 s: the connections to the bench database (pg_stat_activity) and the CPU ticks
    of its backends and of the web servers' processes."""

    def __init__(self, admin_url: str, db_name: str, servers: list[subprocess.Popen]):
        super().__init__(daemon=True)
        self.admin_url, self.db_name, self.servers = admin_url, db_name, servers
        self.stopping = threading.Event()
        self.peak_total = self.peak_active = 0
        self.max_connections = "?"
        self.first: dict[tuple[str, int], int] = {}
        self.last: dict[tuple[str, int], int] = {}
        self.machine_start = self.machine_end = (0, 0)
        self.wall = self.client_cpu = self.load = 0.0

    def _seen(self, kind: str, pid: int) -> None:
        ticks = _ticks(pid)
        if ticks is not None:
            self.first.setdefault((kind, pid), ticks)
            self.last[(kind, pid)] = ticks

    def run(self) -> None:
        self.machine_start = _machine()
        with _connect(self.admin_url) as conn:
            self.max_connections = conn.execute("SHOW max_connections").fetchone()[0]
            while True:
                rows = conn.execute(
                    "SELECT pid, state FROM pg_stat_activity WHERE datname = %s", [self.db_name]
                ).fetchall()
                self.peak_total = max(self.peak_total, len(rows))
                self.peak_active = max(self.peak_active, sum(1 for _pid, state in rows if state == "active"))
                for pid, _state in rows:
                    self._seen("db", pid)
                for server in self.servers:
                    self._seen("web", server.pid)
                    for child in _children(server.pid):
                        self._seen("web", child)
                if self.stopping.wait(0.25):
                    break
        self.machine_end = _machine()

    def cpu_seconds(self, kind: str) -> float:
        return sum(self.last[k] - self.first[k] for k in self.last if k[0] == kind) / TICKS

    def machine_busy(self) -> float:
        busy = self.machine_end[0] - self.machine_start[0]
        total = self.machine_end[1] - self.machine_start[1]
        return busy / total if total else 0.0


# --- the client ----------------------------------------------------------------------------------


@dataclass
class Reply:
    status: int
    headers: dict[str, list[str]]
    body: bytes

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[0] if values else ""

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class FormParser(HTMLParser):
    """The POST forms of a page: their action and the values a browser would send (no submit
    buttons: the visit form's "add a row" buttons would only add a row)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = {"action": a.get("action", ""), "method": a.get("method", "get").lower(), "fields": []}
            self.forms.append(self._form)
        if self._form is None:
            return
        fields = self._form["fields"]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in {"submit", "button", "image", "reset", "file"}:
                return
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    fields.append([a["name"], a.get("value", "on")])
                elif kind == "radio":
                    self._form.setdefault("radios", {}).setdefault(a["name"], a.get("value", "on"))
                return
            fields.append([a["name"], a.get("value", "")])
        elif tag == "textarea" and a.get("name"):
            self._textarea = a["name"]
            fields.append([a["name"], ""])
        elif tag == "select" and a.get("name"):
            self._select = a["name"]
            fields.append([a["name"], None])
        elif tag == "option" and self._select:
            current = next(f for f in reversed(fields) if f[0] == self._select)
            if current[1] is None or "selected" in a:
                current[1] = a.get("value", "")

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][-1][1] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "form":
            self._form = None


def post_forms(page: str) -> list[dict]:
    parser = FormParser()
    parser.feed(page)
    result = []
    for form in parser.forms:
        if form["method"] != "post":
            continue
        names = {f[0] for f in form["fields"]}
        for name, value in form.get("radios", {}).items():
            if name not in names:
                form["fields"].append([name, value])  # a radio with none checked: a tap on the first
        form["fields"] = [(k, v or "") for k, v in form["fields"]]
        result.append(form)
    return result


def _dechunk(body: bytes) -> bytes:
    out, rest = bytearray(), body
    while rest:
        line, _, rest = rest.partition(b"\r\n")
        size = int(line.split(b";")[0] or b"0", 16)
        if size == 0:
            break
        out += rest[:size]
        rest = rest[size + 2 :]
    return bytes(out)


@dataclass
class Run:
    """The figures of one load: request times (ms) per step, errors by kind, counts."""

    ports: list[int]
    times: dict[str, list[float]] = field(default_factory=lambda: collections.defaultdict(list))
    errors: collections.Counter = field(default_factory=collections.Counter)
    requests: int = 0
    turn: int = 0

    def next_port(self) -> int:
        self.turn += 1
        return self.ports[self.turn % len(self.ports)]


class Browser:
    """One simulated user: its cookies, its address (X-Forwarded-For) and its node choice."""

    def __init__(self, run: Run, address: str):
        self.run, self.address, self.cookies = run, address, {}
        self.signed_in = False

    async def fetch(self, step: str | None, method: str, path: str, data=None) -> Reply | None:
        run = self.run
        port = run.next_port()
        body = urlencode(data).encode() if data is not None else b""
        lines = [
            f"{method} {path} HTTP/1.1",
            f"Host: 127.0.0.1:{port}",
            "Connection: close",
            "User-Agent: nuanxin-bench-monday",
            "Accept: text/html",
            "Accept-Language: zh-hans",
            "X-Forwarded-Proto: https",
            f"X-Forwarded-For: {self.address}",
        ]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        if method == "POST":
            lines += [
                f"Origin: https://127.0.0.1:{port}",
                f"Referer: https://127.0.0.1:{port}{path}",
                "Content-Type: application/x-www-form-urlencoded",
                f"Content-Length: {len(body)}",
            ]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        started = time.perf_counter()
        try:
            reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), REQUEST_TIMEOUT)
            try:
                writer.write(raw)
                await writer.drain()
                answer = await asyncio.wait_for(reader.read(), REQUEST_TIMEOUT)
            finally:
                writer.close()
        except TimeoutError:
            run.errors[f"{step or path}: no answer within {REQUEST_TIMEOUT:.0f} s"] += 1
            return None
        except OSError as exc:
            run.errors[f"{step or path}: {type(exc).__name__}"] += 1
            return None
        elapsed = (time.perf_counter() - started) * 1000
        head, _, content = answer.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1."):
            run.errors[f"{step or path}: no HTTP answer"] += 1
            return None
        head_lines = head.decode("latin-1").split("\r\n")
        status = int(head_lines[0].split()[1])
        headers: dict[str, list[str]] = collections.defaultdict(list)
        for line in head_lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()].append(value.strip())
        if "chunked" in ",".join(headers.get("transfer-encoding", [])).lower():
            content = _dechunk(content)
        for cookie in headers.get("set-cookie", []):
            pair = cookie.split(";", 1)[0]
            name, _, value = pair.partition("=")
            if value and "max-age=0" not in cookie.lower():
                self.cookies[name.strip()] = value.strip()
            else:
                self.cookies.pop(name.strip(), None)
        run.requests += 1
        if step is not None:
            run.times[step].append(elapsed)
        return Reply(status, headers, content)

    async def expect(self, step: str, method: str, path: str, status: int, data=None) -> Reply | None:
        reply = await self.fetch(step, method, path, data)
        if reply is not None and reply.status != status:
            self.run.errors[f"{step}: HTTP {reply.status}"] += 1
            return None
        return reply

    async def sign_in(self, username: str, next_path: str, secret: str | None = None) -> bool:
        page = await self.expect("sign-in page", "GET", "/accounts/login/?" + urlencode({"next": next_path}), 200)
        if page is None:
            return False
        form = next((f for f in post_forms(page.text) if "password" in dict(f["fields"])), None)
        if form is None:
            self.run.errors["sign-in page: no form"] += 1
            return False
        data = dict(form["fields"]) | {"username": username, "password": PASSWORD, "next": next_path}
        signed = await self.fetch("sign in (Argon2)", "POST", "/accounts/login/", data)
        if signed is None:
            return False
        if signed.status != 302:
            refused = " (the form again: refused, e.g. locked out)" if signed.status == 200 else ""
            self.run.errors[f"sign in: HTTP {signed.status}{refused}"] += 1
            return False
        location = urlsplit(signed.header("location")).path
        if location.endswith("/login/code/"):
            if secret is None:
                self.run.errors["sign in: a code asked of a care contact"] += 1
                return False
            import pyotp

            code_page = await self.expect("sign-in code page", "GET", location, 200)
            if code_page is None:
                return False
            form = next((f for f in post_forms(code_page.text) if "code" in dict(f["fields"])), None)
            if form is None:
                self.run.errors["sign-in code page: no form"] += 1
                return False
            data = dict(form["fields"]) | {"code": pyotp.TOTP(secret).now()}
            if await self.expect("sign-in code", "POST", location, 302, data) is None:
                return False
        self.signed_in = True
        return True


async def _pause(seconds: float) -> None:
    if seconds > 0:
        await asyncio.sleep(random.uniform(0.5, 1.5) * seconds)


VISIT_LINK = re.compile(r'href="(/care/families/\d+/visit/[^"]*)"')
FAMILY_LINK = re.compile(r'href="(/care/families/\d+/)[^"]*"')


async def care_contact(browser: Browser, think: float, logged: list) -> None:
    """A signed-in care contact: 本周走访, the visit form of the first family to visit (or, when
    every family is visited, of the first family), the form posted, the family's page."""
    run = browser.run
    week = await browser.expect("本周走访 /care/week/", "GET", "/care/week/", 200)
    if week is None:
        return
    match = VISIT_LINK.search(week.text) or FAMILY_LINK.search(week.text)
    if match is None:
        run.errors["本周走访: no family on the page"] += 1
        return
    form_path = html.unescape(match.group(1))
    if not VISIT_LINK.match(f'href="{form_path}"'):
        form_path = form_path.split("?")[0] + "visit/"
    await _pause(think)
    page = await browser.expect("visit form (GET)", "GET", form_path, 200)
    if page is None:
        return
    form = next((f for f in post_forms(page.text) if "mode" in dict(f["fields"])), None)
    if form is None:
        run.errors["visit form: no form"] += 1
        return
    data = dict(form["fields"])
    data.update({"on": date.today().isoformat(), "mode": data.get("mode") or "home", "notes": "周一走访（基准）"})
    await _pause(think)
    saved = await browser.fetch("log a visit (POST)", "POST", html.unescape(form["action"]) or form_path, data)
    if saved is None:
        return
    if saved.status != 302:
        run.errors[f"log a visit: HTTP {saved.status}" + (" (form shown again)" if saved.status == 200 else "")] += 1
        return
    logged.append(time.perf_counter())
    back = urlsplit(saved.header("location"))
    await browser.expect("family page (after saving)", "GET", back.path + (f"?{back.query}" if back.query else ""), 200)


async def reader(browser: Browser, step: str, path: str, think: float, done: asyncio.Event) -> None:
    """A signed-in admin opening ``path`` again and again (at least once) until ``done``."""
    while True:
        await browser.expect(step, "GET", path, 200)
        if done.is_set():
            return
        await _pause(think)
        if done.is_set():
            return


async def probe(browser: Browser, done: asyncio.Event, every: float = 0.2) -> None:
    while not done.is_set():
        await browser.expect("trivial page /healthz", "GET", "/healthz", 200)
        await asyncio.sleep(every)


def _address(n: int) -> str:
    return f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"


@dataclass
class Crowd:
    """The simulated users of one configuration: care contacts, overview readers, searchers."""

    contacts: list[tuple[Browser, str]]
    admins: list[tuple[Browser, str, str, str]]  # browser, username, step, path
    run: Run


def make_crowd(ports: list[int], users: dict, contacts: list[str], args) -> Crowd:
    run = Run(ports)
    n = iter(range(1, 1_000_000)) if not args.one_address else iter([1] * 1_000_000)
    terms = [s.strip() for s in args.search.split(",") if s.strip()]
    admins = []
    for username in users["admins"]:
        city = username in users["city_admins"]
        step = "care overview (city)" if city else "care overview (district)"
        admins.append((Browser(run, _address(next(n))), username, step, "/care/overview/"))
    for i, username in enumerate(users["searchers"]):
        path = "/register/?" + urlencode({"q": terms[i % len(terms)]})
        admins.append((Browser(run, _address(next(n))), username, "register search", path))
    return Crowd([(Browser(run, _address(next(n))), u) for u in contacts], admins, run)


async def sign_in_wave(crowd: Crowd, users: dict, ramp: float) -> float:
    """Everyone signs in at once (the contacts spread over ``ramp`` seconds); the wall time."""
    done = asyncio.Event()

    async def contact(i: int, browser: Browser, username: str) -> None:
        if ramp:
            await asyncio.sleep(ramp * i / len(crowd.contacts))
        await browser.sign_in(username, "/care/week/")

    started = time.perf_counter()
    probes = [asyncio.create_task(probe(Browser(crowd.run, f"10.254.0.{i}"), done)) for i in range(1, 6)]
    await asyncio.gather(
        *(contact(i, b, u) for i, (b, u) in enumerate(crowd.contacts)),
        *(b.sign_in(u, path, users["secrets"][u]) for b, u, _step, path in crowd.admins),
    )
    wall = time.perf_counter() - started
    done.set()
    await asyncio.gather(*probes)
    return wall


async def monday_work(crowd: Crowd, think: float, reader_think: float) -> tuple[float, list]:
    """The signed-in contacts each open 本周走访 and log a visit while the admins read; the wall
    time (until the last contact is done) and the visits' completion times."""
    done = asyncio.Event()
    logged: list[float] = []
    started = time.perf_counter()
    readers = [
        asyncio.create_task(reader(b, step, path, reader_think, done))
        for b, _u, step, path in crowd.admins
        if b.signed_in
    ]
    probes = [asyncio.create_task(probe(Browser(crowd.run, f"10.254.1.{i}"), done)) for i in range(1, 6)]
    await asyncio.gather(*(care_contact(b, think, logged) for b, _u in crowd.contacts if b.signed_in))
    wall = time.perf_counter() - started
    done.set()
    await asyncio.gather(*readers, *probes)
    return wall, [t - started for t in logged]


async def single_user(port: int, users: dict, contact: str, repeat: int) -> Run:
    """Each page one request at a time (the pages interleaved, ``repeat`` rounds after one)."""
    run = Run([port])
    contact_browser = Browser(run, "10.200.0.1")
    await contact_browser.sign_in(contact, "/care/week/")
    week = await contact_browser.fetch(None, "GET", "/care/week/")
    match = VISIT_LINK.search(week.text if week else "") or FAMILY_LINK.search(week.text if week else "")
    family = re.search(r"/care/families/(\d+)/", match.group(1)).group(1) if match else None
    city = next(u for u in users["admins"] if u in users["city_admins"])
    district = next(u for u in users["admins"] if u not in users["city_admins"])
    city_browser, district_browser = Browser(run, "10.200.0.2"), Browser(run, "10.200.0.3")
    await city_browser.sign_in(city, "/care/overview/", users["secrets"][city])
    await district_browser.sign_in(district, "/care/overview/", users["secrets"][district])
    pages = [
        ("trivial page /healthz", contact_browser, "/healthz"),
        ("本周走访 /care/week/", contact_browser, "/care/week/"),
        ("care overview (district)", district_browser, "/care/overview/"),
        ("care overview (city)", city_browser, "/care/overview/"),
        ("care chart (district, 52 weeks)", district_browser, "/care/chart/"),
        ("register list (city)", city_browser, "/register/"),
        ("register search 'zhang' (city)", city_browser, "/register/?q=zhang"),
        ("register search '职工4321' (city)", city_browser, "/register/?" + urlencode({"q": "职工4321"})),
    ]
    if family:
        pages[2:2] = [
            ("visit form (GET)", contact_browser, f"/care/families/{family}/visit/"),
            ("family page", contact_browser, f"/care/families/{family}/"),
        ]
    signing = {k: run.times.pop(k) for k in list(run.times) if k.startswith("sign")}
    for round_ in range(repeat + 1):
        for step, browser, path in pages:
            await browser.expect(step if round_ else "(warm-up)", "GET", path, 200)
    run.times.pop("(warm-up)", None)
    for step, values in signing.items():
        print(f"  {step}, one at a time: {', '.join(f'{v:.0f}' for v in values)} ms (not a page: apart)")
    return run


async def week_throughput(ports: list[int], browsers: list[Browser], seconds: float) -> tuple[Run, float]:
    """``len(browsers)`` signed-in care contacts reloading 本周走访 without pause."""
    run = Run(ports)
    stop_at = time.perf_counter() + seconds

    async def user(browser: Browser) -> None:
        browser.run = run
        while time.perf_counter() < stop_at:
            await browser.expect("本周走访 /care/week/", "GET", "/care/week/", 200)

    started = time.perf_counter()
    await asyncio.gather(*(user(b) for b in browsers))
    return run, time.perf_counter() - started


# --- the report ----------------------------------------------------------------------------------


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * q
    lo = int(k)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def print_steps(run: Run, trivial: str, limit: float) -> dict:
    base = pct(run.times.get(trivial, []), 0.95)
    print(f"  {'step':<34} {'n':>6} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9} {'p95/trivial':>12}")
    ratios = {}
    for step, values in run.times.items():
        p95 = pct(values, 0.95)
        ratio = p95 / base if base and step != trivial else float("nan")
        ratios[step] = (p95, ratio)
        mark = "" if step == trivial else ("  ok" if ratio <= limit else f"  > {limit:g} ×")
        shown = "" if step == trivial else f"{ratio:10.1f} ×"
        print(f"  {step:<34} {len(values):>6} {pct(values, 0.5):9.1f} {p95:9.1f} {pct(values, 0.99):9.1f} "
              f"{shown:>12}{mark}")  # fmt: skip
    return ratios


def print_errors(run: Run) -> None:
    total = sum(run.errors.values())
    print(f"  errors: {total}" + ("" if total else " (none)"))
    for kind, count in run.errors.most_common():
        print(f"    {count:6d}  {kind}")


def report_phase(label: str, run: Run, wall: float, sampler: Sampler, nodes: int, workers: int,
                 pool_max: int, logged: list | None = None) -> dict:  # fmt: skip
    print(f"\n-- {label}: {nodes} node(s) × {workers} workers --")
    line = f"  wall time {wall:.1f} s; {run.requests} requests: {run.requests / wall:.1f} requests/s"
    if logged is not None:
        line += f"; {len(logged)} visits logged: {len(logged) / wall:.1f} visits/s"
        if logged:
            line += f" (half of them by {pct(logged, 0.5):.1f} s, 95 % by {pct(logged, 0.95):.1f} s)"
    print(line)
    ratios = print_steps(run, "trivial page /healthz", 3.0)
    print_errors(run)
    web, db = sampler.cpu_seconds("web"), sampler.cpu_seconds("db")
    print(
        f"  database connections (pg_stat_activity, this database): peak {sampler.peak_total} open, "
        f"peak {sampler.peak_active} active; the pools allow {nodes * workers} processes × "
        f"NUANXIN_DB_POOL_MAX {pool_max} = {nodes * workers * pool_max} "
        f"(server max_connections {sampler.max_connections})"
    )
    print(
        f"  CPU: web processes {web:.1f} s, PostgreSQL backends of this database {db:.1f} s, of "
        f"{2 * sampler.wall:.0f} core-seconds (2 cores); this client {sampler.client_cpu:.1f} s; machine busy "
        f"{100 * sampler.machine_busy():.0f} % (every process, others' too; load average {sampler.load:.1f})"
    )
    overview = [x for k, vs in run.times.items() if k.startswith("care overview") for x in vs]
    worst = max((r for k, (_p, r) in ratios.items() if k != "trivial page /healthz"), default=float("nan"))
    errors = sum(run.errors.values())
    targets = (
        f"  targets: no errors: {'met' if not errors else f'not met ({errors})'}; every p95 ≤ 3 × the trivial "
        f"page's: {'met' if worst <= 3 else f'not met (worst {worst:.1f} ×)'}"
    )
    if overview:
        over_p95 = pct(overview, 0.95)
        targets += f"; the overview's p95 < 300 ms: {'met' if over_p95 < 300 else 'not met'} ({over_p95:.0f} ms)"
    print(targets)
    return {"rps": run.requests / wall, "vps": len(logged or []) / wall, "wall": wall, "visits": len(logged or [])}


def sampled(admin_url: str, db_name: str, servers: list, work):
    """``work()`` with a Sampler around it; returns (its result, the sampler)."""
    sampler = Sampler(admin_url, db_name, servers)
    sampler.start()
    started, cpu = time.perf_counter(), time.process_time()
    try:
        result = work()
    finally:
        sampler.stopping.set()
        sampler.join()
        sampler.wall = time.perf_counter() - started
        sampler.client_cpu = time.process_time() - cpu
        sampler.load = os.getloadavg()[0]
    return result, sampler


def run_config(nodes: int, env: dict, var_dir: Path, users: dict, contacts: list[str], args, admin_url: str,
               db_name: str, single: bool, crowd: Crowd | None) -> tuple[dict, Crowd | None]:  # fmt: skip
    ports = [free_port() for _ in range(nodes)]
    servers: list[subprocess.Popen] = []
    try:
        for i, port in enumerate(ports):
            servers.append(start_web(env, port, var_dir / f"web-{nodes}-{i}.log"))
        workers, pool_max = web_workers(env)
        # a warm-up: every worker imports the application on its first request
        asyncio.run(_warm(Run(ports), 8 * workers * nodes))
        print(
            f"\n== {nodes} web node(s) (nuanxin web, {workers} workers each), ports {ports}: {len(contacts)} "
            f"care contacts, {args.admins} overview readers, {args.searchers} searchers =="
        )
        if crowd is None:
            crowd = make_crowd(ports, users, contacts, args)
            before = written_counts(env["DATABASE_URL"])
            wall, sampler = sampled(
                admin_url, db_name, servers, lambda: asyncio.run(sign_in_wave(crowd, users, args.ramp))
            )
            after = written_counts(env["DATABASE_URL"])
            signed = [b for b, _u in crowd.contacts if b.signed_in]
            report_phase(
                f"sign-in wave ({len(crowd.contacts)} care contacts and {len(crowd.admins)} admins at once; "
                f"{len(signed)} contacts signed in)", crowd.run, wall, sampler, nodes, workers, pool_max,
            )  # fmt: skip
            admins_in = sum(1 for b, *_r in crowd.admins if b.signed_in)
            print_written(before, after, len(signed) + admins_in, "sign-in")
        else:
            print(
                "  (the sessions of the first configuration's sign-in wave, shared by the nodes through the database)"
            )
        signed = [b for b, _u in crowd.contacts if b.signed_in]
        after = written_counts(env["DATABASE_URL"])
        work = Run(ports)
        for browser, _u in crowd.contacts:
            browser.run = work
        for browser, *_rest in crowd.admins:
            browser.run = work
        crowd.run = work
        (wall, logged), sampler = sampled(
            admin_url, db_name, servers, lambda: asyncio.run(monday_work(crowd, args.think, args.reader_think))
        )
        label = (
            f"Monday morning ({len(signed)} signed-in care contacts each open 本周走访 and log a visit, while the "
            f"admins read; think time {args.think:g} s, the admins' {args.reader_think:g} s)"
        )
        result = report_phase(label, work, wall, sampler, nodes, workers, pool_max, logged)
        what = "care contact's round (本周走访, visit form, visit logged, family page) and the admins' reads meanwhile"
        print_written(after, written_counts(env["DATABASE_URL"]), int(result["visits"]), what)
        if args.week_users and len(signed) >= args.week_users:
            week_run, seconds = asyncio.run(week_throughput(ports, signed[: args.week_users], args.week_seconds))
            values = week_run.times.get("本周走访 /care/week/", [])
            rate = len(values) / seconds
            result["week_rps"] = rate
            print(
                f"\n  本周走访 with {args.week_users} users at once, {seconds:.0f} s: {rate:.1f} requests/s, "
                f"p50 {pct(values, 0.5):.0f} ms, p95 {pct(values, 0.95):.0f} ms, errors "
                f"{sum(week_run.errors.values())} (target ≥ 150/s on one node: "
                f"{'met' if rate >= 150 else 'not met'})"
            )
        if single:
            print(f"\n-- one user at a time ({args.single_repeat} requests a page, interleaved), 1 node --")
            single_run = asyncio.run(single_user(ports[0], users, contacts[0], args.single_repeat))
            ratios = print_steps(single_run, "trivial page /healthz", 5.0)
            print_errors(single_run)
            worst = max((r for k, (_p, r) in ratios.items() if k != "trivial page /healthz"), default=float("nan"))
            print(f"  target: every page's p95 ≤ 5 × the trivial page's: "
                  f"{'met' if worst <= 5 else f'not met (worst {worst:.1f} ×)'}")  # fmt: skip
        return result, crowd
    finally:
        for server in servers:
            stop_web(server)


async def _warm(run: Run, count: int) -> None:
    browser = Browser(run, "10.250.0.1")
    await asyncio.gather(*(browser.fetch(None, "GET", "/accounts/login/") for _ in range(count)))


def main(argv: list[str] | None = None) -> int:
    global REQUEST_TIMEOUT
    parser = argparse.ArgumentParser(
        prog="bench monday_morning", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=1_000_000, help="workers in the data (default 1,000,000)")
    parser.add_argument("--quick", action="store_true", help="100,000 workers (a quick look)")
    parser.add_argument("--contacts", type=int, default=500, help="care contacts at once (default 500)")
    parser.add_argument("--admins", type=int, default=50, help="admins opening the care overview (default 50)")
    parser.add_argument("--searchers", type=int, default=20, help="admins searching the register (default 20)")
    parser.add_argument("--search", default="zhang,职工4321,zhigong98765", help="search terms, comma-separated")
    parser.add_argument("--think", type=float, default=1.0, help="seconds between a user's pages (±50 %%)")
    parser.add_argument(
        "--reader-think", type=float, default=5.0, help="seconds between an admin's reloads (±50 %%, default 5)"
    )
    parser.add_argument("--timeout", type=float, default=REQUEST_TIMEOUT, help="seconds a request may take")
    parser.add_argument(
        "--sign-in-each",
        action="store_true",
        help="a sign-in wave (of other contacts) for every configuration; default: the first one's sessions reused",
    )
    parser.add_argument(
        "--one-address",
        action="store_true",
        help="every user behind one address (a hospital's Wi-Fi, a carrier's NAT): the sign-in lockout per address",
    )
    parser.add_argument("--ramp", type=float, default=0.0, help="seconds over which the contacts start (0: at once)")
    parser.add_argument("--nodes", default="1,2", help="web nodes to measure, e.g. 1,2 (default) or 1")
    parser.add_argument("--single-repeat", type=int, default=30, help="requests a page one at a time (0: skip)")
    parser.add_argument("--week-users", type=int, default=50, help="users reloading 本周走访 at once (0: skip)")
    parser.add_argument("--week-seconds", type=float, default=20.0, help="how long they reload it")
    parser.add_argument("--db-name", default=BENCH_DB, help=f"the database (default {BENCH_DB})")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse-db", action="store_true", help="use the database as it is (built with --keep-db)")
    args = parser.parse_args(argv)
    REQUEST_TIMEOUT = args.timeout

    url = os.environ.get("DATABASE_URL", care_scale.DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"monday_morning: needs PostgreSQL; DATABASE_URL is {url.split(':', 1)[0]}; skipped")
        return 0
    size = 100_000 if args.quick else args.size
    bench_url = care_scale._server_url(url, args.db_name)
    admin_url = care_scale._server_url(url, "postgres")
    nodes = [int(n) for n in args.nodes.split(",") if n.strip()]
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores; "
          f"database {args.db_name}" + ("" if args.reuse_db else f", {size:,} workers to build"))  # fmt: skip
    var_dir = Path(tempfile.mkdtemp(prefix="nuanxin-bench-monday-"))
    try:
        if not args.reuse_db:
            t = time.perf_counter()
            care_scale.build_database(url, size, args.db_name)
            print(f"data built in {time.perf_counter() - t:.0f} s (bench.care_scale.build_database)")
        env = server_env(bench_url, str(var_dir))
        if args.reuse_db:  # a kept database gets the migrations added since it was built
            subprocess.run([*nuanxin_command(), "migrate", "--no-input", "-v1"], cwd=str(ROOT), env=env, check=True)
        with _connect(bench_url) as conn:
            workers = conn.execute("SELECT count(*) FROM registry_worker").fetchone()[0]
        print(f"data: {workers:,} workers in {args.db_name}")
        encoded, argon2_ms = argon2_hash_and_cost()
        users = prepare_users(bench_url, args.contacts, args.admins, args.searchers, encoded)
        print(
            f"Argon2 (the production hasher, Django's parameters): {argon2_ms:.0f} ms to verify one password here "
            f"(one core): {args.contacts} sign-ins cost {args.contacts * argon2_ms / 1000:.0f} CPU-seconds of "
            f"hashing, {args.contacts * argon2_ms / 2000:.0f} s of both cores"
        )
        subprocess.run([*nuanxin_command(), "collectstatic", "--no-input", "-v0"], cwd=str(ROOT), env=env,
                       check=True)  # fmt: skip
        results = {}
        crowd = None
        for i, count in enumerate(nodes):
            contacts = users["contacts"][i % 2 if args.sign_in_each else 0]
            results[count], crowd = run_config(
                count, env, var_dir, users, contacts, args, admin_url, args.db_name,
                single=(i == 0 and args.single_repeat > 0), crowd=None if args.sign_in_each else crowd,
            )  # fmt: skip
        if len(results) >= 2:
            first = min(results)
            print(f"\n== throughput growth from {first} node to more (same 2 cores and PostgreSQL) ==")
            for count, result in sorted(results.items()):
                base = results[first]
                line = (f"  {count} node(s): {result['rps']:.1f} requests/s (× {result['rps'] / base['rps']:.2f}), "
                        f"{result['vps']:.1f} visits/s (× {result['vps'] / base['vps']:.2f})")  # fmt: skip
                if "week_rps" in result and "week_rps" in base:
                    line += f", 本周走访 {result['week_rps']:.1f}/s (× {result['week_rps'] / base['week_rps']:.2f})"
                print(line)
        print_tables(bench_url)
    finally:
        if not args.keep_db and not args.reuse_db:
            care_scale._admin(url, f'DROP DATABASE IF EXISTS "{args.db_name}"')
        shutil.rmtree(var_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
