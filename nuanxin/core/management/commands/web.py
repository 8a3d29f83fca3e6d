"""``nuanxin web``: the web application under gunicorn, the production WSGI server."""

from __future__ import annotations

import logging
import os
import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _

from nuanxin.core.weblog import ACCESS_FORMAT


def gunicorn_command(*, bind: str, workers: int, threads: int, timeout: int, backlog: int, loglevel: str) -> list[str]:
    """The gunicorn command line ``nuanxin web`` becomes. Its master imports neither Django nor the
    application (``preload`` off, the logger class in ``core/weblog.py``): every worker imports the
    code afresh, so a SIGHUP after an upgrade starts workers with the new code."""
    return [
        sys.executable, "-m", "gunicorn", "nuanxin.wsgi:application",
        "--bind", bind,
        "--workers", str(workers),
        "--threads", str(threads),
        # Several threads need the threaded worker; one thread is the plain sync worker.
        "--worker-class", "gthread" if threads > 1 else "sync",
        "--timeout", str(timeout),
        "--graceful-timeout", "30",  # SIGTERM or SIGHUP: requests under way are finished first
        "--keep-alive", "5",
        "--backlog", str(backlog),
        "--access-logfile", "-",
        "--error-logfile", "-",
        "--access-logformat", ACCESS_FORMAT,
        "--logger-class", "nuanxin.core.weblog.MaskedLogger",
        "--log-level", loglevel,
        "--name", "nuanxin-web",
        "--no-control-socket",  # gunicorn 25+: no control socket in the home directory
    ]


class Command(BaseCommand):
    help = (
        "Serve the web application (pages, /api/v1/, static files through WhiteNoise) with gunicorn, "
        "the production WSGI server. Processes and threads come from NUANXIN_WEB_WORKERS (default: "
        "2 per CPU this process may use: its affinity and cgroup quota) and NUANXIN_WEB_THREADS (default "
        "1), or the options below. The access log goes "
        "to standard output with mobiles and ID numbers masked. This command becomes the gunicorn master "
        "(same process id): SIGHUP starts new workers with the code as it is on disk now and retires the "
        "old ones after their requests (a reload without downtime), SIGTERM stops after the requests "
        "under way, Ctrl-C stops at once. Behind a reverse proxy listen on a private address only "
        "(docs/operations.md)."
    )
    requires_system_checks = []  # the workers import the application; checks run in `nuanxin check`

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default: %(default)s).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default: %(default)s).")
        parser.add_argument(
            "--workers", type=int, default=settings.NUANXIN_WEB_WORKERS,
            help="Worker processes (default: NUANXIN_WEB_WORKERS, now %(default)s).",
        )
        parser.add_argument(
            "--threads", type=int, default=settings.NUANXIN_WEB_THREADS,
            help="Threads per worker (default: NUANXIN_WEB_THREADS, now %(default)s).",
        )

    def handle(self, *, host: str, port: int, workers: int, threads: int, **options):
        if workers < 1 or threads < 1:
            raise CommandError(_("--workers and --threads must be 1 or more."))
        if not 0 < port < 65536:
            raise CommandError(_("--port must be between 1 and 65535."))
        bind = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        loglevel = logging.getLevelName(logging.getLogger().getEffectiveLevel()).lower()
        command = gunicorn_command(
            bind=bind, workers=workers, threads=threads, timeout=settings.NUANXIN_WEB_TIMEOUT,
            backlog=settings.NUANXIN_WEB_BACKLOG, loglevel=loglevel,
        )
        connections.close_all()
        self.stdout.flush()
        sys.stderr.flush()
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE}
        os.execve(sys.executable, command, env)  # noqa: S606 (our own interpreter, our arguments)
