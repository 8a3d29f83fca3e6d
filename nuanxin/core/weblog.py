"""The web server's logger (``nuanxin web`` runs gunicorn with ``--logger-class`` naming it).

gunicorn's master process loads this module, and it must not import Django: a master that had
imported the application would hand its modules to the workers it forks, so a graceful reload
(SIGHUP) after an upgrade would start workers with the old code. It reads ``NUANXIN_LOG_FORMAT``
from the environment itself for that reason.

The mask of the application's logs (``core/logmask.py``) is put on the access and error logs: a
mobile typed into a search box travels in the request line (``/registry/?q=13812345678``). With
``NUANXIN_LOG_FORMAT=json`` both write JSON lines (``core/logformat.py``), an access line with its
fields apart (remote, method, path, status, bytes, ms, agent, request_id).
"""

from __future__ import annotations

import os

from gunicorn.glogging import Logger

from nuanxin.core.logformat import JsonFormatter
from nuanxin.core.logmask import MaskPersonalNumbers, mask_text

# When, the client, the request line, status, bytes, time taken (ms), the browser, the request's id.
ACCESS_FORMAT = '%(t)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" %({x-request-id}o)s'


def json_lines() -> bool:
    return os.environ.get("NUANXIN_LOG_FORMAT", "").strip() == "json"


class MaskedLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.access_log, self.error_log):
            if not any(isinstance(f, MaskPersonalNumbers) for f in log.filters):
                log.addFilter(MaskPersonalNumbers())
            if json_lines():
                for handler in log.handlers:
                    handler.setFormatter(JsonFormatter())

    def access(self, resp, req, environ, request_time):
        if not json_lines():
            return super().access(resp, req, environ, request_time)
        if not self.access_log_enabled:
            return None
        atoms = self.atoms(resp, req, environ, request_time)
        query = atoms["q"]
        fields = {
            "remote": atoms["h"],
            "method": atoms["m"],
            "path": mask_text(f"{atoms['U']}?{query}" if query else atoms["U"] or ""),
            "status": int(atoms["s"]) if str(atoms["s"]).isdigit() else atoms["s"],
            "bytes": atoms["B"],
            "ms": atoms["M"],
            "agent": atoms["a"],
            "request_id": atoms.get("{x-request-id}o"),
            # Written after the answer, outside the request: its channel from its path (the
            # application's own lines carry the request's).
            "channel": "api" if (atoms["U"] or "").startswith("/api/") else "web",
        }
        self.access_log.info("%s", atoms["r"], extra={"fields": fields})
        return None
