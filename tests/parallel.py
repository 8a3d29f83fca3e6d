"""Races tested for real: calls run at the same moment in threads, each thread on its own
database connection (closed when it ends). PostgreSQL only: SQLite's one writer runs
transactions one after the other, so nothing would race there.

Use with ``@on_postgres`` and ``@pytest.mark.django_db(transaction=True)`` (the threads must
see the rows the test made, so they cannot live in the test's own transaction)::

    results = run_together(lambda: save(version=1), lambda: save(version=1))
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Worker"]
"""

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.utils import translation

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="a race needs parallel connections on PostgreSQL (SQLite runs one writer at a time)",
)


def run_together(*calls: Callable) -> list:
    """Start every call in its own thread, all released at once by a barrier; returns what
    each returned or the exception it raised, in the order of ``calls``. Each thread speaks the
    caller's language (a new thread would start in the default one, Chinese)."""
    language = translation.get_language()
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(i: int, call: Callable) -> None:
        try:
            barrier.wait(timeout=60)
            with translation.override(language):
                results[i] = call()
        except Exception as exc:  # the caller's assertions look at it
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results
