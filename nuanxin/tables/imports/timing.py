"""Where the time of an import goes, phase by phase (``bench import_tables --profile``).

Off by default: ``phase(name)`` then returns a shared no-op context manager (about a tenth of
a microsecond). Inside ``record()`` every phase is charged its *exclusive* wall-clock and CPU
time: a phase entered inside another pauses the outer one, so the phases add up to the whole.
Wall time minus CPU time of a phase is mostly time spent waiting for the database.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from collections import defaultdict

_current: Recorder | None = None


class Recorder:
    def __init__(self):
        self.wall: dict[str, float] = defaultdict(float)
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self.stack: list[str] = []
        self.order: list[str] = []
        self._wall = time.perf_counter()
        self._cpu = time.process_time()

    def _charge(self) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        name = self.stack[-1] if self.stack else "(other)"
        self.wall[name] += wall - self._wall
        self.cpu[name] += cpu - self._cpu
        self._wall, self._cpu = wall, cpu

    def enter(self, name: str) -> None:
        self._charge()
        if name not in self.wall:
            self.order.append(name)
        self.stack.append(name)
        self.calls[name] += 1

    def leave(self) -> None:
        self._charge()
        self.stack.pop()

    def table(self) -> list[tuple[str, float, float, int]]:
        """(phase, wall seconds, CPU seconds, times entered), in the order first entered."""
        self._charge()
        names = self.order + [n for n in self.wall if n not in self.order]
        return [(n, self.wall[n], self.cpu[n], self.calls[n]) for n in names]


class _Phase:
    __slots__ = ("name",)

    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        if _current is not None:
            _current.enter(self.name)

    def __exit__(self, *exc):
        if _current is not None:
            _current.leave()
        return False


_NOOP = contextlib.nullcontext()


def phase(name: str):
    """Charge what runs inside to ``name`` while a recorder is active."""
    if _current is None:
        return _NOOP
    return _Phase(name)


def enabled() -> bool:
    return _current is not None


@contextlib.contextmanager
def record():
    """Record the phases of what runs inside; yields the Recorder."""
    global _current
    previous, _current = _current, Recorder()
    try:
        yield _current
    finally:
        _current = previous


_gc_lock = threading.Lock()
_gc_users = 0
_gc_saved: tuple[int, int, int] | None = None
FULL_COLLECTION_EVERY = 1000  # young-generation collections between two full ones (Python: 10)


@contextlib.contextmanager
def fewer_full_collections():
    """Make Python's full garbage collections rarer while an import runs.

    A large import keeps a few hundred thousand objects alive for a while (the states of the
    workers seen so far, a chunk of rows), so with the default thresholds a full collection
    (which walks every object of the process, Django's ~300,000 included, at 0.1–0.3 s each)
    runs every chunk or two and finds nothing to free: 29 of them took 5.5 s of a 100,000-row
    import. Young collections run as usual, so short-lived cycles are still freed at once.
    Process-wide, restored when the last import running in the process ends."""
    global _gc_users, _gc_saved
    with _gc_lock:
        if _gc_users == 0:
            _gc_saved = gc.get_threshold()
            gc.set_threshold(_gc_saved[0], _gc_saved[1], max(_gc_saved[2], FULL_COLLECTION_EVERY))
        _gc_users += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_users -= 1
            if _gc_users == 0 and _gc_saved is not None:
                gc.set_threshold(*_gc_saved)
                _gc_saved = None
