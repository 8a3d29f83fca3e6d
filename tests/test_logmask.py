"""Personal numbers never reach the logs: the access log's request line and every other line."""

import io
import logging
import re

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

    from nuanxin.core.weblog import ACCESS_FORMAT, MaskedLogger

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
        response = SimpleNamespace(status="200 OK", status_code=200, sent=5120, headers=[("X-Request-ID", "c" * 32)],
                                   response_length=5120)
        environ = {"REMOTE_ADDR": "10.0.0.7", "REQUEST_METHOD": "GET", "RAW_URI": "/registry/?q=13812345678",
                   "SERVER_PROTOCOL": "HTTP/1.1", "QUERY_STRING": "q=13812345678", "HTTP_USER_AGENT": "test"}
        logger.access(response, request, environ, timedelta(milliseconds=12))
    finally:
        handler.stream = previous
    line = stream.getvalue()
    assert re.fullmatch(
        r'\[\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] 10\.0\.0\.7 "GET /registry/\?q=138\*\*\*\*5678 HTTP/1\.1" '
        r'200 5120 12ms "test" c{32}\n', line
    ), line


def test_json_lines_are_masked_and_carry_the_request_id():
    """NUANXIN_LOG_FORMAT=json (core/logformat.py): one JSON object per line, masked."""
    import json

    from nuanxin.core import context
    from nuanxin.core.logformat import JsonFormatter

    logger = logging.getLogger("nuanxin.test.json")
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(MaskPersonalNumbers())
    logger.addHandler(handler)
    token = context.set_current(context.RequestContext(ip="10.0.0.7", channel="web", request_id="a" * 32))
    try:
        logger.warning("sms to %s failed", "13812345678")
        try:
            raise ValueError("no such mobile 13912345678")
        except ValueError:
            logger.exception("lookup failed")
    finally:
        context.reset(token)
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert {k: first[k] for k in ("level", "logger", "message", "channel", "request_id")} == {
        "level": "WARNING", "logger": "nuanxin.test.json", "message": "sms to 138****5678 failed",
        "channel": "web", "request_id": "a" * 32,
    }
    assert set(first) == {"time", "level", "logger", "message", "node", "pid", "channel", "request_id"}
    assert "139****5678" in second["exception"] and "13912345678" not in second["exception"]


def test_the_production_servers_json_access_line(monkeypatch):
    import json
    from datetime import timedelta
    from types import SimpleNamespace

    from gunicorn.config import Config

    from nuanxin.core.weblog import MaskedLogger

    monkeypatch.setenv("NUANXIN_LOG_FORMAT", "json")
    cfg = Config()
    cfg.set("accesslog", "-")
    logger = MaskedLogger(cfg)
    stream = io.StringIO()
    (handler,) = [h for h in logger.access_log.handlers if getattr(h, "_gunicorn", False)]
    previous, handler.stream = handler.stream, stream
    try:
        request = SimpleNamespace(headers=[("USER-AGENT", "test")])
        response = SimpleNamespace(status="200 OK", status_code=200, sent=5120, headers=[("X-Request-ID", "b" * 32)])
        environ = {"REMOTE_ADDR": "10.0.0.7", "REQUEST_METHOD": "GET", "RAW_URI": "/registry/?q=13812345678",
                   "PATH_INFO": "/registry/", "SERVER_PROTOCOL": "HTTP/1.1", "QUERY_STRING": "q=13812345678",
                   "HTTP_USER_AGENT": "test"}
        logger.access(response, request, environ, timedelta(milliseconds=12))
        api = {**environ, "RAW_URI": "/api/v1/workers?limit=5", "PATH_INFO": "/api/v1/workers",
               "QUERY_STRING": "limit=5"}
        logger.access(response, request, api, timedelta(milliseconds=3))
    finally:
        handler.stream = previous
    line, api_line = (json.loads(text) for text in stream.getvalue().splitlines())
    assert {k: line[k] for k in ("logger", "message", "remote", "method", "path", "status", "bytes", "ms",
                                 "agent", "request_id", "channel")} == {
        "logger": "gunicorn.access", "message": "GET /registry/?q=138****5678 HTTP/1.1", "remote": "10.0.0.7",
        "method": "GET", "path": "/registry/?q=138****5678", "status": 200, "bytes": 5120, "ms": 12,
        "agent": "test", "request_id": "b" * 32, "channel": "web",
    }
    assert (api_line["path"], api_line["channel"]) == ("/api/v1/workers?limit=5", "api")
    # the server's own lines (outside any request) are the web's too
    from nuanxin.core.logformat import JsonFormatter

    record = logging.LogRecord("gunicorn.error", logging.WARNING, __file__, 1, "Worker (pid:%s) was sent SIGKILL!",
                               (4321,), None)
    assert json.loads(JsonFormatter().format(record))["channel"] == "web"


@pytest.mark.django_db
def test_every_answer_carries_the_request_id_the_proxy_gave_or_a_new_one(client):
    import re

    fresh = client.get("/accounts/login/")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", fresh)
    assert client.get("/accounts/login/")["X-Request-ID"] != fresh
    given = "0123456789abcdef0123456789abcdef"
    assert client.get("/accounts/login/", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    forged = client.get("/accounts/login/", HTTP_X_REQUEST_ID="<script>alert(1)</script>")["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", forged)
