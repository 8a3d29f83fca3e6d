"""Hooks: how a lower app tells higher apps that something happened, without importing them.

A lower app declares the hook once, in its ``hooks.py``::

    worker_moved = Hook("registry.worker_moved")

a higher app connects a plain callable in its ``AppConfig.ready()``::

    registry_hooks.worker_moved.connect(follow_the_move)

and the announcing service fires it, inside its own transaction, after its own writes::

    hooks.worker_moved.fire(actor=actor, worker=worker, previous_unit=previous)

Receivers run in the order they were connected (INSTALLED_APPS order, as ``ready()`` runs),
synchronously and in the caller's transaction: a receiver that raises rolls the whole service
call back, so a reaction is never half done. Arguments are keyword-only; a receiver accepts
the ones it needs and ``**kwargs`` for the rest, so a hook may grow arguments. There is no
Django signal underneath: no weak references, no senders, nothing to disconnect by accident.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Receiver = Callable[..., Any]

_registry: dict[str, Hook] = {}


class Hook:
    """A named, ordered list of receivers. ``name`` is ``"<app>.<event>"`` and unique."""

    def __init__(self, name: str, doc: str = "") -> None:
        if name in _registry:
            raise ValueError(f"hook {name!r} is declared twice")
        self.name = name
        self.__doc__ = doc
        self._receivers: list[Receiver] = []
        _registry[name] = self

    def __repr__(self) -> str:
        return f"<Hook {self.name}: {len(self._receivers)} receivers>"

    @property
    def receivers(self) -> tuple[Receiver, ...]:
        return tuple(self._receivers)

    def connect(self, receiver: Receiver) -> Receiver:
        """Add ``receiver`` (once: connecting it again, e.g. when ``ready()`` runs twice in a
        test, changes nothing). Returns it, so it may be used as a decorator."""
        if not callable(receiver):
            raise TypeError(f"{receiver!r} is not callable")
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def disconnect(self, receiver: Receiver) -> None:
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    def fire(self, **kwargs: Any) -> list[Any]:
        """Call every receiver with these keyword arguments, in order, in the caller's
        transaction; returns their results. An exception stops the rest and propagates."""
        return [receiver(**kwargs) for receiver in list(self._receivers)]

    @contextmanager
    def connected(self, receiver: Receiver) -> Iterator[Receiver]:
        """Connect ``receiver`` for the duration of a ``with`` block (tests)."""
        already = receiver in self._receivers
        self.connect(receiver)
        try:
            yield receiver
        finally:
            if not already:
                self.disconnect(receiver)


def all_hooks() -> dict[str, Hook]:
    """Every hook declared so far, by name (for the architecture docs and checks)."""
    return dict(_registry)
