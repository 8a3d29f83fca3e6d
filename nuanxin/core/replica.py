"""The reports' reads from a PostgreSQL read replica (``DATABASE_REPLICA_URL``; docs/scaling.md).

Off unless the settings name a ``replica`` database and install the router and the middleware
(the snippet in docs/scaling.md). Then a GET or HEAD request whose path starts with one of
``NUANXIN_REPLICA_PATHS`` (default: the care overview and chart, the reports' dashboard, brief and
submission rates) reads its rows from
the replica, except:

- the tables that must be current for the request to be answered at all — sessions, users and
  their sign-in data, permissions, content types, the task queue and core's own tables
  (audit, idempotency keys): a session opened a moment ago on the primary may not have reached
  the replica yet;
- anything read inside a transaction (``transaction.atomic``): it reads what it is about to
  write, from the primary.

Every write goes to the primary, also of an object read from the replica (Django would
otherwise send it back where it came from). A replica is a physical copy of the primary
(streaming replication): it is never migrated on its own. What the replica shows may be a
moment behind the primary (its replication lag); a report of a week's figures tolerates that,
a form does not, which is why only read-only pages are listed.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
# Always read from the primary (see the module's docstring).
PRIMARY_ONLY = frozenset({"sessions", "accounts", "auth", "contenttypes", "django_tasks_db", "core"})

_reading = contextvars.ContextVar("nuanxin_replica_reads", default=False)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Within the block, reads go to the replica where the router allows it."""
    token = _reading.set(True)
    try:
        yield
    finally:
        _reading.reset(token)


def enabled() -> bool:
    return REPLICA in settings.DATABASES


class ReplicaRouter:
    """``DATABASE_ROUTERS = ["nuanxin.core.replica.ReplicaRouter"]``."""

    def db_for_read(self, model, **hints):
        if not _reading.get() or not enabled() or model._meta.app_label in PRIMARY_ONLY:
            return None
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return None
        return REPLICA

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db != REPLICA


class ReplicaReadsMiddleware:
    """GET and HEAD requests to the report pages read from the replica (after the session and
    authentication middleware, which read from the primary anyway)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.paths = tuple(settings.NUANXIN_REPLICA_PATHS)

    def __call__(self, request):
        if enabled() and request.method in ("GET", "HEAD") and request.path.startswith(self.paths):
            with replica_reads():
                return self.get_response(request)
        return self.get_response(request)
