"""The figures of a scheme (counts only: viewers see them too): per organisation of the level
below the user's reach (the districts for the city), the team members eligible (enrolled or
not), enrolled, of which members already (from the scheme's list) and enrolled by the union,
and charged to a fund (a rejected expenditure does not count)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from nuanxin.funds.choices import EntryStatus
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation
from nuanxin.welfare.choices import EnrolmentSource
from nuanxin.welfare.models import Enrolment, Scheme
from nuanxin.welfare.selectors.eligibility import team_workers


@dataclass
class Row:
    key: str
    label: str
    eligible: int = 0  # team members in the register (enrolled or not)
    enrolled: int = 0
    imported: int = 0
    by_union: int = 0
    charged: int = 0

    @property
    def not_enrolled(self) -> int:
        return max(self.eligible - self.enrolled, 0)


@dataclass
class Figures:
    total: Row
    rows: list[Row] = field(default_factory=list)


def figures(user: Any, scheme: Scheme) -> Figures:
    paths = scope.scope_paths(user, Enrolment.policy.roles("report"))
    total = Row("", "")
    if not paths:
        return Figures(total)
    steplen = Organisation.steplen
    level = min(len(p) for p in paths) // steplen + 1
    q = scope.scope_q(user, Enrolment.policy.roles("report"), "organisation__path")
    workers = (
        team_workers(scheme).filter(q).values("organisation__path").annotate(n=Count("id"))
    )
    enrolments = (
        Enrolment.objects.filter(scheme=scheme)
        .filter(scope.scope_q(user, Enrolment.policy.roles("report"), "worker__organisation__path"))
        .values("worker__organisation__path", "source", "expenditure_id", "expenditure__status")
        .annotate(n=Count("id"))
    )
    rows: dict[str, Row] = {}

    def row_for(path: str) -> Row:
        prefix = path[: steplen * level] if len(path) >= steplen * level else path
        if prefix not in rows:
            rows[prefix] = Row(prefix, "")
        return rows[prefix]

    for item in workers:
        row_for(item["organisation__path"]).eligible += item["n"]
        total.eligible += item["n"]
    for item in enrolments:
        row = row_for(item["worker__organisation__path"])
        for target in (row, total):
            target.enrolled += item["n"]
            if item["source"] == EnrolmentSource.IMPORTED:
                target.imported += item["n"]
            else:
                target.by_union += item["n"]
            if item["expenditure_id"] and item["expenditure__status"] != EntryStatus.REJECTED:
                target.charged += item["n"]
    names = dict(Organisation.objects.filter(path__in=list(rows)).values_list("path", "name"))
    for prefix, row in rows.items():
        row.label = names.get(prefix, prefix)
    return Figures(total, sorted(rows.values(), key=lambda r: r.key))
