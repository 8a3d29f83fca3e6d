"""Optimistic concurrency for every record people edit: no silent lost update.

A record that an edit page or a PATCH changes carries a ``version`` (``version_field()``), 1
when created and one more at each change. An edit starts from the version it read (the
form's hidden ``version``, the API's ``version`` in the body or ``If-Match: "<version>"``
header); the service locks the row (``select_for_update``), calls ``check_version`` and, when
it saves, ``bump``. Someone who saved in between makes ``check_version`` raise ``Conflict``
(409 on the API) saying who changed the record and when; nothing is saved. A version newer than
the record's is no one's change but a version it never had: 400 ``unknown_version``. A weak
``If-Match: W/"3"`` is read as version 3.

Why a counter rather than ``updated_at``: two saves in the same clock tick, a clock set back,
or ``updated_at`` set by an importer's undo (which restores the time the record had) would
compare equal and lose an update; a counter changed under the row lock cannot.

Services called without ``version`` (commands, periodic jobs, the importer) skip the check
but still bump, so an edit page opened before them is refused too. The API refuses a write
with no version at all (428, ``VersionRequired``); pages always send one.
"""

from __future__ import annotations

from django import forms
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nuanxin.core.errors import Conflict, ServiceError

FIELD = "version"


def version_field() -> models.PositiveIntegerField:
    """The ``version`` column: 1 on creation (also for rows inserted by raw SQL or COPY)."""
    return models.PositiveIntegerField(
        gettext_lazy("version"),
        default=1,
        db_default=1,
        editable=False,
        help_text=gettext_lazy("Changes by one at every save; an edit from an older version is refused."),
    )


class VersionRequired(ServiceError):
    """An API write without the version it started from (HTTP 428 Precondition Required)."""

    code = "version_required"
    status = 428


def parse(value) -> int | None:
    """A version as a form, a JSON body or an ``If-Match`` header gives it: ``3``, ``"3"``,
    ``W/"3"``. None when not given; ``ServiceError`` when not a version number."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ServiceError(_("The version must be a whole number of 1 or more."), field=FIELD)
    text = str(value).strip()
    # A weak tag (W/"3", as a proxy that compresses answers turns an ETag into) names the same
    # version: a version counter has no byte-for-byte representation to be strong about.
    if text[:2] in ("W/", "w/"):
        text = text[2:].strip()
    text = text.strip('"').strip()
    try:
        number = int(text)
    except (TypeError, ValueError):
        number = 0
    if number < 1 or number > 2_147_483_647:
        raise ServiceError(_("The version must be a whole number of 1 or more."), field=FIELD)
    return number


def _last_change(obj):
    """(who, when) of the record's latest saved change, from its history when it has one."""
    history = getattr(obj, "history", None)
    who, when = None, None
    if history is not None:
        last = history.order_by("-history_date", "-history_id").select_related("history_user").first()
        if last is not None:
            who, when = last.history_user, last.history_date
    if when is None:
        when = getattr(obj, "updated_at", None)
    return who, when


def conflict_message(obj, text=None) -> str:
    """Who changed ``obj`` and when, and that the user's changes were not saved. ``text``: a
    message with ``%(who)s`` and ``%(when)s`` for a particular kind of record."""
    who, when = _last_change(obj)
    who = str(who) if who is not None else _("someone else")
    if when is None:
        return _(
            "Someone else changed this record after you opened it. Your changes were not saved: "
            "reload it to see theirs, then make yours again."
        )
    when = timezone.localtime(when).strftime("%Y-%m-%d %H:%M")
    if text is None:
        text = _(
            "%(who)s changed this record at %(when)s, after you opened it. Your changes were not saved: "
            "reload it to see theirs, then make yours again."
        )
    return str(text) % {"who": who, "when": when}


def check_version(obj, version, *, text=None) -> None:
    """Refuse an edit that started from another version than ``obj``'s (read under
    ``select_for_update``). ``version=None``: an internal caller, no check."""
    version = parse(version)
    if version is None or version == obj.version:
        return
    if obj.version is not None and version > obj.version:
        # Not a concurrent change: the record never had this version (a made-up or mistyped one).
        raise ServiceError(
            _(
                "This record has never had version %(version)s: its current version is %(current)s. Send the "
                "version you read (the “version” of the GET answer, or the version of the page you opened)."
            )
            % {"version": version, "current": obj.version},
            code="unknown_version",
            field=FIELD,
        )
    raise Conflict(conflict_message(obj, text), field=FIELD)


def bump(obj) -> str:
    """Count the change on ``obj`` (locked by the caller); returns the field name for
    ``save(update_fields=[...])``."""
    obj.version = (obj.version or 0) + 1
    return FIELD


def bump_rows(queryset) -> int:
    """Count a change on each row of ``queryset`` (bulk writers: importer, moves)."""
    return queryset.update(version=F(FIELD) + 1)


def etag(obj) -> str:
    """The ``ETag`` header value of ``obj``'s current version."""
    return f'"{obj.version}"'


def version_from_request(request, body_version) -> int:
    """The version an API write started from: ``version`` in the body or the ``If-Match``
    header (both given must agree). Neither: ``VersionRequired`` (428)."""
    header = parse(request.headers.get("If-Match"))
    body = parse(body_version)
    if header is not None and body is not None and header != body:
        raise ServiceError(_("The version in the body and the If-Match header differ."), field=FIELD)
    version = body if body is not None else header
    if version is None:
        raise VersionRequired(
            _(
                "Send the version you read (the “version” of the GET answer, in the body or as the "
                "header If-Match: \"<version>\"), so that a change made since is not overwritten."
            ),
            field=FIELD,
        )
    return version


class VersionedForm(forms.Form):
    """A form mixin carrying the version the edit page was opened at (hidden). Its problems
    (missing, not a number) and a service's ``Conflict`` show above the form, since the field
    itself is not shown. Pass ``version=obj.version`` for an unbound form."""

    def __init__(self, *args, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        missing = gettext_lazy("The form is missing its version: reload the page and make your changes again.")
        self.fields[FIELD] = forms.IntegerField(
            widget=forms.HiddenInput,
            min_value=1,
            error_messages={"required": missing, "invalid": missing, "min_value": missing},
        )
        if version is not None:
            self.initial[FIELD] = version

    def add_error(self, field, error):
        super().add_error(None if field == FIELD else field, error)
