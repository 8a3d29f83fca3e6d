"""Text-message backends. ``settings.NUANXIN_SMS_BACKEND`` names the class:

- ``nuanxin.notify.sms.ConsoleBackend``: prints each message (development);
- ``nuanxin.notify.sms.FileBackend``: appends each message as one JSON line to
  ``settings.NUANXIN_SMS_FILE`` (tests, demos, a dry run in production);
- ``nuanxin.notify.sms.ProviderBackend``: a Chinese SMS provider's HTTP API.

Chinese providers only send pre-approved templates: a message is a template id plus its
parameters, never free text. ``SmsMessage.template`` is our name for the template (e.g.
``care_week_due``); ``settings.NUANXIN_SMS_TEMPLATES`` maps it to the provider's id.
``SmsMessage.text`` is our own rendering, used by the console and file backends only.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.conf import settings
from django.utils.module_loading import import_string

from nuanxin.core.logmask import mask_text


class SmsError(Exception):
    """Sending failed. ``permanent`` errors are not retried (bad number, unknown template,
    rejected signature); the others are (network, provider busy, throttling)."""

    def __init__(self, message: str, *, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class SmsMessage:
    to: str  # a mainland mobile number, e.g. +8613800001234 or 13800001234
    template: str
    params: dict = field(default_factory=dict)
    text: str = ""
    out_id: str = ""  # our idempotency key, passed on so the provider can drop duplicates


def national_number(number: str) -> str:
    """The 11 digits providers expect for a mainland mobile (drops +86 and separators)."""
    digits = "".join(ch for ch in str(number) if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) != 11 or not digits.startswith("1"):
        # The error lands in logs and the audit trail: name the number by its last digits only.
        raise SmsError(f"not a mainland mobile number: …{digits[-4:]}", permanent=True)
    return digits


class BaseBackend:
    def send(self, message: SmsMessage) -> str:
        """Send one message; return the provider's message id. Raise ``SmsError``."""
        raise NotImplementedError


def _record(message: SmsMessage) -> dict:
    return {
        "id": uuid.uuid4().hex,
        "at": datetime.now(UTC).isoformat(),
        "to": national_number(message.to),
        "template": message.template,
        "params": message.params,
        "text": message.text,
    }


class ConsoleBackend(BaseBackend):
    """Prints each message to standard output (development), with the recipient's mobile and
    any number in the text masked (138****5678) like every log line: the terminal of
    ``make run`` is often shared or recorded."""

    def __init__(self, stream=None):
        self.stream = stream

    def send(self, message: SmsMessage) -> str:
        record = _record(message)
        stream = self.stream or sys.stdout
        stream.write(mask_text(f"[SMS] {json.dumps(record, ensure_ascii=False)}") + "\n")
        stream.flush()
        return record["id"]


class FileBackend(BaseBackend):
    """Appends each message as one JSON line to a file (``settings.NUANXIN_SMS_FILE``)."""

    _lock = threading.Lock()

    def __init__(self, path=None):
        self.path = path

    def send(self, message: SmsMessage) -> str:
        from pathlib import Path

        record = _record(message)
        path = Path(self.path or settings.NUANXIN_SMS_FILE)
        path.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, ensure_ascii=False) + "\n"
        with self._lock, open(path, "a", encoding="utf-8") as fh:
            fh.write(line)
        return record["id"]


# A transport takes (url, headers, body bytes, timeout seconds) and returns (HTTP status,
# response body bytes); it raises SmsError for network failures. Tests inject a fake one.
Transport = Callable[[str, dict, bytes, float], tuple[int, bytes]]


def urllib_transport(url: str, headers: dict, body: bytes, timeout: float) -> tuple[int, bytes]:
    if not url.startswith("https://") and not url.startswith("http://"):
        raise SmsError("the SMS provider URL must be http(s)", permanent=True)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise SmsError(f"SMS provider unreachable: {exc}") from exc


# Provider answer codes that mean "try again later".
RETRYABLE_CODES = frozenset({"Throttling", "isv.BUSINESS_LIMIT_CONTROL", "ServiceUnavailable", "InternalError"})


def sign(secret: str, method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """HMAC-SHA256 over method, path, timestamp, nonce and the body's SHA-256, base64."""
    string_to_sign = "\n".join([method, path, timestamp, nonce, hashlib.sha256(body).hexdigest()])
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class ProviderBackend(BaseBackend):
    """An SMS provider's HTTP JSON API, in the shape Chinese providers share: the number,
    the approved signature (签名), the template id and its parameters as a JSON string,
    authenticated by an access key and an HMAC-SHA256 signature of the request.

    Request (POST ``URL``, ``Content-Type: application/json``)::

        {"PhoneNumbers": "13800001234", "SignName": "青岛市总工会",
         "TemplateCode": "SMS_123", "TemplateParam": "{\\"count\\": \\"3\\"}", "OutId": "<key>"}

    Headers ``X-Nx-Access-Key``, ``X-Nx-Timestamp`` (ISO 8601 UTC), ``X-Nx-Nonce`` and
    ``X-Nx-Signature`` = base64(HMAC-SHA256(secret, "POST\\n<path>\\n<timestamp>\\n<nonce>\\n
    <sha256 hex of body>")). Answer: ``{"Code": "OK", "BizId": "..."}`` or an error code.
    A gateway in front of a specific provider can adapt this shape.
    """

    def __init__(self, config: dict | None = None, templates: dict | None = None, transport: Transport | None = None):
        self.config = config if config is not None else settings.NUANXIN_SMS_PROVIDER
        self.templates = templates if templates is not None else settings.NUANXIN_SMS_TEMPLATES
        self.transport = transport or urllib_transport

    def build_request(self, message: SmsMessage) -> tuple[str, dict, bytes]:
        url = self.config.get("URL") or ""
        if not url:
            raise SmsError("NUANXIN_SMS_PROVIDER_URL is not set", permanent=True)
        template_id = self.templates.get(message.template)
        if not template_id:
            raise SmsError(f"no provider template id for {message.template!r} in NUANXIN_SMS_TEMPLATES", permanent=True)
        payload = {
            "PhoneNumbers": national_number(message.to),
            "SignName": self.config.get("SIGN_NAME", ""),
            "TemplateCode": template_id,
            "TemplateParam": json.dumps({k: str(v) for k, v in message.params.items()}, ensure_ascii=False),
        }
        if message.out_id:
            payload["OutId"] = message.out_id[:64]
        body = json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
        timestamp = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        nonce = uuid.uuid4().hex
        path = urllib.parse.urlsplit(url).path or "/"
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "X-Nx-Access-Key": self.config.get("ACCESS_KEY", ""),
            "X-Nx-Timestamp": timestamp,
            "X-Nx-Nonce": nonce,
            "X-Nx-Signature": sign(self.config.get("SECRET", ""), "POST", path, timestamp, nonce, body),
        }
        return url, headers, body

    def send(self, message: SmsMessage) -> str:
        url, headers, body = self.build_request(message)
        status, raw = self.transport(url, headers, body, float(self.config.get("TIMEOUT", 10)))
        if status == 429 or status >= 500:
            raise SmsError(f"SMS provider answered HTTP {status}")
        try:
            answer = json.loads(raw.decode() or "{}")
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise SmsError(f"SMS provider answered HTTP {status} with a body that is not JSON") from None
        code = str(answer.get("Code", ""))
        if status == 200 and code == "OK":
            return str(answer.get("BizId") or answer.get("RequestId") or "")
        detail = f"SMS provider refused: HTTP {status} {code} {answer.get('Message', '')}".strip()
        raise SmsError(detail, permanent=code not in RETRYABLE_CODES)


def get_backend(path: str | None = None) -> BaseBackend:
    return import_string(path or settings.NUANXIN_SMS_BACKEND)()
