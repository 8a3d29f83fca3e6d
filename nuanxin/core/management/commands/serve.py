"""``nuanxin serve``: the embedded start — web server, task worker and scheduler together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

STOP_GRACE_SECONDS = 20  # a worker finishes its current task first
PORT_POLL_SECONDS = 0.2  # how often the web server's port is tried before the address is announced


def port_accepts(host: str, port: int, timeout: float = 0.5) -> bool:
    """Whether something listens on ``host``:``port`` (a connection is made and closed)."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(host: str, port: int, child: subprocess.Popen, *, stop=lambda: False,
                  poll: float = PORT_POLL_SECONDS) -> bool:
    """Wait until ``port`` accepts connections (True), or until ``child`` (the web server) has
    exited or ``stop()`` says we are stopping (False). No time limit of its own: a slow start on a
    busy machine is still a start, and a web server that cannot bind exits."""
    while True:
        if port_accepts(host, port):
            return True
        if child.poll() is not None or stop():
            return False
        time.sleep(poll)


class Command(BaseCommand):
    help = (
        "Start Nuanxin on one machine: the web server (`nuanxin web`: gunicorn with "
        "NUANXIN_WEB_WORKERS processes, static files through WhiteNoise), `nuanxin worker` and "
        "`nuanxin scheduler`, as three child processes. Prints the address and the demo logins once the web server "
        "accepts connections. "
        "Ctrl-C or SIGTERM stops all three; if one of them ends, the others are stopped too and the "
        "exit status is non-zero when a child failed. For the embedded start and one-machine "
        "installations; on several machines run `nuanxin web` and `nuanxin worker` on each and "
        "`nuanxin scheduler` on two or more (one holds the lease), see docs/operations.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default: %(default)s).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default: %(default)s).")

    def handle(self, *, host: str, port: int, **options):
        self._check_migrations()
        if port_accepts(self._reachable(host), port):
            # Another program answers there: the web server could not listen, and waiting for
            # the port would announce the other program's address as ours.
            raise CommandError(
                _("Port %(port)s is already in use by another program: stop it, or choose another port "
                  "(nuanxin serve --port 8001, make run PORT=8001).") % {"port": port}
            )
        base = [sys.executable, "-m", "nuanxin.cli"]
        commands = {
            "web": [*base, "web", "--host", host, "--port", str(port)],
            "worker": [*base, "worker"],
            "scheduler": [*base, "scheduler"],
        }
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings.SETTINGS_MODULE, "PYTHONUNBUFFERED": "1"}

        self.signalled: list[int] = []
        self.killed: set[str] = set()  # children we stopped with SIGKILL
        self.children: dict[str, subprocess.Popen] = {}
        previous = {sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            for name, command in commands.items():
                # Own process group: a terminal's Ctrl-C reaches only us, and we pass it on
                # once (a second SIGINT would make the worker abandon its current task).
                self.children[name] = subprocess.Popen(command, env=env, process_group=0)  # noqa: S603
                self._say(_("%(name)s started (pid %(pid)s)") % {"name": name, "pid": self.children[name].pid})
            # Announced once the port answers (gunicorn takes a few seconds to start); not at all
            # when the web server ended first (said by _supervise) or we are told to stop.
            if wait_for_port(self._reachable(host), port, self.children["web"], stop=lambda: bool(self.signalled)):
                self._announce(host, port)
            code = self._supervise()
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if self.signalled:
            # Stopped as asked: by the signal passed on, or killed by us (a second Ctrl-C, or a
            # child still running after the grace period). Only a child that failed otherwise
            # makes the exit status non-zero (``make run`` then says "Error 1").
            stopped_ok = {0, -signal.SIGINT, -signal.SIGTERM}
            failed = {name: c.returncode for name, c in self.children.items()
                      if c.returncode not in stopped_ok and name not in self.killed}
            for name, returncode in failed.items():
                self.stderr.write(
                    _("%(name)s ended with status %(status)s while stopping.") % {"name": name, "status": returncode}
                )
            code = 1 if failed else 0
        if code:
            sys.exit(code)

    # --- helpers --------------------------------------------------------------------------

    def _check_migrations(self) -> None:
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(_("The database has unapplied migrations: run `nuanxin migrate` first."))
        connection.close()

    @staticmethod
    def _reachable(host: str) -> str:
        """The address to try the port at: a wildcard's loopback."""
        return {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}.get(host, host)  # noqa: S104

    def _announce(self, host: str, port: int) -> None:
        shown = "127.0.0.1" if host in {"0.0.0.0", "::", ""} else host  # noqa: S104
        shown = f"[{shown}]" if ":" in shown else shown
        self._say("")
        self._say(self.style.SUCCESS(_("Nuanxin is running at http://%(address)s/") % {"address": f"{shown}:{port}"}))
        for line in self._demo_lines():
            self._say(line)
        self._say(_("Press Ctrl-C to stop the web server, the worker and the scheduler."))
        self._say("")

    def _say(self, line: str) -> None:
        # Flushed at once: the children write to the same output, and a buffered line would be
        # written out of order (or over their lines when the output is a plain file).
        self.stdout.write(line)
        self.stdout.flush()

    def _demo_lines(self) -> list[str]:
        try:
            from nuanxin.core.demo import demo_logins
        except ImportError:
            return []
        try:
            logins = demo_logins()
        except Exception:  # no demo loaded, or the demo module changed: the logins are a courtesy
            return []
        finally:
            connections.close_all()
        if not logins:
            return []
        lines = [_("Demo logins (password, role, organisation):")]
        for username, password, role, organisation in logins:
            lines.append(f"  {username:<18} {password:<20} {role} · {organisation}")
        return lines

    def _on_signal(self, signum, frame) -> None:
        self.signalled.append(signum)
        force = len(self.signalled) > 1
        if force:
            self._say(_("Stopping at once."))
        else:
            self._say(_("Stopping the web server, the worker and the scheduler (Ctrl-C again stops them at once)…"))
        for name, child in self.children.items():
            if child.poll() is None:
                try:
                    if force:  # the child's whole process group: the web server's workers too
                        os.killpg(child.pid, signal.SIGKILL)
                    else:
                        child.send_signal(signum)
                except ProcessLookupError:
                    continue
                if force:
                    self.killed.add(name)

    def _supervise(self) -> int:
        """Wait until we are told to stop or a child ends; the exit status to return."""
        while not self.signalled:
            for name, child in self.children.items():
                code = child.poll()
                if code is not None:
                    if code >= 0:
                        message = _("%(name)s exited with status %(status)s; stopping the others.")
                    else:
                        message = _("%(name)s was killed by signal %(signal)s; stopping the others.")
                    self.stderr.write(message % {"name": name, "status": code, "signal": -code})
                    return 1 if code != 0 else 0
            time.sleep(0.2)
        return 0

    def _stop_all(self) -> None:
        for child in self.children.values():
            if child.poll() is None and not self.signalled:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in self.children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                name = next(n for n, c in self.children.items() if c is child)
                self.stderr.write(_("%(name)s did not stop within %(seconds)s seconds; stopping it at once.")
                                  % {"name": name, "seconds": STOP_GRACE_SECONDS})
                self.killed.add(name)
                try:
                    os.killpg(child.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                child.wait()
