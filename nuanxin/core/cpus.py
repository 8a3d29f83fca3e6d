"""How many CPUs this process may use: the default of ``NUANXIN_WEB_WORKERS`` (two per CPU).

``os.cpu_count()`` counts the host's cores; a container or a systemd unit may give the process
fewer: the CPUs it may run on (``sched_getaffinity``: ``taskset``, a cpuset, ``docker
--cpuset-cpus``) and a cgroup v2 CPU quota (``cpu.max``: ``docker --cpus``, systemd ``CPUQuota=``).
The smallest of them counts, at least 1; a quota of 1.5 CPUs counts as 2 (a worker may use a part
of one). No Django here: the settings import this module.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
SELF_CGROUP = Path("/proc/self/cgroup")


def quota_cpus(cpu_max: Path | str) -> float | None:
    """The CPUs a cgroup v2 ``cpu.max`` file allows: "200000 100000" (quota, period in µs) is 2,
    "max 100000" is no limit (None); None as well when the file is missing or not understood."""
    try:
        fields = Path(cpu_max).read_text().split()
    except OSError:
        return None
    if len(fields) != 2 or fields[0] == "max":
        return None
    try:
        quota, period = int(fields[0]), int(fields[1])
    except ValueError:
        return None
    return quota / period if quota > 0 and period > 0 else None


def cpu_max_files(root: Path = CGROUP_ROOT, self_cgroup: Path = SELF_CGROUP) -> list[Path]:
    """The ``cpu.max`` files that may limit this process: the root's (a container's own cgroup is
    its root) and those of its cgroup and each parent (a systemd unit's ``CPUQuota=``, a slice's)."""
    files = [root / "cpu.max"]
    try:
        lines = self_cgroup.read_text().splitlines()
    except OSError:
        return files
    for line in lines:
        if line.startswith("0::"):  # cgroup v2: "0::/system.slice/nuanxin-web.service"
            parts = [part for part in line[3:].strip().split("/") if part and part != ".."]
            files += [root.joinpath(*parts[:depth], "cpu.max") for depth in range(1, len(parts) + 1)]
    return files


def usable_cpus(cpu_max: Path | str | None = None) -> int:
    """The CPUs this process may use (see the module's docstring). ``cpu_max``: one ``cpu.max``
    file to read instead of this process's cgroups (tests)."""
    if hasattr(os, "sched_getaffinity"):
        counts = [len(os.sched_getaffinity(0))]
    else:  # not Linux
        counts = [os.cpu_count() or 1]
    files = [Path(cpu_max)] if cpu_max is not None else cpu_max_files()
    for path in files:
        quota = quota_cpus(path)
        if quota is not None:
            counts.append(math.ceil(quota))
    return max(1, min(counts))
