"""Who may do what in the care work (the rules the services check)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nuanxin.care.models import (
    Campaign,
    CareAssignment,
)
from nuanxin.core.errors import NotAllowed
from nuanxin.core.roles import Role
from nuanxin.orgs import scope
from nuanxin.registry.choices import REGISTER_CHANGE_ROLES
from nuanxin.registry.models import Worker

# --- who may do what ----------------------------------------------------------------------


def _user(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def is_city_admin(actor) -> bool:
    return actor is None or scope.covers_root(actor, {Role.CITY_ADMIN})


def may_manage_worker(actor, worker: Worker) -> bool:
    """Admins whose grants cover the worker's unit (the system always)."""
    return actor is None or scope.covers(actor, REGISTER_CHANGE_ROLES, worker.organisation)


def is_current_contact(user, worker: Worker, campaign: Campaign | None = None) -> bool:
    qs = CareAssignment.objects.current().filter(worker=worker, contact=user)
    if campaign is not None:
        qs = qs.filter(campaign=campaign)
    return qs.exists()


def may_care_for(actor, worker: Worker) -> bool:
    """Admins covering the worker, or the care contact the family is assigned to now."""
    if may_manage_worker(actor, worker):
        return True
    return scope.covers(actor, {Role.CARE_CONTACT}, worker.organisation) and is_current_contact(actor, worker)


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise NotAllowed(message)


def _require_city_admin(actor) -> None:
    _require(is_city_admin(actor), _("Only a city administrator may do this."))


