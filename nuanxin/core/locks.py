"""Named locks held until the current transaction ends, for work that must run one at a time
but locks no single row: the lockout counters of a username or an address, the shape of the
organisation tree, a username in any case.

PostgreSQL: one transaction-scoped advisory lock per name (``pg_advisory_xact_lock``), taken
in a fixed order so that two transactions sharing names cannot deadlock; nothing else waits
for them. SQLite: nothing to do, the project's transactions begin IMMEDIATE, so every writing
transaction already holds the database's one write lock.
"""

from __future__ import annotations

import hashlib

from django.db import connection


def advisory_key(name: str) -> int:
    """A stable signed 64-bit number for ``name`` (PostgreSQL's advisory lock space): the same
    in every process, unlike Python's salted ``hash``."""
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def hold(*names: str) -> None:
    """Wait until no other transaction holds any of ``names``, then hold them until this
    transaction ends. Call inside ``transaction.atomic``."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for key in sorted({advisory_key(name) for name in names}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [key])
