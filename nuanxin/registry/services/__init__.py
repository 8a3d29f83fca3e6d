"""Writes of the register, by concept. Every function takes a keyword-only ``actor`` (a user, or
``SYSTEM`` for the system: CLI, import task, demo), checks inside, through the models' policy
(``Worker.policy``, ``FamilyMember.policy``, ``Deployment.policy``), that the actor may change
the worker's unit, validates and normalises what it is given, and writes its audit row in the
same transaction. Bad input raises ``ServiceError`` with ``field`` set, so forms and the API can
show the message beside the right field; the database is then left as it was.

The modules: ``checks`` (cleaning, scope checks, identity), ``workers``, ``family``,
``deployments`` and ``sensitive`` (sensitive data, revealing mobiles); this package re-exports
their public functions, so callers write ``services.create_worker``.
"""

from nuanxin.registry.services.checks import DEPLOYMENT_FIELDS, FAMILY_FIELDS, SENSITIVE_FIELDS, WORKER_FIELDS
from nuanxin.registry.services.deployments import remove_deployment, save_deployment
from nuanxin.registry.services.family import (
    add_family_member,
    remove_family_member,
    set_primary_family_member,
    update_family_member,
)
from nuanxin.registry.services.sensitive import reveal_mobile, update_sensitive
from nuanxin.registry.services.workers import create_worker, set_worker_status, update_worker

__all__ = [
    "DEPLOYMENT_FIELDS",
    "FAMILY_FIELDS",
    "SENSITIVE_FIELDS",
    "WORKER_FIELDS",
    "add_family_member",
    "create_worker",
    "remove_deployment",
    "remove_family_member",
    "reveal_mobile",
    "save_deployment",
    "set_primary_family_member",
    "set_worker_status",
    "update_family_member",
    "update_sensitive",
    "update_worker",
]
