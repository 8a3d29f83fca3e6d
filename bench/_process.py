"""What the benchmarks share about the servers they start (not a benchmark: no ``main``)."""

from __future__ import annotations

import os
import signal
import subprocess


def stop_group(process: subprocess.Popen, grace: float = 30) -> None:
    """SIGTERM to ``process``'s group (gunicorn's arbiter and its workers), SIGKILL after ``grace``
    seconds."""
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=grace)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)
