"""The console of ``make run`` (issue 11, item 10): a refused request is one line, not a
``PermissionDenied`` traceback; a server error keeps its traceback."""

import logging

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_403_is_logged_on_one_line(personas, caplog):
    client = Client()
    client.force_login(personas.yi)  # not an auditor
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(reverse("audit:log")).status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert [(r.levelname, r.getMessage(), r.exc_info) for r in records] == [
        ("WARNING", "Forbidden (Permission denied): /audit/", None)
    ]
    # what the console handler prints for it
    handler = logging.getLogger().handlers[0]
    assert "Traceback" not in handler.format(records[0])
    assert handler.format(records[0]).endswith("django.request Forbidden (Permission denied): /audit/")


def test_the_filter_leaves_other_records_alone():
    from nuanxin.core.loglines import RefusalOnOneLine

    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        info = sys.exc_info()
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "Internal Server Error: /x", (), info)
    record.status_code = 500
    assert RefusalOnOneLine().filter(record) is True
    assert record.exc_info == info
