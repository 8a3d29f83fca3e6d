"""Structured logs: with ``NUANXIN_LOG_FORMAT=json`` every log line (the application's and the
web server's access log) is one JSON object, for a log collector that gathers several nodes.

Fields: ``time`` (ISO 8601 with the offset), ``level``, ``logger``, ``message``, ``node`` (the
host name), ``pid``, ``request_id`` (the request's, also answered as ``X-Request-ID``: nginx's
``$request_id`` passed on as that header is kept, so one request can be followed from the proxy
to the application), ``channel`` (web, api, task, cli) and ``exception`` when there is one. The
masking filter (``core/logmask.py``) rewrites the message before it is formatted, so the JSON
holds the masked text; the exception's text is masked here as well.
"""

from __future__ import annotations

import json
import logging
import os
import socket
from datetime import datetime

from nuanxin.core import context
from nuanxin.core.logmask import mask_text

NODE = socket.gethostname()


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        current = context.current()
        entry = {
            "time": datetime.fromtimestamp(record.created).astimezone().isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "node": NODE,
            "pid": os.getpid(),
            # the web server's own lines (a worker restarted, a timeout) are the web's, not "cli"
            "channel": "web" if record.name.startswith("gunicorn.") and not current.request_id else current.channel,
        }
        if current.request_id:
            entry["request_id"] = current.request_id
        fields = getattr(record, "fields", None)  # the access log's, see core/management/commands/web.py
        if isinstance(fields, dict):
            entry.update(fields)
        if record.exc_info:
            entry["exception"] = mask_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False, default=str)
