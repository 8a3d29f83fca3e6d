"""The labour-protection figures (counts only: viewers and auditors see them too, never a name):
per organisation of the level below the user's reach (the districts for the city), rolled up
the tree, with the total:

- arrangements by status, by stage (open ones), by measure (agreed ones) and review due soon;
- legal-aid cases by step, by kind and by outcome, and the amount recovered;
- employment help: cases, of which helped into work.

Each model is read through its own policy's "figures" action (``for_user(user, "figures")``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from nuanxin.labour.choices import (
    MEASURES,
    ArrangementStatus,
    DisputeKind,
    EmploymentStatus,
    LegalOutcome,
    LegalStatus,
    Stage,
)
from nuanxin.labour.models import Arrangement, EmploymentCase, LegalCase
from nuanxin.labour.selectors.arrangements import OPEN_STATUSES, review_due
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation


@dataclass
class Row:
    key: str
    label: str = ""
    arrangements: dict[str, int] = field(default_factory=dict)  # status -> n
    stages: dict[str, int] = field(default_factory=dict)  # open ones: stage -> n
    measures: dict[str, int] = field(default_factory=dict)  # agreed ones: measure -> n
    review_due: int = 0
    legal_steps: dict[str, int] = field(default_factory=dict)
    legal_kinds: dict[str, int] = field(default_factory=dict)
    legal_outcomes: dict[str, int] = field(default_factory=dict)
    recovered: Decimal = Decimal("0.00")
    employment: dict[str, int] = field(default_factory=dict)

    def add(self, table: str, key: str, n: int) -> None:
        counts = getattr(self, table)
        counts[key] = counts.get(key, 0) + n

    @property
    def arrangements_total(self) -> int:
        return sum(self.arrangements.values())

    @property
    def arrangements_open(self) -> int:
        return sum(self.arrangements.get(s, 0) for s in OPEN_STATUSES)

    @property
    def legal_total(self) -> int:
        return sum(self.legal_steps.values())

    @property
    def legal_open(self) -> int:
        return self.legal_total - self.legal_steps.get(LegalStatus.CLOSED, 0)

    @property
    def employment_total(self) -> int:
        return sum(self.employment.values())

    @property
    def employed(self) -> int:
        return self.employment.get(EmploymentStatus.EMPLOYED, 0)

    def cells(self, table: str, keys: list[str]) -> list[int]:
        counts = getattr(self, table)
        return [counts.get(k, 0) for k in keys]


@dataclass
class Figures:
    total: Row
    rows: list[Row]

    @property
    def empty(self) -> bool:
        t = self.total
        return not (t.arrangements_total or t.legal_total or t.employment_total)


def _level(paths: list[str]) -> int:
    return min(len(p) for p in paths) // Organisation.steplen + 1


def figures(user: Any) -> Figures:
    total = Row("")
    rows: dict[str, Row] = {}
    querysets = {
        "arr": Arrangement.objects.for_user(user, "figures"),
        "legal": LegalCase.objects.for_user(user, "figures"),
        "emp": EmploymentCase.objects.for_user(user, "figures"),
    }
    arr = list(querysets["arr"].values("worker__organisation__path", "status", "stage").annotate(n=Count("id")))
    measures = [
        (
            name,
            list(
                querysets["arr"]
                .filter(status=ArrangementStatus.AGREED, **{name: True})
                .values("worker__organisation__path")
                .annotate(n=Count("id"))
            ),
        )
        for name, _label in MEASURES
    ]
    due = list(review_due(querysets["arr"]).values("worker__organisation__path").annotate(n=Count("id")))
    legal = list(
        querysets["legal"]
        .values("organisation__path", "status", "kind", "outcome")
        .annotate(n=Count("id"), amount=Sum("amount_recovered"))
    )
    emp = list(querysets["emp"].values("organisation__path", "status").annotate(n=Count("id")))
    if not (arr or legal or emp):
        return Figures(total, [])
    # The level below the user's reach (the districts for the city, the units for a district).
    paths = scope.scope_paths(user, Arrangement.policy.roles("figures"))
    level = _level(paths) if paths else 1
    size = Organisation.steplen * level

    def row_for(path: str) -> Row:
        prefix = path[:size]
        if prefix not in rows:
            rows[prefix] = Row(prefix)
        return rows[prefix]

    for r in arr:
        for target in (row_for(r["worker__organisation__path"]), total):
            target.add("arrangements", r["status"], r["n"])
            if r["status"] in OPEN_STATUSES:
                target.add("stages", r["stage"], r["n"])
    for name, counted in measures:
        for r in counted:
            for target in (row_for(r["worker__organisation__path"]), total):
                target.add("measures", name, r["n"])
    for r in due:
        for target in (row_for(r["worker__organisation__path"]), total):
            target.review_due += r["n"]
    for r in legal:
        for target in (row_for(r["organisation__path"]), total):
            target.add("legal_steps", r["status"], r["n"])
            target.add("legal_kinds", r["kind"], r["n"])
            if r["outcome"]:
                target.add("legal_outcomes", r["outcome"], r["n"])
            target.recovered += r["amount"] or Decimal("0.00")
    for r in emp:
        for target in (row_for(r["organisation__path"]), total):
            target.add("employment", r["status"], r["n"])
    names = dict(Organisation.objects.filter(path__in=list(rows)).values_list("path", "name"))
    for key, row in rows.items():
        row.label = names.get(key, key)
    return Figures(total, [rows[k] for k in sorted(rows)])


COLUMNS = {
    "arrangements": list(ArrangementStatus.values),
    "stages": list(Stage.values),
    "measures": [name for name, _label in MEASURES],
    "legal_steps": list(LegalStatus.values),
    "legal_kinds": list(DisputeKind.values),
    "legal_outcomes": list(LegalOutcome.values),
    "employment": list(EmploymentStatus.values),
}
LABELS = {
    "arrangements": dict(ArrangementStatus.choices),
    "stages": dict(Stage.choices),
    "measures": dict(MEASURES),
    "legal_steps": dict(LegalStatus.choices),
    "legal_kinds": dict(DisputeKind.choices),
    "legal_outcomes": dict(LegalOutcome.choices),
    "employment": dict(EmploymentStatus.choices),
}
