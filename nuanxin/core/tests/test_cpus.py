"""The CPUs the web server's default worker count counts (core/cpus.py): the process's affinity
and a cgroup v2 ``cpu.max`` quota, the smaller, at least 1."""

import os

import pytest

from nuanxin.core import cpus


@pytest.fixture
def four_cpus(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)


@pytest.mark.parametrize(
    ("cpu_max", "expected"),
    [
        (None, 4),  # no cpu.max file: the affinity
        ("max 100000\n", 4),  # no quota
        ("200000 100000\n", 2),
        ("150000 100000\n", 2),  # a part of a CPU still runs a worker
        ("50000 100000\n", 1),  # half a CPU: at least 1
        ("800000 100000\n", 4),  # a quota above the CPUs the process may run on
        ("not a quota\n", 4),
    ],
)
def test_the_smaller_of_the_affinity_and_the_quota(four_cpus, tmp_path, cpu_max, expected):
    path = tmp_path / "cpu.max"
    if cpu_max is not None:
        path.write_text(cpu_max)
    assert cpus.usable_cpus(path) == expected


def test_the_affinity_alone_counts_without_a_quota(monkeypatch, tmp_path):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3}, raising=False)
    assert cpus.usable_cpus(tmp_path / "missing") == 1


def test_the_quota_of_the_process_cgroup_or_a_parent_counts(four_cpus, tmp_path):
    """A systemd unit's CPUQuota= is on its own cgroup's cpu.max, a slice's on its parent's."""
    (tmp_path / "system.slice" / "nuanxin-web.service").mkdir(parents=True)
    (tmp_path / "system.slice" / "cpu.max").write_text("300000 100000\n")
    (tmp_path / "system.slice" / "nuanxin-web.service" / "cpu.max").write_text("max 100000\n")
    self_cgroup = tmp_path / "self-cgroup"
    self_cgroup.write_text("0::/system.slice/nuanxin-web.service\n")
    files = cpus.cpu_max_files(root=tmp_path, self_cgroup=self_cgroup)
    assert files == [
        tmp_path / "cpu.max",
        tmp_path / "system.slice" / "cpu.max",
        tmp_path / "system.slice" / "nuanxin-web.service" / "cpu.max",
    ]
    assert [cpus.quota_cpus(f) for f in files] == [None, 3.0, None]


def test_the_default_worker_count_is_two_per_usable_cpu():
    """settings: NUANXIN_WEB_WORKERS defaults to 2 × usable_cpus() (read in a fresh interpreter)."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "NUANXIN_WEB_WORKERS"}
    code = (
        "import django, os; django.setup(); from django.conf import settings; from nuanxin.core import cpus; "
        "print(settings.NUANXIN_WEB_WORKERS, 2 * cpus.usable_cpus())"
    )
    env["DJANGO_SETTINGS_MODULE"] = "nuanxin.settings"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True, timeout=60)
    workers, expected = out.stdout.split()
    assert workers == expected
