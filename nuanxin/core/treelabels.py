"""Organisation lists drawn as a tree: each name indented by how many of the organisations
*shown* are above it — not by its depth in the whole tree. A viewer whose grant covers the
city's hospitals (a group) sees the city and the hospitals right under it, not the hospitals
indented twice below a district that is not in the list."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

INDENT = "\u3000"  # an ideographic space: one step of the tree


def indents(orgs: Iterable[Any]) -> dict[str, int]:
    """{path: how many of ``orgs`` are its ancestors} for treebeard materialised paths."""
    orgs = list(orgs)
    listed = {o.path for o in orgs}
    result = {}
    for o in orgs:
        step = type(o).steplen
        result[o.path] = sum(1 for end in range(step, len(o.path), step) if o.path[:end] in listed)
    return result


def labelled(orgs: Iterable[Any], *, with_code: bool = False) -> list[tuple[Any, str]]:
    """[(organisation, indented name)] in the order given (tree order: by path)."""
    orgs = list(orgs)
    depth = indents(orgs)
    return [(o, INDENT * depth[o.path] + (f"{o.name} ({o.code})" if with_code else o.name)) for o in orgs]
