"""Idempotent creation: a double submission (two taps on a weak phone network, a browser or
client retrying) creates one record, and the retry gets the first answer.

Two doors, one mechanism (``IdempotencyKey``, unique on (user, key)):

- **API**: decorate a create operation with ``@idempotency.api`` (under ``@router.post``). A
  request with an ``Idempotency-Key: <1–255 printable ASCII characters>`` header is run once
  per token user and key; a retry with the same key and the same request (method, path with
  query and body) gets the first answer again (same status and body) with
  ``Idempotent-Replayed: true``; the same key with a different request is a 422
  ``idempotency_key_reused``. A request without the header runs as before.
- **Pages**: put ``{% submission_token %}`` (``{% load idempotency %}``) in every create form
  and decorate the view with ``@idempotency.form`` (innermost, under the access mark). The
  first POST with a token runs; a repeat is sent to the same place as the first (its
  redirect) with the message "already saved". A form shown again with errors keeps its token
  (only a successful create uses it up: a redirect, or a page marked with ``created()``). A
  POST without a token (a script) is accepted as before.

The key row is inserted in the same transaction as the create it guards and holds the answer
when that transaction commits. A concurrent duplicate therefore **waits** for the first
request: on PostgreSQL its insert blocks on the unique index until the first commits (it then
replays the stored answer) or rolls back (it then runs itself); on SQLite the IMMEDIATE
transactions run one after the other. A failed request (an error answer, a form with errors)
stores nothing, so the same key may be sent again. Keys are forgotten after 24 hours
(``core.prune_idempotency_keys``, hourly).
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from datetime import timedelta
from functools import wraps

from django.contrib import messages
from django.db import DatabaseError, IntegrityError, transaction
from django.http import HttpResponse, HttpResponseRedirect
from django.http.request import RawPostDataException
from django.shortcuts import render, resolve_url
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tasks import task
from ninja.decorators import decorate_view

from nuanxin.core import audit
from nuanxin.core.models import IdempotencyKey
from nuanxin.core.policy import SYSTEM

logger = logging.getLogger("nuanxin.idempotency")

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
FIELD = "submission_token"
RETENTION = timedelta(hours=24)

API_KEY_RE = re.compile(r"[!-~]{1,255}")  # printable ASCII, no spaces
TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def new_token() -> str:
    """A random one-time token for a form (32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


# --- the claim --------------------------------------------------------------------------------


class _Replay(Exception):
    """Raised inside the guarded transaction when the key is already used."""

    def __init__(self, row: IdempotencyKey):
        self.row = row


def _claim(user, key: str, *, method: str, path: str, fingerprint: str) -> IdempotencyKey:
    """Insert the key row (in a savepoint of the caller's transaction) or raise ``_Replay``
    with the row that holds it. A concurrent insert of the same key waits here."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return IdempotencyKey.objects.create(
                    user=user, key=key, method=method, path=path[:255], fingerprint=fingerprint
                )
        except IntegrityError:
            row = IdempotencyKey.objects.filter(user=user, key=key).first()
            if row is not None:
                raise _Replay(row) from None
            # Pruned between the insert and the read: try again.
    raise RuntimeError("could not claim the idempotency key")  # pragma: no cover


def _release(row: IdempotencyKey) -> None:
    """Forget the claim of a request that did not succeed, keeping its other writes (e.g.
    audit rows); if the transaction is broken, roll all of it back."""
    try:
        with transaction.atomic():
            IdempotencyKey.objects.filter(pk=row.pk).delete()
    except DatabaseError:
        transaction.set_rollback(True)


def _guarded(user, key, *, method, path, fingerprint, run, succeeded, store):
    """Run ``run()`` once for (user, key). Returns (response, None) for a request that ran,
    (None, row) for a key already used (the caller replays the row)."""
    error = None
    try:
        with transaction.atomic():
            row = _claim(user, key, method=method, path=path, fingerprint=fingerprint)
            try:
                response = run()
            except Exception as exc:  # re-raised below, after the release commits
                error = exc
                _release(row)
            else:
                if succeeded(response):
                    store(row, response)
                    IdempotencyKey.objects.filter(pk=row.pk).update(
                        status=row.status, content_type=row.content_type, body=row.body, location=row.location
                    )
                elif response.status_code >= 500:
                    transaction.set_rollback(True)
                else:
                    _release(row)
    except _Replay as replay:
        return None, replay.row
    if error is not None:
        raise error
    return response, None


# --- API ----------------------------------------------------------------------------------------


def _api_fingerprint(request) -> str | None:
    digest = hashlib.sha256()
    digest.update(f"{request.method}\0{request.get_full_path()}\0".encode())
    try:
        digest.update(request.body)
    except RawPostDataException:
        # A multipart body already parsed into fields and files (an upload).
        for name, values in sorted(request.POST.lists()):
            digest.update(f"{name}\0{values!r}\0".encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(f"{name}\0{upload.name}\0{upload.size}\0".encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    except Exception:  # e.g. RequestDataTooBig: the operation answers it
        return None
    return digest.hexdigest()


def _api_user(operation, request):
    for callback in getattr(operation, "auth_callbacks", []) or []:
        try:
            user = callback(request)
        except Exception:  # the operation itself answers the 401
            user = None
        if user:
            return user
    return None


def _api_replay(row: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(row.body, status=row.status, content_type=row.content_type or "application/json")
    if row.location:
        response["Location"] = row.location
    response[REPLAYED_HEADER] = "true"
    return response


def _api_error(status: int, code: str, message: str, field: str | None = None) -> HttpResponse:
    from nuanxin.core.apiutils import error_response

    errors = [{"field": field, "in": "header", "message": message}] if field else None
    return error_response(status, code, message, errors=errors)


OPENAPI_EXTRA = {
    "parameters": [
        {
            "name": HEADER,
            "in": "header",
            "required": False,
            "schema": {"type": "string", "minLength": 1, "maxLength": 255, "pattern": "^[!-~]{1,255}$"},
            "description": (
                "A key of your choice (e.g. a UUID), new for each new record. A retry with the same "
                "key and body answers the first result again (header Idempotent-Replayed: true) "
                "instead of creating a second record; the same key with another body is a 422 "
                "idempotency_key_reused. Kept 24 hours."
            ),
        }
    ]
}


def _document(operation) -> None:
    extra = dict(operation.openapi_extra or {})
    parameters = list(extra.get("parameters", []))
    if not any(p.get("name") == HEADER for p in parameters):
        parameters += OPENAPI_EXTRA["parameters"]
    extra["parameters"] = parameters
    operation.openapi_extra = extra


def _api_run_wrapper(run):
    operation = getattr(run, "__self__", None)
    if operation is not None:
        _document(operation)

    @wraps(run)
    def wrapper(request, *args, **kwargs):
        raw = request.headers.get(HEADER)
        if raw is None:
            return run(request, *args, **kwargs)
        user = _api_user(operation, request)
        if user is None:
            return run(request, *args, **kwargs)  # the 401
        if not API_KEY_RE.fullmatch(raw):
            return _api_error(
                422, "invalid",
                _("The Idempotency-Key header must be 1 to 255 printable ASCII characters without spaces."),
                field=HEADER,
            )
        fingerprint = _api_fingerprint(request)
        if fingerprint is None:
            return run(request, *args, **kwargs)

        def store(row, response):
            row.status = response.status_code
            row.content_type = response.get("Content-Type", "")[:100]
            row.body = response.content.decode("utf-8")
            row.location = response.get("Location", "")

        def succeeded(response):
            return 200 <= response.status_code < 300 and not getattr(response, "streaming", False)

        try:
            response, row = _guarded(
                user, f"api:{raw}", method=request.method, path=request.path, fingerprint=fingerprint,
                run=lambda: run(request, *args, **kwargs), succeeded=succeeded, store=store,
            )
        except Exception as exc:
            # The claim itself failed (e.g. the database busy): the API's JSON error handlers answer.
            return operation.api.on_exception(request, exc)
        if row is None:
            return response
        if row.fingerprint != fingerprint or row.status is None:
            return _api_error(
                422, "idempotency_key_reused",
                _("This Idempotency-Key was already used for a different request. Send a new key for a new record."),
            )
        return _api_replay(row)

    return wrapper


def api(func):
    """Make an API create operation idempotent under the ``Idempotency-Key`` header. Put it
    under ``@router.post(...)``."""
    return decorate_view(_api_run_wrapper)(func)


# --- pages -------------------------------------------------------------------------------------


def form(view):
    """Make a create view idempotent under its form's one-time token (``{% submission_token %}``).
    Put it innermost, under the access mark and the method check."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        token = request.POST.get(FIELD) if request.method == "POST" else None
        if not token or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if not TOKEN_RE.fullmatch(token):
            messages.error(
                request, _("The one-time token of this form is not valid. Open the form again and send it anew.")
            )
            return render(request, "errors/400.html", status=400)
        path = request.path
        fingerprint = hashlib.sha256(f"POST\0{path}".encode()).hexdigest()

        def store(row, response):
            row.status = response.status_code
            row.location = getattr(response, "idempotent_location", None) or response["Location"]

        def succeeded(response):
            if getattr(response, "idempotent_location", None):
                return True
            return 300 <= response.status_code < 400 and response.has_header("Location")

        response, row = _guarded(
            request.user, f"form:{token}:{path}"[:300], method="POST", path=path, fingerprint=fingerprint,
            run=lambda: view(request, *args, **kwargs), succeeded=succeeded, store=store,
        )
        if row is None:
            return response
        messages.info(request, _("This form was already sent and saved; it was not saved a second time."))
        return HttpResponseRedirect(row.location)

    wrapper.nuanxin_idempotent = True  # kept by the outer decorators' functools.wraps
    return wrapper


def created(response, location: str):
    """Mark a page that shows a new record once (a token's or a generated password's secret)
    as a successful create: a repeat of the form is sent to ``location`` instead, since the
    secret is never stored and cannot be shown again."""
    response.idempotent_location = resolve_url(location)
    return response


# --- pruning -------------------------------------------------------------------------------------


def prune(*, actor=SYSTEM, now=None) -> int:
    """Forget the keys older than 24 hours; a retry after that creates a new record."""
    cutoff = (now or timezone.now()) - RETENTION
    with transaction.atomic():
        count, _details = IdempotencyKey.objects.filter(created_at__lt=cutoff).delete()
        if count:
            audit.record(actor, "idempotency.prune", object_type="core.idempotencykey", detail={"count": count})
    return count


@task()
def prune_idempotency_keys() -> int:
    """Periodic job: forget idempotency keys older than 24 hours."""
    return prune(actor=SYSTEM)
