"""Shared set-up of the importer tests: the sample unit, its care contact and a campaign."""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from pathlib import Path

import pytest
import xlsxwriter

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.orgs.choices import OrgKind

SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"


@dataclass
class ImportWorld:
    p: object  # personas
    unit: object  # 青岛大学附属医院工会 under 市南区
    contact: object  # care contact 张联络 at the unit
    campaign: object


def build_world(personas) -> ImportWorld:
    from nuanxin.care.models import Campaign

    unit = org_services.create_organisation(
        actor=SYSTEM, code="QD-SN-01", name="青岛大学附属医院工会", kind=OrgKind.UNIT_UNION, parent=personas.shinan
    )
    contact, _ = org_services.create_user(
        actor=SYSTEM, username="zhanglianluo", organisation=unit, role=Role.CARE_CONTACT,
        password=personas.password, full_name="张联络",
    )
    campaign = Campaign.objects.create(name="暖心行动", starts_on=datetime.date(2020, 2, 16))
    return ImportWorld(p=personas, unit=unit, contact=contact, campaign=campaign)


@pytest.fixture
def world(personas) -> ImportWorld:
    return build_world(personas)


def sample(name: str) -> Path:
    return SAMPLES / name


def xlsx_bytes(rows: list[list], sheet: str = "Sheet1", sheets: dict | None = None) -> bytes:
    """An xlsx file in memory with the given rows (or several named sheets)."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True})
    for name, content in (sheets or {sheet: rows}).items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(content):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    ws.write_string(r, c, value)  # as typed: "=1+2" stays text, as in a hostile file
                elif value is not None:
                    ws.write(r, c, value)
    wb.close()
    return buf.getvalue()


TABLE1_HEADER = ["序号", "职工\n姓名", "性\n别", "人员\n类别", "职务职称", "联系\n方式", "家属\n姓名", "联系\n方式",
                 "工会联系人姓名", "存在困难"]


def table1(rows: list[list]) -> bytes:
    return xlsx_bytes([["青岛市援鄂医疗队成员联系表"], TABLE1_HEADER, *rows])


def import_bytes(actor, org, data: bytes, filename: str = "t.xlsx", **kwargs):
    from nuanxin.tables.imports import services

    return services.create_batch(
        actor=actor, organisation=org, upload=io.BytesIO(data), filename=filename, background=False, **kwargs
    )


def import_path(actor, org, path: Path, **kwargs):
    return import_bytes(actor, org, path.read_bytes(), filename=path.name, **kwargs)


def outcomes(batch) -> list[tuple[int, str]]:
    return [(r.line, r.outcome) for r in batch.rows.order_by("index")]
