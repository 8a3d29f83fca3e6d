#!/usr/bin/env python3
"""Several Nuanxin nodes proven together on one machine (issue 17, ``make test-cluster``).

It starts PRIVATE instances on free ports of 127.0.0.1, under one temporary directory, and never
touches the machine's own PostgreSQL (5432) or Redis (6379):

- PostgreSQL 15 (``initdb`` and ``pg_ctl`` run as the ``postgres`` OS user), one database;
- Redis (``REDIS_URL``: the cache, the public pages' rate limits);
- an S3-compatible object store (moto's server, installed on first use into
  ``var/cluster-tools/s3-venv``) holding the private files (``NUANXIN_S3_BUCKET``): the nodes
  share no disk, so an upload taken by one node is read by a worker on the other through it;
- node A and node B, each with its own data directories (``NUANXIN_VAR_DIR``,
  ``NUANXIN_PRIVATE_DIR``) and the same ``SECRET_KEY``, ``DATABASE_URL``, ``REDIS_URL`` and
  bucket, each running ``nuanxin web`` (gunicorn, 2 workers), ``nuanxin worker`` and
  ``nuanxin scheduler`` (a short lease: ``NUANXIN_SCHEDULER_LEASE_SECONDS``);
- nginx (Debian's package, installed with apt when missing) round-robin in front of both nodes,
  a private master with its own configuration, pid and logs; a small Python proxy instead when
  nginx cannot be had.

Then it checks, printing each check and its result:

0. both nodes are ready (``/readyz``) and nginx sends requests to both;
1. a session opened on node A works on node B;
2. a table uploaded through node A waits in the bucket (on neither node's disk), its dry run is
   done by node B's worker, it is applied by a worker, and its progress and status are read
   through node B (the API and the import page);
3. a worker killed (SIGKILL) in the middle of an apply leaves nothing half-written, the batch is
   recovered by the periodic sweep and applied by the other worker;
4. killing the leading scheduler (SIGKILL) hands its lease to the other within the lease time,
   and no periodic run, task or notification is there twice;
5. the login lockout holds across nodes (wrong passwords spread over A and B lock the user
   on both);
6. a public page's rate limit counts across nodes (the shared Redis cache).

Everything it started is stopped at the end, also on a failure and on Ctrl-C (process groups,
``pg_ctl stop``, nginx's quit). Exit status 0 when every check passed, 1 otherwise.

    .venv/bin/python scripts/cluster_test.py            # or: make test-cluster
    .venv/bin/python scripts/cluster_test.py --keep     # leave it running for a look (Ctrl-C stops)
"""

# ruff: noqa: S603, S607 (a test harness: it runs the programs it starts, by fixed paths and names)

from __future__ import annotations

import argparse
import contextlib
import html
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
NUANXIN = BIN / "nuanxin"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
TOOLS = ROOT / "var" / "cluster-tools"
S3_VENV = TOOLS / "s3-venv"
S3_REQUIREMENTS = ROOT / "scripts" / "cluster" / "s3-server.txt"  # moto, flask, flask-cors and theirs, pinned
S3_PACKAGES = ["-r", str(S3_REQUIREMENTS)]
BUCKET = "nuanxin-cluster"
IMPORT_USER = "demo-district"  # an organisation administrator of 市南区 (QD-SN): may import there
IMPORT_ORG = "QD-SN"
LOCKOUT_USER = "demo-viewer"
SESSION_USER = "demo-medical"
DEMO_PASSWORD = "Nuanxin-demo-2020"  # nuanxin/core/demo.py
HTTP_TIMEOUT = 60


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(what: str, test, timeout: float, interval: float = 0.2):
    """Call ``test`` until it returns something true; that value, or RuntimeError after ``timeout``."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = test()
        except Exception as exc:  # retried until the deadline
            last_error, value = exc, None
        if value:
            return value
        time.sleep(interval)
    cause = f" ({last_error})" if last_error else ""
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}{cause}")


class CheckFailed(Exception):
    pass


def ensure(condition, message: str) -> None:
    if not condition:
        raise CheckFailed(message)


# --- processes ------------------------------------------------------------------------------


@dataclass
class Proc:
    name: str
    popen: subprocess.Popen
    log: Path


@dataclass
class Cluster:
    tmp: Path
    keep: bool = False
    procs: dict[str, Proc] = field(default_factory=dict)
    pg_data: Path | None = None
    ports: dict[str, int] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    node_env: dict[str, dict[str, str]] = field(default_factory=dict)
    proxy: str = ""
    proxy_server: object | None = None
    started_at: float = field(default_factory=time.time)

    @property
    def logs(self) -> Path:
        return self.tmp / "logs"

    def start(self, name: str, cmd: list[str], env: dict[str, str] | None = None) -> Proc:
        path = self.logs / f"{name}.log"
        with open(path, "ab") as out:
            popen = subprocess.Popen(
                cmd, cwd=ROOT, env=env or os.environ.copy(), stdin=subprocess.DEVNULL,
                stdout=out, stderr=subprocess.STDOUT, start_new_session=True,  # its own process group
            )
        proc = Proc(name, popen, path)
        self.procs[name] = proc
        return proc

    def send(self, name: str, sig: int) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.procs[name].popen.pid, sig)

    def kill(self, name: str, sig: int = signal.SIGKILL) -> None:
        proc = self.procs[name]
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.popen.pid, sig)
        if sig == signal.SIGKILL:
            proc.popen.wait(10)

    def stop_all(self) -> None:
        """SIGTERM to every process group (nginx: QUIT), 20 s to go, then SIGKILL; PostgreSQL by pg_ctl."""
        running = [p for p in self.procs.values() if p.popen.poll() is None]
        for proc in reversed(running):
            sig = signal.SIGQUIT if proc.name == "nginx" else signal.SIGTERM
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.popen.pid, sig)
        deadline = time.monotonic() + 20
        for proc in running:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.popen.wait(max(0.1, deadline - time.monotonic()))
        for proc in self.procs.values():
            # the group too: a gunicorn worker or a child that outlived its parent
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.popen.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.popen.wait(5)
        if self.proxy_server is not None:
            self.proxy_server.shutdown()
        if self.pg_data is not None and (self.pg_data / "postmaster.pid").exists():
            subprocess.run(
                ["runuser", "-u", "postgres", "--", str(PG_BIN / "pg_ctl"), "-D", str(self.pg_data),
                 "-m", "fast", "-w", "-t", "30", "stop"],
                check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )

    def tail(self, name: str, lines: int = 30) -> str:
        proc = self.procs.get(name)
        if proc is None or not proc.log.exists():
            return ""
        return "\n".join(proc.log.read_text(errors="replace").splitlines()[-lines:])


# --- the services -----------------------------------------------------------------------------


def start_postgres(c: Cluster) -> str:
    port = c.ports["postgres"] = free_port()
    base = c.tmp / "pg"
    base.mkdir()
    c.pg_data = base / "data"
    shutil.chown(base, "postgres", "postgres")
    as_pg = ["runuser", "-u", "postgres", "--"]
    subprocess.run(
        [*as_pg, str(PG_BIN / "initdb"), "-D", str(c.pg_data), "-U", "postgres", "-A", "trust",
         "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"],
        check=True, stdout=subprocess.DEVNULL,
    )
    options = (
        f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
        "-c full_page_writes=off -c max_connections=200"
    )
    subprocess.run(
        [*as_pg, str(PG_BIN / "pg_ctl"), "-D", str(c.pg_data), "-o", options, "-l", str(base / "postgres.log"),
         "-w", "-t", "60", "start"],
        check=True, stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [*as_pg, str(PG_BIN.parent / "bin" / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
         "-q", "-c", "CREATE DATABASE nuanxin"],
        check=True,
    )
    return f"postgres://postgres@127.0.0.1:{port}/nuanxin"


def start_redis(c: Cluster) -> str:
    port = c.ports["redis"] = free_port()
    redis = shutil.which("redis-server")
    if redis is None:
        apt_install(["redis-server"])
        redis = shutil.which("redis-server") or "/usr/bin/redis-server"
    c.start("redis", [redis, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                      "--daemonize", "no", "--dir", str(c.tmp)])
    wait_until("Redis", lambda: _redis_ping(port), 20)
    return f"redis://127.0.0.1:{port}/0"


def _redis_ping(port: int) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=1) as sock:
        sock.sendall(b"PING\r\n")
        return sock.recv(16).startswith(b"+PONG")


def apt_install(packages: list[str]) -> bool:
    """apt-get install (as root, or with password-less sudo); False when it cannot."""
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    log(f"installing {' '.join(packages)} with apt-get")
    for cmd in (["apt-get", "install", "-y", "--no-install-recommends", *packages],):
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        done = subprocess.run([*prefix, *cmd], env=env, check=False, **quiet)
        if done.returncode != 0:  # a stale package list: update once and try again
            subprocess.run([*prefix, "apt-get", "update"], env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=False)
            done = subprocess.run([*prefix, *cmd], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                  check=False)
        if done.returncode != 0:
            return False
    return True


def s3_server_python(*, allow_install: bool = True) -> str:
    """A Python that has moto's S3 server: the project's (if moto is installed there) or a venv of
    its own under var/cluster-tools, made once (pip from the package index)."""
    if subprocess.run([str(BIN / "python"), "-c", "import moto.server, flask_cors"],
                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False).returncode == 0:
        return str(BIN / "python")
    python = S3_VENV / "bin" / "python"
    check = [str(python), "-c", "import moto.server, flask_cors"]
    if python.exists() and subprocess.run(check, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                          check=False).returncode == 0:
        return str(python)
    if not allow_install:
        raise RuntimeError(f"moto's S3 server is not installed (in .venv or {S3_VENV}) and --no-install was given")
    log(f"installing an S3-compatible test server (moto) into {S3_VENV.relative_to(ROOT)}")
    TOOLS.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(S3_VENV)], check=True)
    done = subprocess.run(
        [str(S3_VENV / "bin" / "pip"), "install", "-q", "--disable-pip-version-check", *S3_PACKAGES],
        capture_output=True, text=True, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"pip could not install {' '.join(S3_PACKAGES)}:\n{done.stderr[-2000:]}")
    return str(python)


def s3_environment(c: Cluster) -> dict[str, str]:
    """The nodes' settings of the private storage: the bucket on the S3 server ``start_s3`` starts."""
    port = c.ports["s3"] = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    return {
        "NUANXIN_S3_BUCKET": BUCKET,
        "NUANXIN_S3_ENDPOINT_URL": endpoint,
        "NUANXIN_S3_REGION": "us-east-1",
        "NUANXIN_S3_ACCESS_KEY_ID": "cluster-test",
        "NUANXIN_S3_SECRET_ACCESS_KEY": secrets.token_hex(16),
        "NUANXIN_S3_ADDRESSING_STYLE": "path",
        "NUANXIN_S3_PREFIX": "private",
    }


def start_s3(c: Cluster, env: dict[str, str], *, allow_install: bool = True) -> None:
    python = s3_server_python(allow_install=allow_install)
    c.start("s3", [python, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(c.ports["s3"])])
    endpoint = env["NUANXIN_S3_ENDPOINT_URL"]
    import requests

    wait_until("the S3 server", lambda: requests.get(endpoint, timeout=2).status_code < 500, 60)
    code = (
        "import boto3,os;boto3.client('s3',endpoint_url=os.environ['NUANXIN_S3_ENDPOINT_URL'],"
        "region_name='us-east-1',aws_access_key_id='x',aws_secret_access_key='y')"
        f".create_bucket(Bucket='{BUCKET}')"
    )
    subprocess.run([str(BIN / "python"), "-c", code], env={**os.environ, **env}, check=True)


NGINX_CONF = """\
worker_processes 1;
error_log {tmp}/logs/nginx-error.log warn;
pid {tmp}/nginx/nginx.pid;
user root;
events {{ worker_connections 512; }}
http {{
    access_log {tmp}/logs/nginx-access.log;
    client_body_temp_path {tmp}/nginx/body;
    proxy_temp_path {tmp}/nginx/proxy;
    fastcgi_temp_path {tmp}/nginx/fastcgi;
    uwsgi_temp_path {tmp}/nginx/uwsgi;
    scgi_temp_path {tmp}/nginx/scgi;
    client_max_body_size 25m;
    upstream nuanxin {{
        server 127.0.0.1:{a};
        server 127.0.0.1:{b};
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://nuanxin;
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_read_timeout 120s;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


def start_nginx(c: Cluster, a: int, b: int, *, allow_install: bool, python_proxy: bool = False) -> str:
    port = c.ports["nginx"] = free_port()
    nginx = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if python_proxy:
        nginx = None
    elif nginx is None and allow_install and apt_install(["nginx-light"]):
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if nginx is None or not Path(nginx).exists():
        log("nginx is not available: a small Python round-robin proxy stands in")
        c.proxy_server = start_python_proxy(port, [a, b])
        return f"http://127.0.0.1:{port}"
    (c.tmp / "nginx").mkdir()
    conf = c.tmp / "nginx" / "nginx.conf"
    conf.write_text(NGINX_CONF.format(tmp=c.tmp, a=a, b=b, port=port))
    c.start("nginx", [nginx, "-p", str(c.tmp / "nginx"), "-e", str(c.logs / "nginx-error.log"), "-c", str(conf),
                      "-g", "daemon off;"])
    import requests

    wait_until("nginx", lambda: requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2).ok, 30)
    c.proxy = "nginx"
    return f"http://127.0.0.1:{port}"


def start_python_proxy(port: int, upstreams: list[int]):
    """A threaded round-robin HTTP proxy (the stand-in for nginx): adds X-Forwarded-For and X-Upstream."""
    import http.client
    import itertools
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    turn = itertools.cycle(upstreams)
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def _forward(self):
            with lock:
                upstream = next(turn)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in {"connection", "keep-alive"}}
            forwarded = self.headers.get("X-Forwarded-For")
            client = self.client_address[0]
            headers["X-Forwarded-For"] = f"{forwarded}, {client}" if forwarded else client
            conn = http.client.HTTPConnection("127.0.0.1", upstream, timeout=120)
            conn.request(self.command, self.path, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            self.send_response(answer.status, answer.reason)
            for key, value in answer.getheaders():
                if key.lower() not in {"transfer-encoding", "connection", "content-length"}:
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("X-Upstream", f"127.0.0.1:{upstream}")
            self.end_headers()
            self.wfile.write(data)
            conn.close()

        do_GET = do_POST = do_HEAD = do_PUT = do_PATCH = do_DELETE = _forward

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def nuanxin(c: Cluster, node: str, *args: str, timeout: float = 600) -> str:
    """Run a ``nuanxin`` command with ``node``'s environment; its standard output."""
    done = subprocess.run([str(NUANXIN), *args], cwd=ROOT, env=c.node_env[node], capture_output=True, text=True,
                          timeout=timeout, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"nuanxin {' '.join(args)[:60]} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return done.stdout


def node_environment(c: Cluster, node: str, shared: dict[str, str], lease: int) -> dict[str, str]:
    var = c.tmp / f"node-{node.lower()}"
    (var / "private").mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NUANXIN_", "DJANGO_"))}
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "DEBUG"):
        env.pop(name, None)
    env.update(shared)
    env.update({
        "NUANXIN_VAR_DIR": str(var),  # each node its own: nothing may be shared through it
        "NUANXIN_PRIVATE_DIR": str(var / "private"),  # unused while NUANXIN_S3_BUCKET is set
        "NUANXIN_SCHEDULER_LEASE_SECONDS": str(lease),
        "NUANXIN_BEHIND_PROXY": "1",
        "NUANXIN_DB_POOL_MAX": "4",
        "NUANXIN_DB_POOL_MIN": "1",
        # the lockout check counts the username's failures; all its requests come from 127.0.0.1
        "NUANXIN_LOCKOUT_ADDRESS_FAILURES": "1000",
        "NUANXIN_HOTLINE_SUBMITS_PER_ADDRESS_PER_HOUR": "4",  # the rate-limit check
        "LOG_LEVEL": "INFO",
        "PYTHONUNBUFFERED": "1",
    })
    return env


# --- HTTP helpers -----------------------------------------------------------------------------

_CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def login(session, base: str, username: str, password: str):
    """Sign in through ``base``; the response of the POST (a 302 when it worked)."""
    page = session.get(f"{base}/accounts/login/", timeout=HTTP_TIMEOUT)
    page.raise_for_status()
    token = _CSRF.search(page.text)
    ensure(token, f"no CSRF token on {base}/accounts/login/")
    return session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": html.unescape(token.group(1)), "username": username, "password": password},
        headers={"Referer": f"{base}/accounts/login/"},
        allow_redirects=False,
        timeout=HTTP_TIMEOUT,
    )


def sql(c: Cluster, query: str, params: tuple = ()) -> list[tuple]:
    import psycopg

    with psycopg.connect(c.env["DATABASE_URL"], autocommit=True) as conn:
        cur = conn.execute(query, params)
        return cur.fetchall() if cur.description else []


def write_table(path: Path, rows: int, *, seed: int, mobile_prefix: str) -> None:
    """A table 1 (.xlsx: title, 填报单位, headers) of ``rows`` new people with a family member each."""
    import xlsxwriter

    rng = random.Random(seed)  # noqa: S311 (made-up names)
    surnames = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜"
    given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚玉萍毅浩宇轩涵欣怡晨辰博文佳琪雨嘉俊鑫"
    seen: set[str] = set()
    names: list[str] = []
    while len(names) < 2 * rows:
        name = rng.choice(surnames) + "".join(rng.choice(given) for _ in range(2))
        if name not in seen:
            seen.add(name)
            names.append(name)
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("附件1")
    sheet.write_string(0, 0, "青岛市援鄂医疗队成员联系表")
    sheet.write_string(1, 0, "填报单位：集群测试医院        填报日期：2020年2月17日")
    sheet.write_row(2, 0, ["序号", "职工\n姓名", "性\n别", "人员\n类别", "职务职称", "联系\n方式", "家属\n姓名",
                           "联系\n方式", "工会联系人姓名", "存在困难"])
    for i in range(rows):
        sheet.write_row(3 + i, 0, [
            i + 1, names[2 * i], "男女"[i % 2], ["医生", "护士", "医技", "管理", "后勤"][i % 5], "主治医师",
            f"{mobile_prefix}{i:07d}", f"{names[2 * i + 1]}（妻）", f"{mobile_prefix[:3]}8{i:07d}", "",
            "孩子无人照看" if i % 100 == 7 else "",
        ])
    book.close()


# --- the checks -----------------------------------------------------------------------------

TASKS = "django_tasks_database_dbtaskresult"


@dataclass
class Ctx:
    a: str
    b: str
    proxy: str
    token: str
    rows: int
    lease: int

    def api(self, method: str, base: str, path: str, **kwargs):
        import requests

        headers = {"Authorization": f"Bearer {self.token}", "Accept-Language": "en", **kwargs.pop("headers", {})}
        return requests.request(method, f"{base}/api/v1{path}", headers=headers, timeout=HTTP_TIMEOUT, **kwargs)


def s3_objects(c: Cluster) -> int:
    """How many objects the bucket holds (-1 when it cannot be listed)."""
    code = (
        "import boto3,os;print(boto3.client('s3',endpoint_url=os.environ['NUANXIN_S3_ENDPOINT_URL'],"
        "region_name='us-east-1',aws_access_key_id='x',aws_secret_access_key='y')"
        f".list_objects_v2(Bucket='{BUCKET}').get('KeyCount', 0))"
    )
    done = subprocess.run([str(BIN / "python"), "-c", code], env={**os.environ, **c.env}, capture_output=True,
                          text=True, check=False)
    return int(done.stdout.strip()) if done.returncode == 0 else -1


def register_counts(c: Cluster) -> tuple[int, int]:
    return sql(c, "SELECT (SELECT count(*) FROM registry_worker), (SELECT count(*) FROM registry_familymember)")[0]


def task_of(c: Cluster, name: str, batch_id: int, status: str | None = None):
    """(worker_ids, status) of the latest task ``name`` (…tasks.plan_import, apply_import) for the batch."""
    rows = sql(
        c,
        f"SELECT worker_ids, status FROM {TASKS} WHERE task_path LIKE %s AND args_kwargs->'args'->>0 = %s "  # noqa: S608
        + ("AND status = %s " if status else "") + "ORDER BY enqueued_at DESC LIMIT 1",
        (f"%.{name}", str(batch_id), *([status] if status else [])),
    )
    return rows[0] if rows else None


def upload(ctx: Ctx, base: str, path: Path) -> int:
    with open(path, "rb") as fh:
        answer = ctx.api("POST", base, "/imports", files={"file": (path.name, fh, "application/octet-stream")},
                         data={"org": IMPORT_ORG})
    ensure(answer.status_code == 201, f"upload through {base}: {answer.status_code} {answer.text[:300]}")
    return answer.json()["id"]


def wait_status(ctx: Ctx, base: str, batch_id: int, wanted: set[str], timeout: float, seen: list | None = None) -> dict:
    """Poll the batch through ``base`` until its status is one of ``wanted``; each answer's
    (status, progress) goes into ``seen``."""

    def poll():
        answer = ctx.api("GET", base, f"/imports/{batch_id}", params={"limit": 0})
        answer.raise_for_status()
        body = answer.json()
        if seen is not None and (not seen or seen[-1] != (body["status"], body["progress_done"])):
            seen.append((body["status"], body["progress_done"]))
        return body if body["status"] in wanted else None

    return wait_until(f"import {batch_id} to be {'/'.join(sorted(wanted))} (read through {base})", poll, timeout, 0.3)


def check_ready(c: Cluster, ctx: Ctx) -> str:
    import requests

    for name, base in (("A", ctx.a), ("B", ctx.b)):
        answer = requests.get(f"{base}/readyz", timeout=HTTP_TIMEOUT)
        body = answer.json()
        ensure(answer.status_code == 200 and body["status"] == "ok",
               f"node {name} /readyz: {answer.status_code} {body}")
        ensure({"database", "cache", "storage"} <= set(body["checks"]), f"node {name} /readyz checks: {body['checks']}")
    upstreams = {requests.get(f"{ctx.proxy}/healthz", timeout=HTTP_TIMEOUT).headers.get("X-Upstream") for _ in range(6)}
    wanted = {ctx.a.removeprefix("http://"), ctx.b.removeprefix("http://")}
    ensure(upstreams == wanted, f"{c.proxy or 'the proxy'} answered from {upstreams}, expected both {wanted}")
    return f"/readyz ok on A and B (database, cache, storage); {c.proxy or 'proxy'} round-robins to both"


def check_session(c: Cluster, ctx: Ctx) -> str:
    import requests

    on_a = requests.Session()
    answer = login(on_a, ctx.a, SESSION_USER, DEMO_PASSWORD)
    ensure(answer.status_code == 302, f"sign-in through A: {answer.status_code}")
    cookie = on_a.cookies.get("sessionid")
    ensure(cookie, "no session cookie from A")
    on_b = requests.Session()
    on_b.cookies.set("sessionid", cookie)
    page = on_b.get(f"{ctx.b}/accounts/me/", allow_redirects=False, timeout=HTTP_TIMEOUT)
    ensure(page.status_code == 200 and SESSION_USER in page.text,
           f"GET /accounts/me/ through B with A's cookie: {page.status_code} {page.headers.get('Location', '')}")
    anonymous = requests.get(f"{ctx.b}/accounts/me/", allow_redirects=False, timeout=HTTP_TIMEOUT)
    ensure(anonymous.status_code == 302, f"without the cookie B answered {anonymous.status_code}")
    via_proxy = [on_b.get(f"{ctx.proxy}/accounts/me/", allow_redirects=False, timeout=HTTP_TIMEOUT).status_code
                 for _ in range(4)]
    ensure(via_proxy == [200] * 4, f"the same cookie through the proxy: {via_proxy}")
    return "signed in through A; B (and both through the proxy) serve /accounts/me/ to that cookie, not without it"


def check_import(c: Cluster, ctx: Ctx) -> str:
    import requests

    path = c.tmp / "cluster-table-1.xlsx"
    write_table(path, ctx.rows, seed=17, mobile_prefix="1370")
    before = register_counts(c)
    started = time.monotonic()
    # node A's worker paused (SIGSTOP) while the upload waits: node B's worker must read the file
    # node A took, through the shared storage (no disk is shared)
    objects_before = s3_objects(c)
    c.send("worker-a", signal.SIGSTOP)
    c.send("worker-b", signal.SIGSTOP)
    try:
        batch_id = upload(ctx, ctx.a, path)
        # the upload waits for its dry run in the bucket, on no node's disk
        objects = s3_objects(c)
        local = [str(p) for node in ("a", "b") for p in (c.tmp / f"node-{node}" / "private").rglob("*")]
        c.send("worker-b", signal.SIGCONT)
        wait_until("node B's worker to take the dry run",
                   lambda: (task_of(c, "plan_import", batch_id) or [[], ""])[0], 60, 0.1)
    finally:
        c.send("worker-b", signal.SIGCONT)
        c.send("worker-a", signal.SIGCONT)
    ensure(objects > objects_before,
           f"the bucket holds {objects} objects after the upload, {objects_before} before")
    ensure(not local, f"files written to a node's own private directory: {local[:3]}")
    planned = wait_status(ctx, ctx.b, batch_id, {"planned", "refused"}, 300)
    plan_s = time.monotonic() - started
    ensure(planned["status"] == "planned", f"batch {batch_id}: {planned['status']} {planned['message']}")
    # the batch is planned just before its task is marked done
    with contextlib.suppress(RuntimeError):
        wait_until("the dry run's task to end", lambda: (task_of(c, "plan_import", batch_id) or [0, ""])[1]
                   not in ("READY", "RUNNING"), 30)
    plan_task = task_of(c, "plan_import", batch_id)
    ensure(plan_task and plan_task[1] == "SUCCESSFUL" and plan_task[0] == ["worker-b"],
           f"the dry run of {path.stat().st_size} bytes did not run in node B's worker: {plan_task}")
    creates = planned["counts"].get("create", 0)
    ensure(creates > 3000, f"only {creates} rows to create: too few for a background apply ({planned['counts']})")
    page_session = requests.Session()
    ensure(login(page_session, ctx.a, IMPORT_USER, DEMO_PASSWORD).status_code == 302, "sign-in of the importer on A")
    answer = ctx.api("POST", ctx.a, f"/imports/{batch_id}/apply", json={"undecided": "skip"})
    ensure(answer.status_code == 200 and answer.json()["status"] == "applying",
           f"apply through A: {answer.status_code} {answer.text[:200]}")
    started = time.monotonic()
    seen: list = []
    pages: list[int] = []

    def page_poll():  # the import's progress bar, as the page polls it, through B with A's session
        while not stop.is_set():
            page = page_session.get(f"{ctx.b}/register/imports/{batch_id}/progress/", timeout=HTTP_TIMEOUT)
            pages.append(page.status_code)
            time.sleep(0.5)

    stop = threading.Event()
    poller = threading.Thread(target=page_poll, daemon=True)
    poller.start()
    try:
        applied = wait_status(ctx, ctx.b, batch_id, {"applied", "planned"}, 300, seen)
    finally:
        stop.set()
        poller.join(10)
    apply_s = time.monotonic() - started
    ensure(applied["status"] == "applied",
           f"batch {batch_id} after the apply: {applied['status']} {applied['message']}")
    with contextlib.suppress(RuntimeError):
        wait_until("the apply's task to end", lambda: (task_of(c, "apply_import", batch_id) or [0, ""])[1]
                   not in ("READY", "RUNNING"), 30)
    apply_task = task_of(c, "apply_import", batch_id)
    ensure(apply_task and apply_task[1] == "SUCCESSFUL", f"the apply task: {apply_task}")
    after = register_counts(c)
    ensure(after[0] - before[0] == creates, f"register workers {before[0]} -> {after[0]}, the plan created {creates}")
    progress = [p for s, p in seen if s == "applying" and p > 0]
    ensure(pages and set(pages) == {200}, f"the progress page through B answered {sorted(set(pages))}")
    return (
        f"{creates} rows uploaded through A ({path.stat().st_size // 1024} KB, kept in the S3 bucket, nothing on "
        f"either node's disk), planned by {plan_task[0][0]} (node B) in "
        f"{plan_s:.1f} s, applied by {apply_task[0][0]} in {apply_s:.1f} s; B read the status "
        f"{len(seen)} times (progress seen: {progress[:6] or 'none in between'}), its progress page {len(pages)} times"
    )


def check_killed_worker(c: Cluster, ctx: Ctx) -> str:
    path = c.tmp / "cluster-table-2.xlsx"
    write_table(path, ctx.rows, seed=18, mobile_prefix="1360")
    batch_id = upload(ctx, ctx.proxy, path)
    planned = wait_status(ctx, ctx.proxy, batch_id, {"planned", "refused"}, 300)
    ensure(planned["status"] == "planned", f"batch {batch_id}: {planned['status']} {planned['message']}")
    creates = planned["counts"].get("create", 0)
    before = register_counts(c)
    answer = ctx.api("POST", ctx.proxy, f"/imports/{batch_id}/apply", json={"undecided": "skip"})
    ensure(answer.status_code == 200 and answer.json()["status"] == "applying", f"apply: {answer.text[:200]}")
    running = wait_until("the apply task to start", lambda: task_of(c, "apply_import", batch_id, "RUNNING"), 60, 0.05)
    worker_id = running[0][0]
    victim = {"worker-a": "worker-a", "worker-b": "worker-b"}[worker_id]
    other = "worker-b" if victim == "worker-a" else "worker-a"
    # killed once the new workers are written inside the apply's one transaction (on PostgreSQL
    # the first half of the progress: the database's own insert of the new records), mid-rows
    wait_until("the apply to be half-way", lambda: (sql(
        c, "SELECT done FROM registry_importprogress WHERE batch_id = %s", (batch_id,)) or [(0,)])[0][0] >= 500,
        120, 0.02)
    writing = sql(c, "SELECT backend_xid::text FROM pg_stat_activity WHERE backend_xid IS NOT NULL "
                     "AND application_name = %s ORDER BY xact_start LIMIT 1", (victim,))
    note = sql(c, "SELECT done FROM registry_importprogress WHERE batch_id = %s", (batch_id,))
    status = sql(c, "SELECT status FROM registry_importbatch WHERE id = %s", (batch_id,))[0][0]
    ensure(status == "applying", f"the apply ended ({status}) before the kill: use more --rows")
    c.kill(victim)
    killed_at = time.monotonic()
    time.sleep(1)
    ensure(register_counts(c) == before, f"after the kill the register has {register_counts(c)}, before {before}")
    # the killed worker's transaction is gone with its connection: nothing of it remains
    wait_until("the killed worker's transaction to end", lambda: not sql(
        c, "SELECT 1 FROM pg_stat_activity WHERE datname = 'nuanxin' AND state <> 'idle' "
           "AND xact_start < now() - interval '2 seconds' AND query ILIKE '%%registry_%%' AND pid <> pg_backend_pid()"),
        30, 0.5)
    ensure(register_counts(c) == before, f"the register changed after the kill: {register_counts(c)}, before {before}")
    ensure(writing, f"no open transaction with writes from {victim} at the kill")
    xid = writing[0][0]
    fate = sql(c, "SELECT pg_xact_status(%s::xid8)", (xid,))[0][0]
    ensure(fate == "aborted", f"the killed apply's transaction {xid}: {fate}")
    status = sql(c, "SELECT status FROM registry_importbatch WHERE id = %s", (batch_id,))[0][0]
    ensure(status == "applying", f"after the kill the batch is {status}, expected still applying")
    # The sweep puts back a batch whose note is older than STALE_APPLY_SECONDS (15 minutes):
    # the note is aged instead of waiting, then the sweep's task runs as the scheduler runs it.
    sql(c, "UPDATE registry_importprogress SET noted_at = noted_at - interval '1 hour' WHERE batch_id = %s",
        (batch_id,))
    node = "B" if other == "worker-b" else "A"
    nuanxin(c, node, "shell", "-c",
            "from nuanxin.tables.imports.tasks import reset_interrupted_applies as t; t.enqueue()")
    recovered = wait_status(ctx, ctx.proxy, batch_id, {"planned"}, 60)
    sweep = sql(c, f"SELECT worker_ids, status FROM {TASKS} WHERE task_path LIKE '%%.reset_interrupted_applies' "  # noqa: S608
                   "ORDER BY enqueued_at DESC LIMIT 1")[0]
    ensure(sweep[1] == "SUCCESSFUL" and sweep[0] == [other], f"the sweep task: {sweep}")
    ensure(register_counts(c) == before, "the register changed while the batch was recovered")
    answer = ctx.api("POST", ctx.proxy, f"/imports/{batch_id}/apply", json={"undecided": "skip"})
    ensure(answer.status_code == 200, f"apply again: {answer.status_code} {answer.text[:200]}")
    applied = wait_status(ctx, ctx.b, batch_id, {"applied", "planned"}, 300)
    ensure(applied["status"] == "applied", f"the second apply: {applied['status']} {applied['message']}")
    with contextlib.suppress(RuntimeError):
        wait_until("the apply's task to end", lambda: (task_of(c, "apply_import", batch_id) or [0, ""])[1]
                   not in ("READY", "RUNNING"), 30)
    again = task_of(c, "apply_import", batch_id)
    ensure(again[0] == [other] and again[1] == "SUCCESSFUL", f"the second apply task: {again}")
    after = register_counts(c)
    ensure(after[0] - before[0] == creates, f"after the second apply {before[0]} -> {after[0]}, planned {creates}")
    # the cluster whole again for the checks that follow
    start_worker(c, victim)
    return (
        f"{victim} killed at progress {note[0][0] if note else '?'}/1000 of {creates} rows, its transaction "
        f"(xid {xid}) {fate}: register unchanged "
        f"({before[0]} workers, {before[1]} family members), batch still 'applying'; the sweep (run by {other}) put it "
        f"back to planned ({recovered['message'][:60]}…); applied again by {other}: +{after[0] - before[0]} workers "
        f"({time.monotonic() - killed_at:.1f} s from the kill)"
    )


def lease(c: Cluster):
    rows = sql(c, "SELECT holder, expires_at, now() FROM core_schedulerlease WHERE name = 'scheduler'")
    return rows[0] if rows else None


def check_scheduler(c: Cluster, ctx: Ctx) -> str:
    pids = {c.procs[name].popen.pid: name for name in ("scheduler-a", "scheduler-b")}
    holder, _expires, _now = wait_until("a scheduler lease", lambda: lease(c), 60)
    leader = pids.get(int(holder.split(":")[-2]))
    ensure(leader, f"the lease holder {holder} is neither scheduler {pids}")
    follower = "scheduler-b" if leader == "scheduler-a" else "scheduler-a"
    runs_before = sql(c, "SELECT count(*) FROM core_periodicrun")[0][0]
    ensure(runs_before > 0, "the leader enqueued no periodic run")
    old_expiry = lease(c)[1]
    c.kill(leader)
    killed = time.monotonic()
    new = wait_until("another scheduler to take the lease",
                     lambda: (lease(c) or (holder,))[0] != holder and lease(c), ctx.lease * 3, 0.1)
    took = time.monotonic() - killed
    interval = min(15.0, ctx.lease / 3)
    new_leader = pids.get(int(new[0].split(":")[-2]))
    ensure(new_leader == follower, f"the lease went to {new[0]}, not {follower}")
    ensure(took <= ctx.lease + interval + 5,  # a little slack for a loaded machine
           f"the lease was taken over after {took:.1f} s (lease {ctx.lease} s, tick {interval:.1f} s)")
    # the taker set its expiry to the time it took the lease plus the lease
    late = (new[1] - old_expiry).total_seconds() - ctx.lease
    ensure(late <= interval + 3, f"taken {late:.1f} s after the dead leader's lease expired")
    time.sleep(interval + 1)  # the new leader's next tick
    renewed = lease(c)
    ensure(renewed[0] == new[0] and renewed[1] > new[1], f"the new leader did not renew its lease: {renewed}")
    duplicates = sql(c, "SELECT job, slot, count(*) FROM core_periodicrun GROUP BY 1, 2 HAVING count(*) > 1")
    ensure(not duplicates, f"periodic runs twice for a slot: {duplicates}")
    # every periodic task enqueued is the one its run records (a second scheduler's enqueue would not be)
    stray = sql(
        c,
        f"SELECT t.task_path, count(*) FROM {TASKS} t WHERE t.task_path IN ("  # noqa: S608
        f"  SELECT u.task_path FROM {TASKS} u JOIN core_periodicrun r ON r.task_result_id = u.id::text) "
        "AND t.task_path NOT LIKE '%%.reset_interrupted_applies' "
        "AND NOT EXISTS (SELECT 1 FROM core_periodicrun r WHERE r.task_result_id = t.id::text) GROUP BY 1",
    )
    ensure(not stray, f"periodic tasks enqueued without their run (twice?): {stray}")
    notes = sql(c, "SELECT recipient_id, kind, title, count(*) FROM notify_notification WHERE created_at >= %s "
                   "GROUP BY 1, 2, 3 HAVING count(*) > 1", (time_of(c.started_at),))
    ensure(not notes, f"the same notification twice: {notes}")
    sent = sql(c, "SELECT channel, \"to\", template, subject, body, count(*) FROM notify_delivery "
                  "WHERE created_at >= %s "
                  "GROUP BY 1, 2, 3, 4, 5 HAVING count(*) > 1", (time_of(c.started_at),))
    ensure(not sent, f"the same message sent twice: {len(sent)} groups")
    counts = sql(c, "SELECT (SELECT count(*) FROM core_periodicrun), (SELECT count(*) FROM core_periodicrun "
                    "WHERE skipped), (SELECT count(*) FROM notify_notification WHERE created_at >= %s), "
                    "(SELECT count(*) FROM notify_delivery WHERE created_at >= %s)",
                 (time_of(c.started_at), time_of(c.started_at)))[0]
    return (
        f"{leader} killed; {follower} took the lease after {took:.1f} s ({max(0, late):.1f} s after it expired; "
        f"lease {ctx.lease} s, tick {interval:.1f} s); "
        f"{counts[0]} periodic runs ({counts[1]} skipped as too late), {counts[2]} notifications and "
        f"{counts[3]} messages during the test: none twice, no periodic task without its run"
    )


def time_of(epoch: float):
    from datetime import UTC, datetime

    return datetime.fromtimestamp(epoch, tz=UTC)


def check_lockout(c: Cluster, ctx: Ctx) -> str:
    import requests

    since = time_of(time.time() - 1)
    ok = login(requests.Session(), ctx.b, LOCKOUT_USER, DEMO_PASSWORD)
    ensure(ok.status_code == 302, f"{LOCKOUT_USER} cannot sign in at all ({ok.status_code})")
    spread = [ctx.a, ctx.b, ctx.a, ctx.b, ctx.a]
    for n, base in enumerate(spread, 1):
        wrong = login(requests.Session(), base, LOCKOUT_USER, f"wrong-{n}")
        ensure(wrong.status_code == 200, f"wrong password {n} through {base}: {wrong.status_code}")
    answers = {name: login(requests.Session(), base, LOCKOUT_USER, DEMO_PASSWORD).status_code
               for name, base in (("A", ctx.a), ("B", ctx.b), ("proxy", ctx.proxy))}
    ensure(all(code != 302 for code in answers.values()), f"the right password after 5 failures: {answers}")
    failures = sql(c, "SELECT count(*) FROM accounts_loginattempt WHERE username = %s AND NOT succeeded AND at >= %s",
                   (LOCKOUT_USER, since))[0][0]
    locked = sql(c, "SELECT count(*) FROM core_auditlog WHERE action = 'auth.locked_out' AND at >= %s", (since,))
    ensure(failures == 5, f"{failures} failures counted in the database, expected 5")
    ensure(locked[0][0] >= 3, f"{locked[0][0]} lockout refusals audited, expected 3")
    return (f"5 wrong passwords over A, B, A, B, A (5 counted in the database); the right one then refused on A, B "
            f"and through the proxy ({locked[0][0]} auth.locked_out)")


def check_rate_limit(c: Cluster, ctx: Ctx) -> str:
    """The public self-assessment's submissions per address (NUANXIN_HOTLINE_SUBMITS_PER_ADDRESS_PER_HOUR,
    4 here) counted in Redis: 2 through A and 2 through B use them up, the 5th is refused on either."""
    import requests

    found = sql(c, "SELECT public_key FROM hotline_hotline WHERE public_key <> '' ORDER BY id LIMIT 1")
    key = found[0][0] if found else "no-such-hotline"
    browser = requests.Session()
    page = browser.get(f"{ctx.a}/accounts/login/", timeout=HTTP_TIMEOUT)
    token = _CSRF.search(page.text)
    ensure(token and browser.cookies.get("csrftoken"), "no CSRF cookie from A")
    # a made-up client address (a documentation range, only a header here), the last X-Forwarded-For entry
    headers = {"X-CSRFToken": html.unescape(token.group(1)), "X-Forwarded-For": "192.0.2.17"}
    codes = []
    for base in (ctx.a, ctx.b, ctx.a, ctx.b, ctx.a, ctx.b):
        answer = browser.post(f"{base}/hotline/p/{key}/cluster-check/", data={"q": "1"}, headers=headers,
                              allow_redirects=False, timeout=HTTP_TIMEOUT)
        codes.append(answer.status_code)
    ensure(all(code != 429 for code in codes[:4]) and codes[4:] == [429, 429],
           f"answers A, B, A, B, A, B: {codes} (expected 4 counted, then 429 on both)")
    return f"submissions A, B, A, B, A, B from one address answered {codes}: the limit of 4 counted across nodes"


# --- the run ----------------------------------------------------------------------------------


def start_node(c: Cluster, node: str) -> None:
    low = node.lower()
    port = c.ports[f"web-{low}"]
    c.start(f"web-{low}", [str(NUANXIN), "web", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
            c.node_env[node])
    start_worker(c, f"worker-{low}")
    c.start(f"scheduler-{low}", [str(NUANXIN), "scheduler"], c.node_env[node])


def start_worker(c: Cluster, name: str) -> None:
    node = name[-1].upper()
    # PGAPPNAME: its database sessions carry its name (pg_stat_activity.application_name)
    env = {**c.node_env[node], "PGAPPNAME": name}
    c.start(name, [str(NUANXIN), "worker", "--worker-id", name, "--interval", "0.5"], env)


def make_token(c: Cluster) -> str:
    code = (
        "from nuanxin.accounts.models import User\n"
        "from nuanxin.accounts import services\n"
        f"user = User.objects.get(username='{IMPORT_USER}')\n"
        "token, plain = services.create_api_token(actor=user, user=user, expires_days=7, name='cluster test')\n"
        "print('TOKEN=' + plain)\n"
    )
    out = nuanxin(c, "A", "shell", "-c", code)
    found = re.search(r"TOKEN=(\S+)", out)
    if not found:
        raise RuntimeError(f"no API token: {out[-500:]}")
    return found.group(1)


def load_demo(c: Cluster) -> None:
    """``nuanxin demo`` on node A: the checks sign in as its users, and its data makes the
    scheduler's jobs send the reminders whose duplicates check 4 looks for. A demo that fails
    fails the run (the command's error is shown)."""
    nuanxin(c, "A", "demo", "--quiet-logins", timeout=1200)


CHECKS = [
    ("0. both nodes ready, the proxy in front of both", check_ready),
    ("1. a session opened on A works on B", check_session),
    ("2. a table uploaded through A is planned by B's worker, applied, read through B", check_import),
    ("3. a worker killed mid-apply: nothing half-written, the batch recovered", check_killed_worker),
    ("4. the leading scheduler killed: the lease handed over, nothing twice", check_scheduler),
    ("5. the login lockout holds across nodes", check_lockout),
    ("6. a public page's rate limit counts across nodes (Redis)", check_rate_limit),
]


def run(args, c: Cluster) -> list[tuple[str, bool, str, float]]:
    phases: list[tuple[str, float]] = []
    mark = time.monotonic()

    def phase(name: str) -> None:
        nonlocal mark
        now = time.monotonic()
        phases.append((name, now - mark))
        log(f"{name}: {now - mark:.1f} s")
        mark = now

    shared = {
        "SECRET_KEY": secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATABASE_URL": start_postgres(c),
    }
    phase(f"PostgreSQL on 127.0.0.1:{c.ports['postgres']}")
    shared["REDIS_URL"] = start_redis(c)
    phase(f"Redis on 127.0.0.1:{c.ports['redis']}")
    s3 = s3_environment(c)
    shared.update(s3)
    c.env = shared
    for node in ("A", "B"):
        c.node_env[node] = node_environment(c, node, shared, args.lease)
    # the S3 server (installed on first use) comes up while the database is migrated
    s3_error: list[BaseException] = []

    def s3_up():
        try:
            start_s3(c, s3, allow_install=not args.no_install)
        except BaseException as exc:
            s3_error.append(exc)

    s3_thread = threading.Thread(target=s3_up, daemon=True)
    s3_thread.start()
    nuanxin(c, "A", "migrate", "--no-input")
    phase("migrate (once, from node A)")
    s3_thread.join()
    if s3_error:
        raise s3_error[0]
    phase(f"S3 (moto) on 127.0.0.1:{c.ports['s3']}, bucket {BUCKET}")
    load_demo(c)
    token = make_token(c)
    phase("demo data and an API token for the importer")
    c.started_at = time.time()
    for node in ("A", "B"):
        c.ports[f"web-{node.lower()}"] = free_port()
    for node in ("A", "B"):
        start_node(c, node)
    a, b = (f"http://127.0.0.1:{c.ports['web-a']}", f"http://127.0.0.1:{c.ports['web-b']}")
    import requests

    for base in (a, b):
        wait_until(f"{base}/readyz", lambda base=base: requests.get(f"{base}/readyz", timeout=5).ok, 90, 0.5)
    proxy = start_nginx(c, c.ports["web-a"], c.ports["web-b"], allow_install=not args.no_install,
                        python_proxy=args.python_proxy)
    phase(f"nodes A ({a}) and B ({b}) with a worker and a scheduler each, {c.proxy or 'python proxy'} on {proxy}")
    ctx = Ctx(a=a, b=b, proxy=proxy, token=token, rows=args.rows, lease=args.lease)
    results = []
    for title, check in CHECKS:
        if args.only and not any(title.startswith(f"{n}.") for n in args.only):
            continue
        log(f"CHECK {title}")
        started = time.monotonic()
        try:
            detail, ok = check(c, ctx), True
        except (CheckFailed, RuntimeError, AssertionError, OSError) as exc:
            detail, ok = f"{type(exc).__name__}: {exc}", False
        except Exception as exc:  # a broken check fails; the others still run
            detail, ok = f"{type(exc).__name__}: {exc}", False
        took = time.monotonic() - started
        results.append((title, ok, detail, took))
        log(f"  {'PASS' if ok else 'FAIL'} ({took:.1f} s): {detail}")
    for name, took in phases:
        print(f"  setup: {name}: {took:.1f} s")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="cluster_test.py",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="Logs of every process are in the temporary directory it prints (kept on a failure).",
    )
    parser.add_argument("--rows", type=int, default=6000,
                        help="rows of each imported table (default %(default)s; over 3000 so the apply runs "
                             "in the background, large enough for a worker to be killed mid-apply)")
    parser.add_argument("--lease", type=int, default=10,
                        help="NUANXIN_SCHEDULER_LEASE_SECONDS of both schedulers (default %(default)s)")
    parser.add_argument("--keep", action="store_true",
                        help="after the checks leave everything running until Ctrl-C (to look at it)")
    parser.add_argument("--no-install", action="store_true",
                        help="install nothing (nginx, moto): a Python proxy stands in for a missing nginx")
    parser.add_argument("--python-proxy", action="store_true",
                        help="use the small Python round-robin proxy instead of nginx")
    parser.add_argument("--only", nargs="*", metavar="N", default=[],
                        help="run only these checks (numbers; the setup is always done)")
    args = parser.parse_args(argv)
    if not NUANXIN.exists():
        parser.error(f"{NUANXIN} is missing: run make install first")
    if os.geteuid() != 0:
        parser.error("run as root: PostgreSQL is started as the postgres OS user (runuser)")
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="nuanxin-cluster-"))
    tmp.chmod(0o755)  # the postgres user reaches its data directory below
    (tmp / "logs").mkdir()
    log(f"working directory {tmp}")
    c = Cluster(tmp=tmp, keep=args.keep)

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    results: list = []
    failed_setup = ""
    try:
        results = run(args, c)
        if args.keep:
            log("--keep: everything is left running; Ctrl-C stops it")
            for name, port in c.ports.items():
                print(f"  {name}: 127.0.0.1:{port}")
            while True:
                time.sleep(3600)
    except KeyboardInterrupt:
        failed_setup = failed_setup or "interrupted"
        log("interrupted")
    except Exception as exc:  # reported, then everything is stopped
        failed_setup = f"{type(exc).__name__}: {exc}"
        log(f"SETUP FAILED: {failed_setup}")
        for name in list(c.procs):
            text = c.tail(name, 15)
            if text and c.procs[name].popen.poll() not in (None, 0):
                print(f"--- {name} (exit {c.procs[name].popen.poll()}) ---\n{text}")
    finally:
        stopping = time.monotonic()
        log("stopping everything")
        c.stop_all()
        log(f"stopped in {time.monotonic() - stopping:.1f} s")
    passed = sum(ok for _, ok, _, _ in results)
    print()
    print("Cluster test results:")
    for title, ok, detail, took in results:
        print(f"  {'PASS' if ok else 'FAIL'}  {title} ({took:.1f} s)")
        if not ok:
            print(f"        {detail}")
    failed = len(results) - passed
    ok = not failed and not failed_setup and results
    if ok and not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    if args.keep:
        print(f"everything kept in {tmp}")
    elif not ok:
        shutil.rmtree(tmp / "pg", ignore_errors=True)  # the database goes; the processes' logs stay
        print(f"logs kept in {tmp}/logs")
    if failed_setup and not (args.keep and failed_setup == "interrupted" and results):
        print(f"setup: {failed_setup}")
    print(f"{passed} passed, {failed} failed")
    print(f"total time {time.monotonic() - started:.1f} s")
    return 0 if ok or (args.keep and failed_setup == "interrupted" and not failed) else 1


if __name__ == "__main__":
    sys.exit(main())
