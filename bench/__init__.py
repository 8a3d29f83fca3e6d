"""Benchmarks, run by `make bench` (never by `make test`). Each module here with a
``main(argv: list[str]) -> int`` is one benchmark; it prints its own figures."""
