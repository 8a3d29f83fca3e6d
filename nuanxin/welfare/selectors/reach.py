"""The organisations a user reaches for the enrolments (their grants' subtrees)."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation
from nuanxin.welfare.models import Enrolment


def organisations(user: Any, action: str) -> Any:
    """The organisations whose enrolments ``user`` may ``action`` (their grants' subtrees), in
    tree order."""
    q = scope.scope_q(user, Enrolment.policy.roles(action), "path")
    if q is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(q).order_by("path")


def organisation_or_404(user: Any, action: str, pk: Any) -> Organisation:
    try:
        return organisations(user, action).get(pk=int(pk))
    except (Organisation.DoesNotExist, TypeError, ValueError):
        raise Http404 from None


def top_organisation(user: Any, action: str) -> Organisation | None:
    return organisations(user, action).order_by("depth", "path").first()
