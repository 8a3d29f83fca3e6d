"""A self-assessment link shared city-wide: 200 people answering GAD-7 at once for 60 s, under
the production web server (gunicorn) on PostgreSQL.

    make bench BENCH_ARGS="self_assessment"                                # 200 clients, 60 s
    .venv/bin/python -m bench self_assessment -- --clients 50 --seconds 15   # a quicker run
    .venv/bin/python -m bench self_assessment -- --workers 4 --threads 8 --keep-db

It creates the database ``h_bench`` (``--db``) on the server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/), migrates it and opens one hotline with a line; collects
the static files into a temporary folder; then starts gunicorn, the documented production
command (``gunicorn nuanxin.wsgi``, gthread workers and threads for the machine's cores, bound
to 127.0.0.1 on a free port) with production settings (``NUANXIN_ENV=production``, as behind
nginx: ``NUANXIN_BEHIND_PROXY=1``, each request carrying ``X-Forwarded-Proto: https`` and a
client address of its own in ``X-Forwarded-For``: a city's people, so the per-address limit of
the page is exercised but not reached).

Each of ``--clients`` clients (asyncio, one keep-alive connection each) opens the GAD-7 page
once (its CSRF cookie and token), then submits random answers again and again until the time
is up; each submit is one ``POST /hotline/p/<key>/GAD-7/`` whose answer must be the result page
(status 200 with the result in it). In the same run ``--probes`` clients fetch a trivial page
(``GET /healthz``: the whole middleware and one ``SELECT 1``) in a loop. It prints the submits'
throughput, their p50/p95/p99 latency, the errors, the trivial page's figures and the ratio of
the submit's p95 to the trivial page's p95 (target: no errors, ratio ≤ 3), then checks that the
database holds one assessment per successful submit. It never fails on timings; it exits 1 when
a request failed or the count does not match. gunicorn is stopped and the database dropped at
the end (unless ``--keep-db``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

from bench._process import stop_group

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DB = "h_bench"
ROOT = Path(__file__).resolve().parent.parent
HOTLINE_NAME = "基准心理热线"
SCALE = "GAD-7"
ITEMS = 7
REQUEST_TIMEOUT = 60.0
TOKEN_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
RESULT_MARK = b'id="nx-public-result"'


# --- the database and the server -------------------------------------------------------------------


def _server_url(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def _admin(url: str, statement: str) -> None:
    import psycopg

    admin = _server_url(url, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(statement)


def _count_assessments(url: str) -> int:
    import psycopg

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        row = conn.execute("SELECT count(*) FROM hotline_assessment WHERE source = 'public'").fetchone()
        return int(row[0]) if row else 0


def child_setup(url: str) -> dict:
    """In a fresh process: migrate, and open the organisation, the hotline and its line."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from nuanxin.core.policy import SYSTEM
    from nuanxin.hotline.services import hotlines
    from nuanxin.orgs import services as org_services
    from nuanxin.orgs.choices import OrgKind

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started
    root = org_services.create_organisation(
        actor=SYSTEM, code="HB", name="基准市总工会", kind=OrgKind.CITY_FEDERATION, parent=None
    )
    hotline = hotlines.create_hotline(actor=SYSTEM, organisation=root, name=HOTLINE_NAME)
    hotlines.add_line(actor=SYSTEM, hotline=hotline, label="心理关爱热线", number="400-8692-525")
    return {"public_key": hotline.public_key, "migrate_seconds": round(migrated, 1)}


def run_child(kind: str, *args: str, env: dict | None = None) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.self_assessment", "--child", kind, *args],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=str(ROOT),
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(url: str, var_dir: str, threads: int) -> dict:
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": url,
            "DJANGO_SETTINGS_MODULE": "nuanxin.settings",
            "NUANXIN_ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1",
            "NUANXIN_BEHIND_PROXY": "1",
            "NUANXIN_VAR_DIR": var_dir,
            # One pooled connection per thread of a worker (docs/operations.md).
            "NUANXIN_DB_POOL_MAX": str(threads),
            "NUANXIN_DB_POOL_MIN": str(min(2, threads)),
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def collect_static(env: dict) -> None:
    subprocess.run(
        [sys.executable, "-m", "django", "collectstatic", "--no-input", "-v0"], check=True, cwd=str(ROOT), env=env
    )


def start_gunicorn(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "gunicorn", "nuanxin.wsgi",
        "--bind", f"127.0.0.1:{port}",
        "--worker-class", "gthread", "--workers", str(workers), "--threads", str(threads),
        "--backlog", "2048", "--keep-alive", "10", "--timeout", "120",
        "--log-level", "warning",
    ]  # fmt: skip
    process = subprocess.Popen(command, cwd=str(ROOT), env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode} before answering")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(
                    b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Forwarded-Proto: https\r\nConnection: close\r\n\r\n"
                )
                if s.recv(64).startswith(b"HTTP/1.1 200"):
                    return process
        except OSError:
            pass
        time.sleep(0.3)
    stop(process)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop(process: subprocess.Popen) -> None:
    stop_group(process, grace=30)


# --- the clients -------------------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection (the load generator stays light: no client library)."""

    def __init__(self, port: int):
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            try:
                await self.writer.wait_closed()
            except OSError:
                pass
        self.reader = self.writer = None

    async def request(
        self, method: str, path: str, headers: dict[str, str], body: bytes = b""
    ) -> tuple[int, dict, bytes]:
        for attempt in (1, 2):
            if self.writer is None:
                self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
            head = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: keep-alive"]
            head += [f"{k}: {v}" for k, v in headers.items()]
            if body or method == "POST":
                head.append(f"Content-Length: {len(body)}")
            assert self.reader is not None
            self.writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
            await self.writer.drain()
            status_line = await self.reader.readline()
            if not status_line:  # the server closed an idle connection: once more on a new one
                await self.close()
                if attempt == 2:
                    raise ConnectionError("connection closed without an answer")
                continue
            status = int(status_line.split()[1])
            answer: dict[str, list[str]] = {}
            while True:
                line = await self.reader.readline()
                if line in (b"\r\n", b"\n", b""):
                    break
                name, _, value = line.decode("latin-1").partition(":")
                answer.setdefault(name.strip().lower(), []).append(value.strip())
            if "content-length" in answer:
                content = await self.reader.readexactly(int(answer["content-length"][0]))
            elif answer.get("transfer-encoding", [""])[0].lower() == "chunked":
                content = b""
                while True:
                    size = int((await self.reader.readline()).strip().split(b";")[0], 16)
                    chunk = await self.reader.readexactly(size + 2)
                    if size == 0:
                        break
                    content += chunk[:-2]
            else:
                content = await self.reader.read()
                await self.close()
            if answer.get("connection", [""])[0].lower() == "close":
                await self.close()
            return status, answer, content
        raise ConnectionError("unreachable")


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _address() -> str:
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def _cookies(headers: dict, jar: dict[str, str]) -> None:
    for value in headers.get("set-cookie", []):
        name, _, rest = value.partition("=")
        jar[name.strip()] = rest.split(";", 1)[0]


async def submitter(port: int, path: str, deadline: float, submits: Figures, pages: Figures) -> None:
    conn = Connection(port)
    jar: dict[str, str] = {}
    referer = f"https://127.0.0.1:{port}{path}"
    try:
        started = time.perf_counter()
        status, headers, content = await asyncio.wait_for(
            conn.request("GET", path, {"X-Forwarded-Proto": "https", "X-Forwarded-For": _address()}), REQUEST_TIMEOUT
        )
        pages.latencies.append(time.perf_counter() - started)
        _cookies(headers, jar)
        found = TOKEN_RE.search(content)
        if status != 200 or found is None or "csrftoken" not in jar:
            pages.errors.append(f"page {status}")
            return
        token = found.group(1).decode()
        while time.perf_counter() < deadline:
            body = urlencode(
                {"csrfmiddlewaretoken": token, **{f"q{n}": str(random.randint(0, 3)) for n in range(1, ITEMS + 1)}}
            ).encode()
            cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
            headers_out = {
                "Content-Type": "application/x-www-form-urlencoded",
                "Cookie": cookie,
                "Referer": referer,
                "X-Forwarded-Proto": "https",
                "X-Forwarded-For": _address(),
            }
            started = time.perf_counter()
            try:
                status, headers, content = await asyncio.wait_for(
                    conn.request("POST", path, headers_out, body), REQUEST_TIMEOUT
                )
            except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError) as exc:
                submits.errors.append(type(exc).__name__)
                await conn.close()
                continue
            submits.latencies.append(time.perf_counter() - started)
            _cookies(headers, jar)
            if status != 200 or RESULT_MARK not in content:
                submits.errors.append(f"status {status}")
    except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError) as exc:
        pages.errors.append(type(exc).__name__)
    finally:
        await conn.close()


async def prober(port: int, deadline: float, trivial: Figures) -> None:
    conn = Connection(port)
    try:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                status, _headers, content = await asyncio.wait_for(
                    conn.request("GET", "/healthz", {"X-Forwarded-Proto": "https", "X-Forwarded-For": _address()}),
                    REQUEST_TIMEOUT,
                )
            except (TimeoutError, OSError, ConnectionError, asyncio.IncompleteReadError) as exc:
                trivial.errors.append(type(exc).__name__)
                await conn.close()
                continue
            trivial.latencies.append(time.perf_counter() - started)
            if status != 200 or b'"ok"' not in content:
                trivial.errors.append(f"status {status}")
            await asyncio.sleep(0.05)  # a monitor, not a second crowd
    finally:
        await conn.close()


async def load(
    port: int, key: str, clients: int, probes: int, seconds: float
) -> tuple[Figures, Figures, Figures, float]:
    path = f"/hotline/p/{key}/{SCALE}/"
    submits, pages, trivial = Figures(), Figures(), Figures()
    started = time.perf_counter()
    deadline = started + seconds
    tasks = [submitter(port, path, deadline, submits, pages) for _ in range(clients)]
    tasks += [prober(port, deadline, trivial) for _ in range(probes)]
    await asyncio.gather(*tasks)
    return submits, pages, trivial, time.perf_counter() - started


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def describe(name: str, figures: Figures, elapsed: float) -> str:
    ms = [v * 1000 for v in figures.latencies]
    return (
        f"{name:<16} {len(ms):>7} requests  {len(ms) / elapsed:8.1f}/s   p50 {percentile(ms, 50):7.1f} ms   "
        f"p95 {percentile(ms, 95):7.1f} ms   p99 {percentile(ms, 99):7.1f} ms   "
        f"mean {statistics.fmean(ms) if ms else float('nan'):7.1f} ms   errors {len(figures.errors)}"
    )


def main(argv: list[str] | None = None) -> int:
    cores = os.cpu_count() or 2
    parser = argparse.ArgumentParser(
        prog="bench self_assessment", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=200, help="concurrent people submitting (default 200)")
    parser.add_argument("--seconds", type=float, default=60, help="how long they submit (default 60)")
    parser.add_argument("--probes", type=int, default=5, help="clients fetching the trivial page (default 5)")
    parser.add_argument("--workers", type=int, default=cores + 1, help=f"gunicorn workers (default {cores + 1})")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker (default 4)")
    parser.add_argument("--db", default=BENCH_DB, help=f"the database to create and drop (default {BENCH_DB})")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps({"setup": child_setup}[args.child[0]](*args.child[1:])))
        return 0

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"self_assessment: needs PostgreSQL; DATABASE_URL is {url.split(':', 1)[0]}; skipped")
        return 0
    bench_url = _server_url(url, args.db)
    print(
        f"{args.clients} clients submitting {SCALE} for {args.seconds:g} s (+ {args.probes} on /healthz); "
        f"gunicorn gthread {args.workers} workers × {args.threads} threads on {cores} cores; database {args.db}",
        flush=True,
    )
    _admin(url, f'DROP DATABASE IF EXISTS "{args.db}"')
    _admin(url, f'CREATE DATABASE "{args.db}"')
    process = None
    status = 0
    try:
        with tempfile.TemporaryDirectory(prefix="nuanxin-bench-") as var_dir:
            env = server_env(bench_url, var_dir, args.threads)
            setup = run_child("setup", bench_url, env=env)
            collect_static(env)
            port = free_port()
            process = start_gunicorn(env, port, args.workers, args.threads)
            submits, pages, trivial, elapsed = asyncio.run(
                load(port, setup["public_key"], args.clients, args.probes, args.seconds)
            )
            stop(process)
            stored = _count_assessments(bench_url)
        print(describe("submit (POST)", submits, elapsed))
        print(describe("page (GET)", pages, elapsed))
        print(describe("trivial /healthz", trivial, elapsed))
        ratio = (
            percentile(submits.latencies, 95) / percentile(trivial.latencies, 95) if trivial.latencies else float("nan")
        )
        errors = len(submits.errors) + len(pages.errors) + len(trivial.errors)
        print(f"throughput: {len(submits.latencies) / elapsed:.1f} submits/s over {elapsed:.1f} s")
        print(f"p95 ratio submit / trivial page: {ratio:.2f}   (target ≤ 3)")
        print(
            f"errors: {errors}   (target 0)"
            + (f"  first: {(submits.errors + pages.errors + trivial.errors)[:5]}" if errors else "")
        )
        ok_submits = len(submits.latencies) - sum(1 for e in submits.errors if e.startswith("status"))
        print(f"assessments stored: {stored} for {ok_submits} successful submits")
        if errors or stored != ok_submits:
            status = 1
    finally:
        if process is not None:
            stop(process)
        if not args.keep_db:
            _admin(url, f'DROP DATABASE IF EXISTS "{args.db}"')
    return status


if __name__ == "__main__":
    sys.exit(main())
