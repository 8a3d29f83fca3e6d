"""Reading the waiver lists: one carrier's lines (flagged first), the counts of the tabs and
statuses, and the figures per carrier (numbers and confirmed share: counts only)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When

from nuanxin.registry.choices import Carrier
from nuanxin.telecom.choices import OPEN_STATUSES, WaiverStatus
from nuanxin.telecom.models import Waiver
from nuanxin.telecom.services.common import LISTS, OTHER, carrier_q
from nuanxin.telecom.services.reminders import overdue_cutoff

LIST_LABELS = {
    "mobile": Carrier.MOBILE.label,
    "unicom": Carrier.UNICOM.label,
    "telecom": Carrier.TELECOM.label,
}


def list_label(name: str) -> Any:
    from django.utils.translation import pgettext_lazy

    return LIST_LABELS.get(name) or pgettext_lazy("fee waiver list", "Other")


def lines(
    user: Any, *, carrier: str | None = None, status: str | None = None, overdue: bool = False,
    flagged: bool = False, organisation: Any = None,
) -> QuerySet[Waiver]:
    """The lines ``user`` may see, narrowed; flagged lines first, then overdue, then by unit and
    name."""
    rows = Waiver.objects.for_user(user, "view").select_related("worker__organisation", "dispatch", "deployment")
    if organisation is not None:
        rows = rows.filter(worker__organisation__path__startswith=organisation.path)
    if carrier:
        rows = rows.filter(carrier_q(carrier))
    if status:
        rows = rows.filter(status=status)
    cutoff = overdue_cutoff()
    if overdue:
        rows = rows.filter(status=WaiverStatus.SENT, sent_at__lt=cutoff)
    if flagged:
        rows = rows.filter(carrier_flagged=True)
    return rows.annotate(
        nx_overdue=Case(When(status=WaiverStatus.SENT, sent_at__lt=cutoff, then=Value(1)), default=Value(0),
                        output_field=IntegerField()),
    ).order_by("-carrier_flagged", "-nx_overdue", "worker__organisation__path", "worker__name_pinyin", "id")


def not_listed_yet(user: Any) -> int:
    """Deployments of aid-team members in ``user``'s reach whose number used in Hubei has no line
    yet (table 3 imported or edited since the last update: the lists catch up within 15 minutes,
    or at once with "update from table 3")."""
    from django.db.models import Exists, OuterRef

    from nuanxin.orgs import scope
    from nuanxin.registry.choices import TeamType, WorkerStatus
    from nuanxin.registry.models import Deployment

    q = scope.scope_q(user, Waiver.policy.roles("manage"), "worker__organisation__path")
    if q is None:
        return 0
    listed = Waiver.objects.filter(deployment=OuterRef("pk"), mobile=OuterRef("deployed_mobile"))
    return (
        Deployment.objects.filter(q, worker__team=TeamType.HUBEI_AID)
        .exclude(deployed_mobile="")
        .exclude(worker__status=WorkerStatus.ARCHIVED)
        .filter(~Exists(listed))
        .count()
    )


def undated(user: Any) -> dict[str, int]:
    """Per list, the listed lines ``user`` may send that have no departure date (no start of the
    waiver for the carrier)."""
    rows = Waiver.objects.for_user(user, "manage").filter(status=WaiverStatus.LISTED, period_from__isnull=True)
    counts = rows.aggregate(**{name: Count("pk", filter=carrier_q(name)) for name in LISTS})
    return {name: counts[name] for name in LISTS}


@dataclass
class Tab:
    name: str
    label: Any
    total: int = 0
    flagged: int = 0
    overdue: int = 0
    by_status: dict[str, int] = field(default_factory=dict)


def tabs(user: Any, organisation: Any = None) -> list[Tab]:
    """The four lists' counts in one query: ``total`` is the current lines (listed, sent or
    confirmed: neither ended nor changed), the statuses each their own."""
    rows = Waiver.objects.for_user(user, "view")
    if organisation is not None:
        rows = rows.filter(worker__organisation__path__startswith=organisation.path)
    cutoff = overdue_cutoff()
    result = []
    aggregates: dict[str, Any] = {}
    for name in LISTS:
        q = carrier_q(name)
        aggregates[f"{name}__total"] = Count("pk", filter=q & Q(status__in=OPEN_STATUSES))
        aggregates[f"{name}__flagged"] = Count("pk", filter=q & Q(carrier_flagged=True))
        aggregates[f"{name}__overdue"] = Count("pk", filter=q & Q(status=WaiverStatus.SENT, sent_at__lt=cutoff))
        for status in WaiverStatus.values:
            aggregates[f"{name}__s_{status}"] = Count("pk", filter=q & Q(status=status))
    counts = rows.aggregate(**aggregates)
    for name in LISTS:
        result.append(Tab(
            name=name, label=list_label(name), total=counts[f"{name}__total"], flagged=counts[f"{name}__flagged"],
            overdue=counts[f"{name}__overdue"],
            by_status={s: counts[f"{name}__s_{s}"] for s in WaiverStatus.values},
        ))
    return result


FIGURES = ("numbers", "listed", "sent", "confirmed_open", "ended", "confirmed", "flagged", "overdue", "no_cutoff")


@dataclass
class CarrierFigures:
    """One carrier's counts. ``listed + sent + confirmed_open + ended == numbers``: a partition
    of the numbers by their status now (a changed number's old line is not counted). The
    confirmed share is ``confirmed / numbers``, where ``confirmed`` is every number the carrier
    confirmed: still confirmed, or ended after being confirmed."""

    name: str
    label: Any
    numbers: int  # lines that count (every status but "number changed")
    listed: int  # to be sent
    sent: int  # sent, not confirmed yet
    confirmed_open: int  # confirmed and still open
    ended: int  # ended (the member returned), confirmed before or not
    confirmed: int  # confirmed by the carrier at some time: confirmed_open + ended after confirmation
    flagged: int
    overdue: int
    no_cutoff: int

    @property
    def share(self) -> int | None:
        return round(100 * self.confirmed / self.numbers) if self.numbers else None


def figures(user: Any) -> list[CarrierFigures]:
    """Numbers and confirmed share per carrier, counted in what ``user`` may report on."""
    rows = Waiver.objects.for_user(user, "report").exclude(status=WaiverStatus.REPLACED)
    cutoff = overdue_cutoff()
    aggregates: dict[str, Any] = {}
    for name in LISTS:
        q = carrier_q(name)
        aggregates[f"{name}__numbers"] = Count("pk", filter=q)
        aggregates[f"{name}__confirmed"] = Count("pk", filter=q & (
            Q(status=WaiverStatus.CONFIRMED) | Q(status=WaiverStatus.ENDED, confirmed_at__isnull=False)))
        aggregates[f"{name}__confirmed_open"] = Count("pk", filter=q & Q(status=WaiverStatus.CONFIRMED))
        aggregates[f"{name}__listed"] = Count("pk", filter=q & Q(status=WaiverStatus.LISTED))
        aggregates[f"{name}__sent"] = Count("pk", filter=q & Q(status=WaiverStatus.SENT))
        aggregates[f"{name}__ended"] = Count("pk", filter=q & Q(status=WaiverStatus.ENDED))
        aggregates[f"{name}__flagged"] = Count("pk", filter=q & Q(carrier_flagged=True))
        aggregates[f"{name}__overdue"] = Count("pk", filter=q & Q(status=WaiverStatus.SENT, sent_at__lt=cutoff))
        aggregates[f"{name}__no_cutoff"] = Count("pk", filter=q & Q(no_cutoff_confirmed_at__isnull=False))
    counts = rows.aggregate(**aggregates)
    return [
        CarrierFigures(name=name, label=list_label(name), **{f: counts[f"{name}__{f}"] for f in FIGURES})
        for name in LISTS
    ]


def totals(rows: list[CarrierFigures]) -> CarrierFigures:
    return CarrierFigures(name="all", label="", **{f: sum(getattr(r, f) for r in rows) for f in FIGURES})


__all__ = ["OTHER", "CarrierFigures", "Tab", "figures", "lines", "list_label", "not_listed_yet", "tabs", "totals",
           "undated"]
