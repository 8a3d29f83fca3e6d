"""What the home page counts inside the user's scope. Each app registers its counters in
its AppConfig.ready(), so the home page grows with the apps without knowing them."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Counter:
    key: str
    label: object  # a lazy translation
    count: Callable  # (user) -> int | None; None hides the counter for this user
    url_name: str | None = None


_counters: list[Counter] = []


def register(counter: Counter) -> None:
    if all(c.key != counter.key for c in _counters):
        _counters.append(counter)


def counts_for(user) -> list[tuple[Counter, int]]:
    result = []
    for counter in _counters:
        value = counter.count(user)
        if value is not None:
            result.append((counter, value))
    return result
