"""``nuanxin web``: the web application under gunicorn, the production WSGI server."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connections
from django.utils.translation import gettext as _
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

from nuanxin.core.logformat import JsonFormatter
from nuanxin.core.logmask import MaskPersonalNumbers, mask_text

# The client, the request line, status, bytes, time taken (ms) and the browser; masked below.
ACCESS_FORMAT = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'


class MaskedLogger(Logger):
    """gunicorn's logger with the application's mask on its access and error logs: a mobile
    typed into a search box travels in the request line (``/registry/?q=13812345678``). With
    ``NUANXIN_LOG_FORMAT=json`` both write JSON lines (core/logformat.py), an access line with
    its fields apart (remote, method, path, status, bytes, ms, agent, request_id)."""

    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, MaskPersonalNumbers) for f in log.filters):
                log.addFilter(MaskPersonalNumbers())
            if settings.NUANXIN_LOG_FORMAT == "json":
                for handler in log.handlers:
                    handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time):
        if settings.NUANXIN_LOG_FORMAT != "json":
            return super().access(resp, req, environ, request_time)
        if not self.access_log_enabled:
            return None
        atoms = self.atoms(resp, req, environ, request_time)
        query = atoms["q"]
        fields = {
            "remote": atoms["h"],
            "method": atoms["m"],
            "path": mask_text(f"{atoms['U']}?{query}" if query else atoms["U"] or ""),
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"],
            "ms": atoms["M"],
            "agent": atoms["a"],
            "request_id": atoms.get("{x-request-id}o"),
        }
        self.access_log.info("%s", atoms["r"], extra={"fields": fields})
        return None


class Server(BaseApplication):
    """gunicorn run from Python with our settings (no gunicorn.conf.py is read)."""

    def __init__(self, options: dict):
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from nuanxin.wsgi import application

        return application


def server_options(*, bind: str, workers: int, threads: int, timeout: int, backlog: int) -> dict:
    return {
        "bind": [bind],
        "workers": workers,
        "threads": threads,
        # Several threads need the threaded worker; one thread is the plain sync worker.
        "worker_class": "gthread" if threads > 1 else "sync",
        "timeout": timeout,
        "graceful_timeout": 30,  # SIGTERM or SIGHUP: requests under way are finished first
        "keepalive": 5,
        "backlog": backlog,
        "preload_app": False,  # each worker opens its own database connections after the fork
        "accesslog": "-",
        "errorlog": "-",
        "access_log_format": ACCESS_FORMAT,
        "logger_class": MaskedLogger,
        "loglevel": logging.getLevelName(logging.getLogger().getEffectiveLevel()).lower(),
        "proc_name": "nuanxin-web",
        "control_socket_disable": True,  # gunicorn 25+: no control socket in the working directory
    }


class Command(BaseCommand):
    help = (
        "Serve the web application (pages, /api/v1/, static files through WhiteNoise) with gunicorn, "
        "the production WSGI server. Processes and threads come from NUANXIN_WEB_WORKERS (default: "
        "2 per CPU core) and NUANXIN_WEB_THREADS (default 1), or the options below. The access log goes "
        "to standard output with mobiles and ID numbers masked. SIGHUP reloads the workers gracefully "
        "(e.g. after an upgrade), SIGTERM stops after the requests under way, Ctrl-C stops at once. "
        "Behind a reverse proxy listen on 127.0.0.1 only (docs/operations.md)."
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
        connections.close_all()  # nothing open may cross the fork into the workers
        Server(
            server_options(
                bind=bind, workers=workers, threads=threads,
                timeout=settings.NUANXIN_WEB_TIMEOUT, backlog=settings.NUANXIN_WEB_BACKLOG,
            )
        ).run()
