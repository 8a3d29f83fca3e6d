"""Personal numbers never reach the logs: the access log's request line and every other line."""

import io
import logging

import pytest

from nuanxin.core.logmask import MaskPersonalNumbers, mask_text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('"GET /registry/?q=13812345678 HTTP/1.1" 200 5120', '"GET /registry/?q=138****5678 HTTP/1.1" 200 5120'),
        ("GET /registry/?q=%2B8613812345678&page=2", "GET /registry/?q=138****5678&page=2"),
        ("sms to +86 139-0000-1234?", "sms to +86 139-0000-1234?"),  # dashes inside: not one number
        ("sms to +86 13900001234.", "sms to 139****1234."),
        ("id 370202199001011234 and 37020219900101123X", "id 370202************ and 370202************"),
        ("138123456789 and 12345678901 at 2026-11-25 18:50", "138123456789 and 12345678901 at 2026-11-25 18:50"),
        ("batch 42 applied: 100000 rows", "batch 42 applied: 100000 rows"),
    ],
)
def test_mask_text(line, expected):
    assert mask_text(line) == expected


def test_every_handler_masks():
    handlers = logging.getLogger().handlers + logging.getLogger("django.server").handlers
    named = [h for h in handlers if h.name in {"console", "server"}]
    assert sorted(h.name for h in named) == ["console", "server"]
    for handler in named:
        assert any(isinstance(f, MaskPersonalNumbers) for f in handler.filters)


def test_the_access_log_line_is_masked():
    (handler,) = [h for h in logging.getLogger("django.server").handlers if h.name == "server"]
    stream = io.StringIO()
    # swapped without setStream, which flushes the old stream (pytest may have closed it)
    previous, handler.stream = handler.stream, stream
    try:
        # what runserver's request handler logs for each request
        logging.getLogger("django.server").info(
            '"%s" %s %s', "GET /registry/?q=13812345678 HTTP/1.1", "200", "5120", extra={"status_code": 200}
        )
    finally:
        handler.stream = previous
    line = stream.getvalue()
    assert line.endswith('"GET /registry/?q=138****5678 HTTP/1.1" 200 5120\n')
    assert "13812345678" not in line


def test_the_production_servers_access_log_is_masked():
    """``nuanxin web`` (gunicorn): its access log line, as its logger writes it, is masked."""
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from nuanxin.core.management.commands.web import ACCESS_FORMAT, MaskedLogger

    cfg = Config()
    cfg.set("accesslog", "-")
    cfg.set("access_log_format", ACCESS_FORMAT)
    logger = MaskedLogger(cfg)
    stream = io.StringIO()
    (handler,) = [h for h in logger.access_log.handlers if getattr(h, "_gunicorn", False)]
    previous, handler.stream = handler.stream, stream
    try:
        request = SimpleNamespace(
            method="GET", path="/registry/", query="q=13812345678", uri="/registry/?q=13812345678",
            version=(1, 1), headers=[("USER-AGENT", "test")],
        )
        response = SimpleNamespace(status="200 OK", status_code=200, sent=5120, headers=[], response_length=5120)
        environ = {"REMOTE_ADDR": "10.0.0.7", "REQUEST_METHOD": "GET", "RAW_URI": "/registry/?q=13812345678",
                   "SERVER_PROTOCOL": "HTTP/1.1", "QUERY_STRING": "q=13812345678", "HTTP_USER_AGENT": "test"}
        logger.access(response, request, environ, timedelta(milliseconds=12))
    finally:
        handler.stream = previous
    line = stream.getvalue()
    assert line == '10.0.0.7 "GET /registry/?q=138****5678 HTTP/1.1" 200 5120 12ms "test"\n'
