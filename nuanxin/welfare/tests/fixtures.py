"""Shared test data of the mutual-aid scheme, built through the services.

On top of the personas (``p``): a unit administrator of 市南区人民医院工会 (SN-H1), aid-team
workers of SN-H1 deployed with the batch 青岛市第2批援鄂医疗队 (two of them with ID numbers), a
designated-hospital nurse of SN-H1 (eligible only when the scheme is extended), an aid-team
worker of SB-H1 (the other district), and the scheme 青岛市职工互助保障 2020 (contribution 30)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from nuanxin.core.exports import XLSX_CONTENT_TYPE, build_xlsx
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.registry import services as registry
from nuanxin.registry.choices import TeamType
from nuanxin.welfare.services import schemes

PASSWORD = "Persona-pass-2020"
# Valid mainland ID-card numbers (checksums right).
ID_1 = "370202199001011237"
ID_2 = "370202198503150021"
ID_OTHER = "370203199208084560"  # nobody's


@dataclass
class WelfareWorld:
    p: Any
    unit_admin: Any
    aid1: Any  # SN-H1 aid team, ID_1, mobile 13800000001
    aid2: Any  # SN-H1 aid team, ID_2, mobile 13800000002
    aid3: Any  # SN-H1 aid team, no ID, mobile 13800000003
    nurse: Any  # SN-H1 designated hospital
    aid_b: Any  # SB-H1 aid team
    scheme: Any


def user(username: str, org: Any, role: str, full_name: str) -> Any:
    u, _ = org_services.create_user(
        actor=SYSTEM, username=username, organisation=org, role=role, password=PASSWORD, full_name=full_name
    )
    return u


def aid_worker(unit: Any, name: str, mobile: str = "", id_number: str = "", batch: str = "青岛市第2批援鄂医疗队",
               team: str = TeamType.HUBEI_AID) -> Any:
    worker = registry.create_worker(actor=SYSTEM, organisation=unit, name=name, team=team, mobile=mobile,
                                    gender="female")
    if team == TeamType.HUBEI_AID:
        registry.save_deployment(actor=SYSTEM, worker=worker, batch=batch, destination="武汉",
                                 departed_on=date(2020, 2, 9), returned_on=date(2020, 3, 28))
    if id_number:
        registry.update_sensitive(actor=SYSTEM, worker=worker, id_number=id_number)
    return worker


def make_scheme(name: str = "青岛市职工互助保障", year: int = 2020, contribution: Any = "30", **kwargs: Any) -> Any:
    return schemes.create_scheme(
        actor=SYSTEM, name=name, year=year, cover_from=date(2020, 1, 1), cover_to=date(2020, 12, 31),
        contribution=Decimal(str(contribution)), **kwargs,
    )


def build_welfare(p: Any) -> WelfareWorld:
    unit = p.shinan_hospital
    return WelfareWorld(
        p=p,
        unit_admin=user("sn_unit", unit, Role.ORG_ADMIN, "市南医院工会"),
        aid1=aid_worker(unit, "张援鄂", "13800000001", ID_1),
        aid2=aid_worker(unit, "李援鄂", "13800000002", ID_2),
        aid3=aid_worker(unit, "王援鄂", "13800000003"),
        nurse=aid_worker(unit, "赵护士", "13800000004", team=TeamType.DESIGNATED_HOSPITAL),
        aid_b=aid_worker(p.shibei_hospital, "孙援鄂", "13900000005"),
        scheme=make_scheme(),
    )


def xlsx(rows: list[list[Any]], headers: list[str] | None = None, *, title: str | None = None) -> bytes:
    """A workbook as a scheme sends it: an optional title row, the headers, the rows."""
    headers = headers if headers is not None else ["序号", "姓名", "身份证号码", "手机号码", "单位"]
    if title is None:
        return build_xlsx(headers, rows)
    return build_xlsx([title], [[""], headers, *rows])


def upload(content: bytes, name: str = "会员名单.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=XLSX_CONTENT_TYPE)


