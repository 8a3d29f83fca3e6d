"""The demo of the rates area: the three-tables duty (三张表报送) of the demo campaign. An applied
import of a unit's tables within the campaign counts as sending them, so the units that sent
theirs import them for real: their reporter exports table 1 of the unit (``tables.exports``)
and imports the file back (``tables.imports``: dry run, then applied; every row unchanged).

- sent before the deadline: the medical units of 市南区, 市北区, 李沧区, 崂山区 and 城阳区 and
  four of the medical union's;
- sent after it: 西海岸新区's two units;
- not sent: the others (即墨区, 胶州市, 平度市, 莱西市's units, two of the medical union's and the
  street unions, which have no frontline workers to list).

The import is applied "now": the demo dates each one back (an UPDATE of the batch's
``applied_at`` only) to its place in the story. Idempotent: when an applied import of a demo
unit exists since the campaign started, nothing is done.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.reports.demo.forms import demo_campaign, reporter_of

ON_TIME = (
    "QD-SN-01",
    "QD-SN-02",
    "QD-SB-01",
    "QD-SB-02",
    "QD-LC-01",
    "QD-LS-01",
    "QD-CY-01",
    "QD-YW-01",
    "QD-YW-02",
    "QD-YW-03",
    "QD-YW-04",
)
LATE = ("QD-XHA-01", "QD-XHA-02")


def _send_tables(code: str) -> Any:
    """The unit's table 1 exported by its reporter and imported back (applied)."""
    from nuanxin.orgs.models import Organisation
    from nuanxin.tables import exports
    from nuanxin.tables.imports import services as imports

    unit = Organisation.objects.filter(code=code).first()
    reporter = reporter_of(code)
    if unit is None or reporter is None:
        return None
    content = exports.export_table(actor=reporter, organisation=unit, table=1).content
    batch = imports.create_batch(
        actor=reporter, organisation=unit, upload=io.BytesIO(content), filename=f"三张表_{code}.xlsx", background=False
    )
    return imports.apply_batch(actor=reporter, batch=batch)


def build(*, out: Callable[[str], None] = print) -> None:
    from nuanxin.registry.import_models import BatchStatus, ImportBatch
    from nuanxin.reports.models import ReportForm
    from nuanxin.reports.services import periods

    campaign = demo_campaign()
    form = ReportForm.objects.filter(code=f"tables-{campaign.pk}").first() if campaign else None
    if form is None:
        return
    since = timezone.make_aware(datetime.combine(campaign.starts_on, time.min))
    codes = ON_TIME + LATE
    if ImportBatch.objects.filter(
        organisation__code__in=codes, status=BatchStatus.APPLIED, applied_at__gte=since
    ).exists():
        return
    start, end = periods.period_of(form, form.starts_on)
    due = periods.due_at(form, start, end)
    sent = late = 0
    with transaction.atomic():
        for number, code in enumerate(codes):
            batch = _send_tables(code)
            if batch is None or batch.status != BatchStatus.APPLIED:
                continue
            # The import is applied now; the story has it sent days before (or after) the deadline.
            at = (
                due - timedelta(days=1 + number % 9, hours=3)
                if code in ON_TIME
                else due + timedelta(days=2 + number % 3)
            )
            ImportBatch.objects.filter(pk=batch.pk).update(applied_at=min(at, timezone.now() - timedelta(minutes=5)))
            sent += 1
            late += code in LATE
    out(_("reports: the three tables sent by %(sent)s units (%(late)s late)") % {"sent": sent, "late": late})
