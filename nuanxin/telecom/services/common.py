"""What the fee waiver's services share: the lines in an actor's reach, saving a line with its
history author, the carrier flag and the list a carrier's line belongs on."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from nuanxin.core.policy import is_system
from nuanxin.registry.choices import Carrier
from nuanxin.telecom.choices import LISTED_CARRIERS
from nuanxin.telecom.models import Waiver

OTHER = "other"  # the fourth list: every number of neither of the three carriers (or none stated)
LISTS = (*[str(c) for c in LISTED_CARRIERS], OTHER)


def list_of(carrier: str) -> str:
    """The list a stated carrier's line is on: mobile, unicom, telecom, or other."""
    return carrier if carrier in LISTED_CARRIERS else OTHER


def carrier_q(list_name: str) -> Q:
    """The lines of one list (``list_of``)."""
    if list_name == OTHER:
        return ~Q(carrier__in=[str(c) for c in LISTED_CARRIERS])
    return Q(carrier=list_name)


def flagged(carrier: str, segment: str, checked: bool) -> bool:
    """A line is flagged when the stated carrier and the segment's are both known, disagree, and
    no person has settled it yet."""
    return bool(carrier and segment and carrier != segment and not checked)


def in_reach(actor: Any, action: str, organisation: Any = None) -> QuerySet[Waiver]:
    """The lines ``actor`` may ``action`` (every line for the system), in ``organisation``'s
    subtree when given."""
    rows = Waiver.objects.all() if is_system(actor) else Waiver.objects.for_user(actor, action)
    if organisation is not None:
        rows = rows.filter(worker__organisation__path__startswith=organisation.path)
    return rows


def save(line: Waiver, actor: Any, fields: list[str]) -> None:
    """Save ``fields`` of ``line`` (and its version), its history row written as ``actor``."""
    line._history_user = None if is_system(actor) else actor  # type: ignore[attr-defined]
    line.version = (line.version or 0) + 1
    line.save(update_fields=[*fields, "version", "updated_at"])


def carrier_words(code: str) -> str:
    """The carrier's label, "" when none."""
    return str(Carrier(code).label) if code in Carrier.values else ""
