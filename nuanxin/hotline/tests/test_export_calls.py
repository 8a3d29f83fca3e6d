"""The supervisor's export: the hotline's calls and assessments of a date range in xlsx,
formula-safe, with a reason, audited with the row count and the reason's length."""

import io
from datetime import datetime, timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from python_calamine import CalamineWorkbook

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.hotline.models import Assessment
from nuanxin.hotline.services import calls as call_services
from nuanxin.hotline.services import exports as services

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.get_fixed_timezone(8 * 60))
REASON = "季度督导复盘，核对高风险来电的处理"


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def calls(h):
    a = call_services.record_call(
        actor=h.counsellor, hotline=h.city, started_at=NOW - timedelta(days=1, hours=2),
        ended_at=NOW - timedelta(days=1, hours=1), line=h.line, topics=["sleep", "grief"], risk="low",
        notes="=HYPERLINK(\"http://evil\")", callback_consent=True, callback_number="13800001234",
    )
    b = call_services.record_call(actor=h.colleague, hotline=h.city, started_at=NOW - timedelta(hours=1))
    call_services.record_call(actor=h.counsellor, hotline=h.city, started_at=NOW - timedelta(days=20))  # too old
    call_services.record_call(actor=h.stranger, hotline=h.other, started_at=NOW - timedelta(hours=1))
    Assessment.objects.create(hotline=h.city, scale="GAD-7", answers=[1] * 7, score=7, band="mild", source="public")
    Assessment.objects.create(hotline=h.other, scale="GAD-7", answers=[0] * 7, score=0, band="none", source="public")
    return a, b


def test_a_supervisor_exports_the_range_formula_safe_and_audited(h):
    a, b = calls(h)
    result = services.export_records(
        actor=h.supervisor, hotline=h.city, start=NOW.date() - timedelta(days=7), end=NOW.date(), reason=REASON
    )
    assert (result.calls, result.assessments, result.rows) == (2, 1, 3)
    assert result.filename == f"hotline-{h.city.pk}-2026-02-23-2026-03-02.xlsx"
    book = CalamineWorkbook.from_filelike(io.BytesIO(result.content))
    assert book.sheet_names == ["Calls", "Assessments"]
    sheet = book.get_sheet_by_index(0).to_python()
    assert sheet[0][:4] == ["Record", "Started", "Ended", "Minutes"]
    assert [row[0] for row in sheet[1:]] == [a.pk, b.pk]
    first = dict(zip(sheet[0], sheet[1], strict=True))
    assert first["Topics"] == "Sleep、Grief"
    assert first["Notes"] == "'=HYPERLINK(\"http://evil\")"
    assert first["Number to call back"] == "'+8613800001234"
    assert first["Minutes"] == 60
    assert first["Risk"] == "Low"
    assert first["Line"] == str(h.line)
    assert (first["Consents to a callback"], first["Asks for the same counsellor"]) == ("Yes", "No")
    assessments = book.get_sheet_by_index(1).to_python()
    assert len(assessments) == 2 and assessments[1][2] == "GAD-7"
    taken = dict(zip(assessments[0], assessments[1], strict=True))
    # words, never codes: the band's label from the scale, yes/no as words
    assert (taken["Band"], taken["At or above the cut-off"], taken["Crisis answer"]) == ("Mild anxiety", "No", "No")
    assert (taken["Consents to a callback"], taken["Source"], taken["Call"]) == ("No", "Online self-assessment", "")
    row = AuditLog.objects.get(action="hotline.export")
    assert row.actor == h.supervisor
    assert row.detail == {
        "hotline": h.city.pk, "from": "2026-02-23", "to": "2026-03-02", "calls": 2, "assessments": 1, "rows": 3,
        "reason": len(REASON),
    }
    assert "督导" not in str(row.detail)


@pytest.mark.parametrize(
    ("start", "end", "reason", "field", "message"),
    [
        (3, 0, REASON, "reason", None),
        (0, 3, REASON, "end", "The last day is before the first."),
        (0, -1, REASON, "end", "The last day cannot be in the future."),
        (1200, 0, REASON, "start", "One export covers at most 1098 days."),
        (3, 0, "看看", "reason", "Say why the records are exported (at least 5 characters)."),
    ],
)
def test_bad_ranges_and_reasons_are_refused(h, start, end, reason, field, message):
    today = NOW.date()
    if message is None:
        assert services.export_records(actor=h.supervisor, hotline=h.city, start=today - timedelta(days=start),
                                       end=today - timedelta(days=end), reason=reason).rows == 0
        return
    with pytest.raises(ServiceError) as exc:
        services.export_records(actor=h.supervisor, hotline=h.city, start=today - timedelta(days=start),
                                end=today - timedelta(days=end), reason=reason)
    assert (exc.value.field, exc.value.message) == (field, message)
    assert AuditLog.objects.filter(action="hotline.export").count() == 0


def test_nobody_else_exports(personas, h):
    for user in (h.counsellor, h.colleague, h.coordinator, h.stranger, personas.jia, personas.auditor):
        with pytest.raises(NotAllowed):
            services.export_records(actor=user, hotline=h.city, start=NOW.date(), end=NOW.date(), reason=REASON)
    assert AuditLog.objects.filter(action="hotline.export").count() == 0


def test_the_export_page_downloads_the_workbook(h):
    calls(h)
    client = Client()
    client.force_login(h.supervisor)
    response = client.post(
        reverse("hotline:call_export"),
        {"hotline": h.city.pk, "start": "2026-02-23", "end": "2026-03-02", "reason": REASON},
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert response["Cache-Control"].startswith("no-store")
    assert f"hotline-{h.city.pk}-2026-02-23-2026-03-02.xlsx" in response["Content-Disposition"]
    assert AuditLog.objects.get(action="hotline.export").detail["rows"] == 3


def _compiled() -> bool:
    from django.utils import translation

    with translation.override("zh-hans"):
        return translation.pgettext("hotline", "Line") != "Line"


def test_the_workbook_speaks_chinese_with_the_hotlines_words(h):
    from django.utils import translation

    if not _compiled():
        pytest.skip("the hotline's context entries (/tmp/i18n/fix_calls.json) are not compiled yet")
    calls(h)
    with translation.override("zh-hans"):
        result = services.export_records(
            actor=h.supervisor, hotline=h.city, start=NOW.date() - timedelta(days=7), end=NOW.date(), reason=REASON
        )
    book = CalamineWorkbook.from_filelike(io.BytesIO(result.content))
    sheet = book.get_sheet_by_index(0).to_python()
    assert "线路" in sheet[0] and "行号" not in sheet[0]
    first = dict(zip(sheet[0], sheet[1], strict=True))
    assert first["同意回访"] == "是"
    assessments = book.get_sheet_by_index(1).to_python()
    assert "来电" in assessments[0] and "拨打" not in assessments[0]
    taken = dict(zip(assessments[0], assessments[1], strict=True))
    assert taken["分级"] == "轻度焦虑"
    assert taken["达到或超过界值"] == "否"
