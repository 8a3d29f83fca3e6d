"""Reads of the hotline pages: the hotlines in a user's reach, a hotline's lines and members by
kind, and the people who may join it. No psychological record is read here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from nuanxin.accounts.models import User
from nuanxin.hotline.choices import MemberKind
from nuanxin.hotline.models import Hotline, HotlineLine, HotlineMember
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation


def hotlines_for(user: Any) -> QuerySet[Hotline]:
    """The hotlines ``user`` may see (a counsellor: those they serve; administrators, viewers
    and auditors: those of their organisations), with their organisation, active lines and the
    number of active members, in tree order."""
    return (
        Hotline.objects.for_user(user, "view")
        .select_related("organisation")
        .prefetch_related(Prefetch("lines", queryset=HotlineLine.objects.filter(active=True), to_attr="active_lines"))
        .annotate(member_count=Count("members__user", filter=Q(members__active=True), distinct=True))
        .order_by("organisation__path", "name", "pk")
    )


@dataclass
class Members:
    """A hotline's active members by kind, each list by name."""

    counsellors: list[HotlineMember] = field(default_factory=list)
    supervisors: list[HotlineMember] = field(default_factory=list)
    coordinators: list[HotlineMember] = field(default_factory=list)

    def groups(self) -> list[tuple[str, Any, list[HotlineMember]]]:
        return [
            (MemberKind.COUNSELLOR.value, MemberKind.COUNSELLOR.label, self.counsellors),
            (MemberKind.SUPERVISOR.value, MemberKind.SUPERVISOR.label, self.supervisors),
            (MemberKind.COORDINATOR.value, MemberKind.COORDINATOR.label, self.coordinators),
        ]


def members(hotline: Hotline) -> Members:
    rows = (
        HotlineMember.objects.filter(hotline=hotline, active=True, user__is_active=True)
        .select_related("user")
        .order_by("user__full_name", "user__username", "pk")
    )
    result = Members()
    by_kind = {
        MemberKind.COUNSELLOR: result.counsellors,
        MemberKind.SUPERVISOR: result.supervisors,
        MemberKind.COORDINATOR: result.coordinators,
    }
    for row in rows:
        by_kind[MemberKind(row.kind)].append(row)
    return result


def lines(hotline: Hotline) -> list[HotlineLine]:
    """Every line of the hotline, active ones first, in their order."""
    return list(HotlineLine.objects.filter(hotline=hotline).order_by("-active", "order", "pk"))


def candidates(hotline: Hotline) -> dict[str, list[User]]:
    """Per member kind, the active users holding that role on the hotline's organisation (a
    grant on it or above it): the people who may be added in that capacity. By name."""
    tree = scope.GrantTree()
    result: dict[str, list[User]] = {}
    for kind in MemberKind.values:
        users = tree.holders(frozenset({kind}), hotline.organisation.path)
        result[kind] = sorted(users, key=lambda u: (u.full_name or u.username, u.pk))
    return result


def member_of(user: Any, hotline: Hotline) -> set[str]:
    """The kinds in which ``user`` is an active member of ``hotline``."""
    user_id = getattr(user, "pk", None)
    if user_id is None:
        return set()
    rows = HotlineMember.objects.filter(hotline=hotline, user_id=user_id, active=True)
    return set(rows.values_list("kind", flat=True))


def manageable_organisations(user: Any) -> QuerySet[Organisation]:
    """The organisations where ``user`` may open a hotline (administrators: their subtree)."""
    q = scope.scope_q(user, Hotline.policy.roles("manage"), "path")
    return Organisation.objects.none() if q is None else Organisation.objects.filter(q).order_by("path")
