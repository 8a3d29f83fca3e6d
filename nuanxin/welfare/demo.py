"""The mutual-aid scheme's demo (``nuanxin demo``): the scheme 青岛市职工互助保障 (2020, 30 yuan a
person, the Hubei aid team eligible), with

- members already in it: the scheme's own list for 市南区's second hospital (QD-SN-02) imported
  (four aid-team workers matched by name and mobile, one row matching nobody shown as such);
- one unit's team enrolled in one action: the aid team of QD-SN-01 under the deployments'
  batch name (青岛市第…批援鄂医疗队);
- the contributions charged: one expenditure (mutual-aid insurance) of 市南区's fund recorded by
  its finance clerk (``demo-clerk``), awaiting approval.

Every step goes through the services with the demo users as actors (``demo-city`` creates the
scheme, ``demo-district`` imports and enrols). Idempotent: when the scheme exists, nothing is
added."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from nuanxin.core.exports import XLSX_CONTENT_TYPE, build_xlsx
from nuanxin.funds.templatetags.funds_money import yuan_text
from nuanxin.registry import normalise
from nuanxin.welfare.models import Enrolment, Scheme

SCHEME = "青岛市职工互助保障"
YEAR = 2020
LISTED_UNIT, ENROLLED_UNIT, DISTRICT = "QD-SN-02", "QD-SN-01", "QD-SN"
FUND = "疫情防控专项资金（市总工会下拨）"


def _org(code: str) -> Any:
    from nuanxin.orgs.models import Organisation

    return Organisation.objects.filter(code=code).first()


def _user(username: str) -> Any:
    from nuanxin.accounts.models import User

    return User.objects.filter(username=username, is_active=True).first()


def build(*, out: Callable[[str], None] = print) -> None:
    scheme = Scheme.objects.filter(name=SCHEME, year=YEAR).first()
    if scheme is not None:
        out(_("mutual-aid scheme: “%(name)s” exists (%(count)s enrolled)")
            % {"name": str(scheme), "count": Enrolment.objects.filter(scheme=scheme).count()})
        return
    city, district = _user("demo-city"), _user("demo-district")
    listed, enrolled, district_org = _org(LISTED_UNIT), _org(ENROLLED_UNIT), _org(DISTRICT)
    if None in (city, district, listed, enrolled, district_org):
        out(_("mutual-aid scheme: skipped (the organisations demo is missing)"))
        return
    _build(city, district, listed, enrolled, district_org, out)


@transaction.atomic
def _build(city: Any, district: Any, listed: Any, enrolled: Any, district_org: Any,
           out: Callable[[str], None]) -> None:
    from nuanxin.registry.models import Worker
    from nuanxin.welfare.services import charges, enrolments, imports, schemes

    scheme = schemes.create_scheme(
        actor=city, name=SCHEME, year=YEAR, cover_from=date(2020, 3, 1), cover_to=date(2021, 2, 28),
        contribution=Decimal("30"),
        description="援鄂天使健康工程：尚未参加职工互助保障的援鄂医疗队员，由所在单位工会以医疗队名义统一参保。",
    )
    members = list(Worker.objects.filter(organisation=listed, team="hubei_aid").exclude(mobile="").order_by("id")[:4])
    rows = [[i, w.name, "", normalise.national(w.mobile), listed.name] for i, w in enumerate(members, start=1)]
    rows.append([len(rows) + 1, "演示无此人", "", "13900009999", listed.name])
    content = build_xlsx(["青岛市职工互助保障 2020 年度会员名单"],
                         [[""], ["序号", "姓名", "身份证号码", "手机号码", "单位"], *rows])
    upload = SimpleUploadedFile("互助保障会员名单（演示）.xlsx", content, content_type=XLSX_CONTENT_TYPE)
    imp = imports.check_list(actor=district, scheme=scheme, organisation=listed, uploaded_file=upload)
    imports.apply_list(imp, actor=district)
    result = None
    try:
        result = enrolments.enrol_unit(actor=district, scheme=scheme, organisation=enrolled, on=date(2020, 4, 1))
    except Exception as exc:  # a demo tree without aid-team workers in the unit
        out(_("mutual-aid scheme: no team enrolled (%(reason)s)") % {"reason": getattr(exc, "message", exc)})
    clerk = _user("demo-clerk")
    charged = None
    if clerk is not None and result is not None:
        funds = [f for f in charges.chargeable_funds(clerk) if f.organisation_id == district_org.pk]
        fund = next((f for f in funds if f.name == FUND), funds[0] if funds else None)
        if fund is not None:
            charged = charges.charge_contributions(actor=clerk, scheme=scheme, fund=fund, on=date(2020, 4, 15))
    out(_("mutual-aid scheme: “%(name)s”, %(imported)s members from the scheme's list, %(enrolled)s enrolled "
          "under the team's name, contributions charged: %(amount)s")
        % {"name": str(scheme), "imported": imp.matched,
           "enrolled": len(result.enrolments) if result else 0,
           "amount": yuan_text(charged.amount) if charged is not None else "—"})
