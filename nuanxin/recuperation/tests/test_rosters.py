"""A batch's roster for the base: xlsx in the base's columns, formula-safe, audited; a city
administrator's export."""

import io

import pytest
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nuanxin.core.errors import NotAllowed
from nuanxin.core.models import AuditLog
from nuanxin.recuperation.services import candidates, rosters
from nuanxin.recuperation.tests.fixtures import make_worker, nominate, nominate_all

pytestmark = pytest.mark.django_db


def _sheet(content: bytes) -> list[list]:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return book.get_sheet_by_index(0).to_python()


def test_roster_columns_and_rows(rw, english):
    """(In English: the headers are 序号, 姓名, 性别, 单位, 手机, 团队, 状态 in Chinese.) A title row
    (programme · batch · base · dates), a blank row, the header; only the people coming (accepted,
    attended): an offer not answered yet and a no-show are left out (F22)."""
    from django.utils import timezone

    from nuanxin.recuperation.models import Batch, Candidate

    nominate_all(rw)
    Batch.objects.filter(pk=rw.batch.pk).update(places=3)
    offers = candidates.fill(actor=rw.p.jia, batch=rw.batch)
    by_worker = {o.candidate.worker_id: o for o in offers}
    candidates.accept(actor=rw.unit_admin_b, offer=by_worker[rw.aid_b.pk])
    candidates.accept(actor=rw.unit_admin, offer=by_worker[rw.aid_short.pk])
    candidates.record_attendance(actor=rw.p.jia, candidate=Candidate.objects.get(worker=rw.aid_short),
                                 attended=False)  # a no-show: replaced, the next one offered
    batch = Batch.objects.get(pk=rw.batch.pk)
    roster = rosters.export_roster(actor=rw.p.jia, batch=batch)
    rows = _sheet(roster.content)
    start, end = batch.starts_on.isoformat(), batch.ends_on.isoformat()
    assert rows[0][0] == f"抗疫一线医务人员免费疗休养 · 第一期 · 青岛湛山疗养院 · {start}–{end}"
    assert all(cell == "" for cell in rows[1])
    assert rows[2] == ["No.", "Name", "Gender", "Unit", "Mobile", "Team", "Status"]
    assert [r[1] for r in rows[3:]] == ["赵援鄂"]  # 张援鄂 offered (not answered), 李短期 did not come
    assert rows[3][2:] == ["Female", "市北区人民医院工会", "13900000004", "Hubei aid medical team", "Accepted"]
    assert roster.rows == 1
    stamp = timezone.localdate().strftime("%Y%m%d")
    assert roster.filename == f"抗疫一线医务人员免费疗休养-第一期-Roster-{stamp}.xlsx"
    row = AuditLog.objects.get(action="recuperation.roster.export")
    assert row.detail == {"count": 1, "format": "xlsx"}


def test_roster_formula_safe(rw):
    from nuanxin.recuperation.models import Batch

    evil = make_worker(rw.p.shinan_hospital, "=HYPERLINK(\"x\")", "hubei_aid", "13800000009")
    Batch.objects.filter(pk=rw.batch.pk).update(places=1)
    nominate(rw, evil)
    offer = candidates.fill(actor=rw.p.jia, batch=rw.batch)[0]
    candidates.accept(actor=rw.unit_admin, offer=offer)
    rows = _sheet(rosters.export_roster(actor=rw.p.jia, batch=rw.batch).content)
    assert rows[3][1] in ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")")


def test_roster_city_admin_only(rw, english_client):
    with pytest.raises(NotAllowed):
        rosters.export_roster(actor=rw.p.yi, batch=rw.batch)
    assert not AuditLog.objects.filter(action="recuperation.roster.export").exists()
    c = english_client
    c.force_login(rw.p.jia)
    response = c.get(reverse("recuperation:batch_roster", args=[rw.batch.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert _sheet(response.content)[2][0] == "No."
    c.force_login(rw.p.yi)
    assert c.get(reverse("recuperation:batch_roster", args=[rw.batch.pk])).status_code == 403
