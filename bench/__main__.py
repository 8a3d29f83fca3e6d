"""Run the benchmarks: `python -m bench [NAME ...] [-- ARGS]` (all of them by default).

Benchmarks print figures; they never fail on timings. They need PostgreSQL where they say so
(DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test).
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import time
from pathlib import Path


def discover() -> list[str]:
    here = Path(__file__).resolve().parent
    names = []
    for info in pkgutil.iter_modules([str(here)]):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if callable(getattr(module, "main", None)):
            names.append(info.name)
    return sorted(names)


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    extra: list[str] = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1 :]
    parser = argparse.ArgumentParser(prog="make bench", description=__doc__)
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    available = discover()
    if args.list or not available:
        if not available:
            print("No benchmarks yet: bench/ holds no module with a main(argv) function.")
        for name in available:
            doc = (importlib.import_module(f"bench.{name}").__doc__ or "").strip().splitlines()
            print(f"{name}: {doc[0] if doc else ''}")
        return 0
    unknown = [n for n in args.names if n not in available]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(available)}")
    status = 0
    for name in args.names or available:
        print(f"== bench {name} ==", flush=True)
        started = time.perf_counter()
        code = importlib.import_module(f"bench.{name}").main(extra)
        print(f"== {name} finished in {time.perf_counter() - started:.1f} s (exit {code}) ==", flush=True)
        status = status or code
    return status


if __name__ == "__main__":
    sys.exit(main())
