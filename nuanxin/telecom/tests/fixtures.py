"""Shared test data of the fee waiver, built through the services.

On top of the personas of the root conftest (``p``: 甲 city admin, 乙 市南区 admin, 丙 市北区
admin, viewer, auditor): Hubei aid-team members of 市南区人民医院工会 (SN-H1) and 市北区人民医院工会
(SB-H1) with a deployment and the number they used in Hubei. Segments: 139… is China Mobile's,
186… China Unicom's, 189… China Telecom's."""

from __future__ import annotations

from datetime import date
from typing import Any

from nuanxin.core.policy import SYSTEM
from nuanxin.registry import services as registry
from nuanxin.registry.choices import TeamType
from nuanxin.registry.models import Deployment
from nuanxin.telecom.models import Waiver
from nuanxin.telecom.services import lists

MOBILE = "13900010001"
UNICOM = "18600010001"
TELECOM = "18900010001"

DEPARTED = date(2020, 2, 2)
RETURNED = date(2020, 3, 21)


def member(unit: Any, name: str, mobile: str, *, carrier: str | None = None, departed: date = DEPARTED,
           returned: date | None = None, team: str = TeamType.HUBEI_AID) -> Deployment:
    """An aid-team worker of ``unit`` with one deployment using ``mobile`` (the carrier stated, or
    the segment's when None)."""
    worker = registry.create_worker(actor=SYSTEM, organisation=unit, name=name, team=team)
    values: dict[str, Any] = {"batch": "第一批", "destination": "武汉", "departed_on": departed,
                              "returned_on": returned, "deployed_mobile": mobile}
    if carrier is not None:
        values["carrier"] = carrier
    return registry.save_deployment(actor=SYSTEM, worker=worker, **values)


def line_of(dep: Deployment) -> Waiver:
    return Waiver.objects.get(deployment=dep, mobile=dep.deployed_mobile)


def listed(unit: Any, name: str, mobile: str, **kwargs: Any) -> Waiver:
    """A member and their line, listed by the sync."""
    dep = member(unit, name, mobile, **kwargs)
    lists.sync(actor=SYSTEM)
    return line_of(dep)


def number(n: int, prefix: str = "1390001") -> str:
    return f"{prefix}{n:04d}"


def record_return(dep: Deployment, on: date) -> Deployment:
    """The member came back on ``on`` (the register's deployment), then the sync."""
    dep = registry.save_deployment(actor=SYSTEM, worker=dep.worker, deployment=dep, returned_on=on)
    lists.sync(actor=SYSTEM)
    return dep
