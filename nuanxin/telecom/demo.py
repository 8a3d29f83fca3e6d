"""The fee waiver's demo (``nuanxin demo``): the lists built from the register demo's aid-team
deployments (table 3), then every state a number goes through, all through the services:

- three numbers stated with another carrier than their segment's (ported numbers): flagged; a
  person settles one of them (takes the segment's carrier), two stay flagged;
- one member changed numbers while deployed: the old line "number changed", the new one listed;
- China Mobile's list sent for the whole city and its reply imported (most numbers confirmed,
  "no cut-off" too; two rows of the reply match nothing and are shown);
- China Unicom's list of 市南区 sent a week ago (the one shortcut: the date is moved back, the
  demo cannot wait) — one confirmed by hand ("no cut-off" too), the rest overdue;
- China Telecom's list not sent yet (listed);
- the confirmed numbers of members who have returned ended by the sync.

The actor is the organisations demo's city administrator (``demo-city``) when it exists, else
the system. Idempotent: once a list has been sent, a second run only brings the lists up to
date with the register."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM
from nuanxin.registry import normalise
from nuanxin.registry.choices import Carrier
from nuanxin.registry.services import save_deployment
from nuanxin.telecom.choices import WaiverStatus
from nuanxin.telecom.models import Dispatch, Waiver
from nuanxin.telecom.services import lists, replies, transitions

CITY_ADMIN = "demo-city"
DISTRICT = "QD-SN"
OTHER_CARRIER = {Carrier.MOBILE: Carrier.UNICOM, Carrier.UNICOM: Carrier.TELECOM, Carrier.TELECOM: Carrier.MOBILE}


def _actor() -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(username=CITY_ADMIN, is_active=True).first() or SYSTEM


def _reply_file(mobiles: list[str]) -> SimpleUploadedFile:
    """The carrier's reply as carriers write them: a title, its own header, numbers as numbers."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out)
    sheet = book.add_worksheet("开通结果")
    sheet.write_string(0, 0, "中国移动青岛分公司 援鄂医疗队员通讯免费开通结果（演示）")
    for col, text in enumerate(["序号", "客户号码", "免费时段", "免停机"]):
        sheet.write_string(2, col, text)
    for row, mobile in enumerate(mobiles, start=3):
        sheet.write_number(row, 0, row - 2)
        sheet.write_number(row, 1, int(normalise.national(mobile)))
        sheet.write_string(row, 2, "在鄂期间")
        sheet.write_string(row, 3, "已开通")
    book.close()
    return SimpleUploadedFile("中国移动回执（演示）.xlsx", out.getvalue())


@transaction.atomic
def build(*, out: Callable[[str], None] = print) -> None:
    from nuanxin.orgs.models import Organisation

    first = lists.sync(actor=SYSTEM)
    if Dispatch.objects.exists():
        out(_("fee waiver: lists up to date with table 3 (%(count)s new numbers)") % {"count": first.created})
        return
    lines = list(Waiver.objects.filter(status=WaiverStatus.LISTED).select_related("deployment", "worker")
                 .order_by("id"))
    root = Organisation.objects.filter(depth=1).order_by("path").first()
    district = Organisation.objects.filter(code=DISTRICT).first() or root
    if not lines or root is None:
        out(_("fee waiver: no aid-team deployment with a number yet; run the register demo first"))
        return
    actor = _actor()
    # Ported numbers: stated with another carrier than the segment's.
    for line in lines[:3]:
        if line.carrier in OTHER_CARRIER:
            save_deployment(actor=SYSTEM, worker=line.worker, deployment=line.deployment,
                            carrier=OTHER_CARRIER[Carrier(line.carrier)])
    # A member still deployed changed numbers.
    deployed = next((line for line in lines[3:] if line.deployment.returned_on is None), None)
    if deployed is not None:
        national = normalise.national(deployed.mobile)
        save_deployment(actor=SYSTEM, worker=deployed.worker, deployment=deployed.deployment,
                        deployed_mobile=f"1890002{national[-4:]}", carrier="")
    lists.sync(actor=SYSTEM)
    flagged = list(Waiver.objects.filter(carrier_flagged=True).order_by("id"))
    if flagged:
        transitions.confirm_carrier(actor=actor, line=flagged[0], choice=transitions.TAKE_SEGMENT)
    mobile = transitions.send(actor=actor, carrier="mobile", organisation=root)
    sent = list(Waiver.objects.filter(dispatch=mobile).order_by("id").values_list("mobile", flat=True))
    answered = sent[: max(1, len(sent) * 3 // 4)]
    replies.import_reply(actor=actor, carrier="mobile", organisation=root, no_cutoff=True,
                         uploaded_file=_reply_file([*answered, "+8613700000001", "+8613700000002"]))
    unicom = None
    try:
        unicom = transitions.send(actor=actor, carrier="unicom", organisation=district)
    except ServiceError:  # no China Unicom number in the district: nothing to send
        unicom = None
    if unicom is not None:
        week_ago = timezone.now() - timedelta(days=7)
        Waiver.objects.filter(dispatch=unicom).update(sent_at=week_ago)
        Dispatch.objects.filter(pk=unicom.pk).update(sent_on=timezone.localdate(week_ago))
        first_line = Waiver.objects.filter(dispatch=unicom).order_by("id").first()
        if first_line is not None:
            transitions.confirm_no_cutoff(actor=actor, line=transitions.confirm(actor=actor, line=first_line))
    ended = lists.sync(actor=SYSTEM).ended
    counts = {s: Waiver.objects.filter(status=s).count() for s in WaiverStatus.values}
    out(_("fee waiver: %(listed)s listed, %(sent)s sent, %(confirmed)s confirmed, %(ended)s ended (%(now)s now), "
          "%(flagged)s flagged, %(replaced)s numbers changed") % {
        **counts, "now": ended, "flagged": Waiver.objects.filter(carrier_flagged=True).count()})
