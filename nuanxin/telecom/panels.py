"""The worker page's panel (``registry.hooks.worker_page``): the member's fee-waiver numbers
with their status, for who may see the lines (``Waiver.policy`` "view": the administrators of
the member's unit and above, the auditors); nobody else gets a card."""

from __future__ import annotations

from typing import Any

from nuanxin.telecom.models import Waiver


def worker_page_panels(*, request: Any, worker: Any, **kwargs: Any) -> list:
    from nuanxin.registry.hooks import WorkerPanel

    user = request.user
    if not Waiver.policy.may(user, "view"):
        return []
    lines = list(Waiver.objects.for_user(user, "view").filter(worker=worker).order_by("-created_at", "-id"))
    if not lines:
        return []
    return [WorkerPanel("sections", "telecom/_worker_waivers.html", {"lines": lines})]
