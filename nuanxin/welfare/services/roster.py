"""The roster of a scheme in the scheme's own layout (xlsx): 序号, 姓名, 性别, 身份证号, 手机号,
单位, 参保方式, 参保日期, 缴费金额. Formula-safe (``core.exports``) and audited
(``welfare.roster.export`` with the row count). ID-card numbers and full mobiles are written
for a user who may read the worker's sensitive data (the register's "sensitive"), recorded as
read (``worker.sensitive_read``, one row per unit); masked for anyone else (an auditor)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core import audit, exports
from nuanxin.core.errors import NotAllowed
from nuanxin.registry import normalise
from nuanxin.registry.choices import Gender
from nuanxin.registry.models import Worker, WorkerSensitive
from nuanxin.welfare.choices import EnrolmentSource
from nuanxin.welfare.models import Enrolment, Scheme

HEADERS = ["序号", "姓名", "性别", "身份证号", "手机号", "单位", "参保方式", "参保日期", "缴费金额"]


@dataclass(frozen=True)
class Roster:
    content: bytes
    filename: str
    rows: int


def masked_id(value: str) -> str:
    return value[:6] + "********" + value[-4:] if len(value) >= 10 else ("*" * len(value))


def how_label(enrolment: Enrolment) -> str:
    if enrolment.source == EnrolmentSource.ENROLLED and enrolment.team_name:
        return _("Under the team's name: %(team)s") % {"team": enrolment.team_name}
    return str(EnrolmentSource(enrolment.source).label)


def roster_enrolments(actor: Any, scheme: Scheme, organisation: Any) -> Any:
    return (
        Enrolment.objects.for_user(actor, "view")
        .filter(scheme=scheme, worker__organisation__path__startswith=organisation.path)
        .select_related("worker__organisation", "organisation")
        .order_by("organisation__path", "worker__name_pinyin", "id")
    )


@transaction.atomic
def export_roster(*, actor: Any, scheme: Scheme, organisation: Any, day: date | None = None) -> Roster:
    """The enrolments of ``scheme`` in ``organisation``'s subtree the actor may see, in the
    scheme's layout."""
    if not Enrolment.policy.allows_in(actor, "view", organisation):
        raise NotAllowed(_("You may not see the enrolments of this organisation."))
    enrolments = list(roster_enrolments(actor, scheme, organisation))
    readable = [e.worker for e in enrolments if Worker.policy.allows(actor, "sensitive", e.worker)]
    ids = dict(
        WorkerSensitive.objects.filter(worker__in=[e.worker_id for e in enrolments]).values_list(
            "worker_id", "id_number"
        )
    )
    readable_pks = {w.pk for w in readable}
    rows = []
    for index, e in enumerate(enrolments, start=1):
        worker = e.worker
        full = worker.pk in readable_pks
        id_number = ids.get(worker.pk, "") or ""
        rows.append([
            index,
            worker.name,
            str(Gender(worker.gender).label) if worker.gender in Gender.values else "",
            id_number if full else masked_id(id_number),
            normalise.national(worker.mobile) if full else normalise.mask(worker.mobile),
            e.organisation.name,
            how_label(e),
            e.enrolled_on,
            e.contribution,
        ])
    audit.record_reads(actor, "worker.sensitive_read", [(w.organisation, w.pk) for w in readable if ids.get(w.pk)],
                       object_type="registry.worker", key="workers", page="welfare_roster")
    audit.record(
        actor, "welfare.roster.export", obj=scheme, object_repr=f"scheme #{scheme.pk}", organisation=organisation,
        detail={"rows": len(rows), "welfare_masked": len(rows) - len(readable)},
    )
    day = day or timezone.localdate()
    content = exports.build_xlsx(HEADERS, rows, sheet_name=scheme.name[:31] or "Sheet1")
    filename = f"{scheme.name}{scheme.year}_参保名单_{organisation.code}_{day:%Y%m%d}.xlsx"
    return Roster(content=content, filename=filename, rows=len(rows))
