"""The calls API driven by schemathesis as a counsellor of the hotline (the project-wide run
uses the city admin, who is refused at once): valid and schema-breaking requests, ids drawn
from calls that exist (this hotline's and another's), never a 5xx or an undocumented answer."""

from datetime import timedelta

import pytest
from django.utils import timezone

from nuanxin.hotline.services import calls as call_services
from tests.test_api_schemathesis import in_process, run_operation  # noqa: F401 - in_process: a fixture

pytestmark = pytest.mark.django_db

OPERATIONS = ["GET /api/v1/hotline/calls", "GET /api/v1/hotline/calls/{call_id}", "POST /api/v1/hotline/calls"]


@pytest.mark.parametrize("label", OPERATIONS)
def test_the_calls_operations_as_a_counsellor(h, in_process, label):  # noqa: F811
    now = timezone.now()
    mine = call_services.record_call(actor=h.counsellor, hotline=h.city, started_at=now - timedelta(hours=2),
                                     line=h.line)
    theirs = call_services.record_call(actor=h.stranger, hotline=h.other, started_at=now - timedelta(hours=2))
    ids = {"call_id": [mine.pk, theirs.pk], "hotline": [h.city.pk, h.other.pk], "line": [h.line.pk, h.other_line.pk]}
    assert run_operation(label, h.counsellor, ids) >= 1
