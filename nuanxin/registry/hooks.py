"""What the register announces to the apps above it (``nuanxin/core/hooks.py``).

The register's services fire these inside their own transaction, after their own writes and
audit rows; apps above (care today) connect to them in their ``AppConfig.ready()``. The
register imports none of them. Arguments are keyword-only; receivers take ``**kwargs``.
"""

from dataclasses import dataclass, field

from nuanxin.core.hooks import Hook

worker_saved = Hook(
    "registry.worker_saved",
    """A worker was added or changed. ``actor``, ``worker``, ``created`` (bool), ``changed``
    (frozenset of the changed field names; every field on a create).""",
)
workers_saved = Hook(
    "registry.workers_saved",
    """Many workers were written at once, in bulk (the demo's load): ``actor``, ``worker_ids``.
    Receivers treat every one of them as possibly new or changed.""",
)
worker_moved = Hook(
    "registry.worker_moved",
    """A worker moved to another unit: ``actor``, ``worker`` (already saved in the new unit),
    ``previous_unit``. Fired before ``worker_saved`` of the same change.""",
)
worker_archived = Hook(
    "registry.worker_archived",
    """A worker was removed from the register (status ``archived``): ``actor``, ``worker``.
    Fired after ``worker_saved`` of the same change.""",
)
worker_page = Hook(
    "registry.worker_page",
    """A worker's page is being shown: ``request``, ``worker``. Each receiver returns a list of
    ``WorkerPanel`` to show there (its own scope checks and audited reads are its business).""",
)


@dataclass(frozen=True)
class WorkerPanel:
    """A piece another app adds to the worker's page. ``slot``: ``"actions"`` (buttons next to
    the name), ``"fields"`` (``<dt>``/``<dd>`` rows of the worker's fields) or ``"sections"``
    (cards after the deployments). ``template`` is included with ``panel`` = ``context``."""

    slot: str
    template: str
    context: dict = field(default_factory=dict)

    def __post_init__(self):
        if self.slot not in {"actions", "fields", "sections"}:
            raise ValueError(f"unknown worker page slot {self.slot!r}")


def worker_panels(request, worker) -> dict[str, list[WorkerPanel]]:
    """The panels every connected app adds to ``worker``'s page, by slot, in app order."""
    panels: dict[str, list[WorkerPanel]] = {"actions": [], "fields": [], "sections": []}
    for result in worker_page.fire(request=request, worker=worker):
        for panel in result or ():
            panels[panel.slot].append(panel)
    return panels
