"""A batch's roster for the base (xlsx): who is coming, with their unit and mobile.

The columns are the base's: 序号, 姓名, 性别, 单位, 手机, 团队, 状态; the rows are the candidates
holding a place (offered, accepted, attended) and those who did not come, accepted and attended
first, then by unit and name. Written through ``core.exports.build_xlsx`` (formula-safe: text
is never a formula) and audited (``recuperation.roster.export`` with the row count). A city
administrator (who manages the batch and sends the roster to the base) exports it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from nuanxin.core import audit
from nuanxin.core.errors import NotAllowed
from nuanxin.core.exports import build_xlsx
from nuanxin.recuperation.choices import CandidateStatus
from nuanxin.recuperation.models import Batch, Candidate
from nuanxin.registry.choices import Gender, TeamType

ON_ROSTER = [
    CandidateStatus.ACCEPTED.value,
    CandidateStatus.ATTENDED.value,
    CandidateStatus.OFFERED.value,
    CandidateStatus.NO_SHOW.value,
]


@dataclass(frozen=True)
class Roster:
    content: bytes
    filename: str
    rows: int


def headers() -> list[str]:
    return [
        pgettext("recuperation roster", "No."),
        pgettext("recuperation roster", "Name"),
        pgettext("recuperation roster", "Gender"),
        pgettext("recuperation roster", "Unit"),
        pgettext("recuperation roster", "Mobile"),
        pgettext("recuperation roster", "Team"),
        pgettext("recuperation roster", "Status"),
    ]


def national(mobile: str) -> str:
    """A mobile stored as E.164 (+8613800000001) as people write it (13800000001)."""
    return mobile[3:] if mobile.startswith("+86") else mobile


def roster_rows(batch: Batch) -> list[list[Any]]:
    order = {status: i for i, status in enumerate(ON_ROSTER)}
    candidates = sorted(
        Candidate.objects.filter(batch=batch, status__in=ON_ROSTER).select_related("worker__organisation"),
        key=lambda c: (order[c.status], c.worker.organisation.path, c.worker.name_pinyin, c.pk),
    )
    rows = []
    for number, candidate in enumerate(candidates, start=1):
        worker = candidate.worker
        rows.append([
            number,
            worker.name,
            str(Gender(worker.gender).label) if worker.gender in Gender.values else "",
            worker.organisation.name,
            national(worker.mobile or ""),
            str(TeamType(worker.team).label) if worker.team in TeamType.values else "",
            str(CandidateStatus(candidate.status).label),
        ])
    return rows


def export_roster(*, actor: Any, batch: Batch) -> Roster:
    """The roster of ``batch`` as xlsx, audited. City administrators only (``NotAllowed``)."""
    if not Batch.policy.allows(actor, "manage", batch):
        raise NotAllowed(_("Only a city administrator exports a batch's roster."))
    rows = roster_rows(batch)
    content = build_xlsx(headers(), rows, sheet_name=pgettext("recuperation roster", "Roster"))
    audit.record(
        actor, "recuperation.roster.export", obj=batch, object_repr=f"batch #{batch.pk}",
        organisation=batch.programme.organisation, detail={"count": len(rows), "format": "xlsx"},
    )
    stamp = timezone.localdate().strftime("%Y%m%d")
    filename = f"{batch.programme.name}-{batch.name}-{pgettext('recuperation roster', 'Roster')}-{stamp}.xlsx"
    return Roster(content=content, filename=filename, rows=len(rows))
