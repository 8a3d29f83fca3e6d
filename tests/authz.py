"""The authorization matrix every app contributes to.

Each Nuanxin app with pages or API operations has ``nuanxin/<app>/tests/authz_cases.py``
defining ``cases(p: Personas) -> list[Case]``. ``tests/test_authorization.py`` enumerates every
URL pattern and every API operation, fails for any that is neither declared public nor
covered by a case, and runs each case four ways: anonymous, a persona whose role may not use
it, a persona with the right role in another organisation (404 and nothing changed), and the
allowed persona.

Objects a case needs are built inside ``cases`` through the services (in 市南区, the scope of
乙 and of the care contact), so ``丙`` (市北区) is the natural "other organisation" persona.
"""

from __future__ import annotations

import hashlib
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

OK = frozenset({200, 201, 204, 302})


@dataclass
class Case:
    """One page URL (``target`` is its URL name, ``kwargs`` reverse it) or one API operation
    (``target`` is ``"METHOD /api/v1/path/{param}"`` exactly as in the OpenAPI schema,
    ``kwargs`` fill the braces)."""

    target: str
    allowed: Any
    kwargs: dict = field(default_factory=dict)
    method: str = "get"
    data: dict | None = None
    query: str = ""
    denied: Any = None  # holds a role that may not use it: 403
    # Right role, other organisation: 404, nothing changed. Several users may be given (a
    # tuple), e.g. 丙 and a care contact of the same unit whom the family is not assigned to.
    other_org: Any = None
    # A form that offers only the user's own organisations refuses a foreign one with the form
    # shown again (200): still nothing may change.
    other_org_status: int = 404
    ok_status: frozenset = OK
    # For a URL with an object in it, other_org is required; a case may instead say why
    # the object cannot lie in another organisation (e.g. the user's own account page).
    no_other_org_because: str = ""
    # Run before the allowed request (e.g. to create what a form will then change).
    before_allowed: Callable[[], None] | None = None
    # A POST/PATCH case proves something only when the data it sends would succeed: the
    # matrix checks that the allowed request changed the database. A case whose allowed
    # request deliberately changes nothing (e.g. a wrong current password) says why here.
    no_change_because: str = ""
    # A read that must be audited (a reveal, sensitive data, an export): the allowed request
    # writes an audit row with this action, and no refused request writes one.
    audits: str = ""

    @property
    def outsiders(self) -> tuple:
        return self.other_org if isinstance(self.other_org, tuple | list) else (self.other_org,)

    @property
    def is_api(self) -> bool:
        return " " in self.target

    @property
    def api_method(self) -> str:
        return self.target.split(" ", 1)[0].lower()

    @property
    def api_path(self) -> str:
        return self.target.split(" ", 1)[1]

    def __str__(self) -> str:
        return f"{self.method.upper() if not self.is_api else ''} {self.target}".strip()


_FINGERPRINT_SKIP = {"core.auditlog", "sessions.session", "accounts.loginattempt", "core.schedulerlease"}
# Filled by the migrations (post_migrate) and changed by no request: a third of the rows read.
_FINGERPRINT_STATIC = {"auth.permission", "contenttypes.contenttype"}
# A sign-in stamps last_login and a token use stamps last_used_at: that is the credential being
# used, not a change the request made.
_FINGERPRINT_STAMPS = {"last_login", "last_used_at"}
_fingerprint_sql: dict[str, str] = {}


def _fingerprint_query(vendor: str, quote: Callable[[str], str]) -> str:
    """One query reading every row of every model but the skipped, each row as one text (its
    every column but the stamps), ordered: one round trip instead of one per model."""
    from django.apps import apps

    parts = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label_lower):
        if model._meta.label_lower in _FINGERPRINT_SKIP | _FINGERPRINT_STATIC or model._meta.proxy:
            continue
        columns = [quote(f.column) for f in model._meta.concrete_fields if f.attname not in _FINGERPRINT_STAMPS]
        if vendor == "postgresql":
            row = f"ROW({', '.join(columns)})::text" if len(columns) > 1 else f"({columns[0]})::text"
        else:
            row = " || '|' || ".join(f"quote({c})" for c in columns)
        parts.append(f"SELECT '{model._meta.label_lower}' AS m, {row} AS r FROM {quote(model._meta.db_table)}")
    every_row = " UNION ALL ".join(parts)
    # The rows joined into one text by the database (one value fetched, hashed in C): fetching
    # each row into Python and hashing it there took most of the matrix's time on SQLite.
    if vendor == "postgresql":
        return f"SELECT string_agg(m || ':' || COALESCE(r, ''), E'\\n' ORDER BY m, r) FROM ({every_row}) AS every_row"
    return (
        "SELECT group_concat(m || ':' || COALESCE(r, ''), char(10)) "
        f"FROM (SELECT m, r FROM ({every_row}) ORDER BY m, r)"
    )


_prepared: weakref.WeakSet = weakref.WeakSet()  # the connections holding the prepared fingerprint


def fingerprint() -> str:
    """A hash of every row of every model but the audit log, sessions and login attempts (every
    column but the sign-in stamps): equal before and after a refused request means the request
    changed nothing. Read in one query (``_fingerprint_query``): the matrix takes thousands."""
    from django.db import connection

    sql = _fingerprint_sql.get(connection.vendor)
    if sql is None:
        sql = _fingerprint_sql[connection.vendor] = _fingerprint_query(connection.vendor, connection.ops.quote_name)
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Planning the union of every table takes PostgreSQL ~25 ms, running it ~4: prepared
            # once per connection (a prepared statement lives as long as its session).
            connection.ensure_connection()
            if connection.connection not in _prepared:
                cursor.execute("PREPARE nuanxin_fingerprint AS " + sql)
                _prepared.add(connection.connection)
            cursor.execute("EXECUTE nuanxin_fingerprint")
        else:
            cursor.execute(sql)
        (joined,) = cursor.fetchone()
    digest.update((joined or "").encode())
    return digest.hexdigest()


# --- the standard cases of a scoped view or operation, derived from the model's policy ----------

# The personas in the order the factory tries them: the first one the policy refuses is the
# "wrong role"; every one whose role the policy accepts but whose grants do not reach the object
# is an "other organisation".
PERSONA_ORDER = ("counsellor", "viewer", "auditor", "care", "bing", "yi", "jia")


def standard_cases(
    p,
    target: str,
    *,
    model,
    action: str,
    allowed,
    obj=None,
    lookup: str = "pk",
    data: dict | None = None,
    method: str | None = None,
    denied=None,
    other_org=None,
    **options,
) -> list[Case]:
    """The standard cases of one scoped page or API operation, so an app's cases are a few lines::

        standard_cases(p, "toyapp:note_detail", model=Note, action="view", obj=note, allowed=p.yi)
        standard_cases(p, "GET /api/v1/toy/notes/{id}", model=Note, action="view", obj=note,
                       lookup="id", allowed=p.yi)

    A page gives a GET case, and a POST case too when ``data`` is given (with ``method``: only
    that verb's case); an operation (``"METHOD /api/v1/..."``) gives one case, with ``data`` as its
    body. With ``obj``, its ``pk`` fills ``lookup`` in the URL. Unless given: ``denied`` is the
    first persona of ``PERSONA_ORDER`` who holds no role for ``action``
    (``model.policy.may``), and ``other_org`` every persona who holds one but whose grants do not
    reach ``obj`` (``model.policy.allows``). ``options`` go to each ``Case`` (``audits``,
    ``other_org_status``, ``no_change_because``...). The test runs each case anonymous, as the
    wrong role (403), from the other organisations (404, nothing changed) and allowed."""
    policy = model.policy
    personas = [getattr(p, name) for name in PERSONA_ORDER]
    if denied is None:
        denied = next((u for u in personas if not policy.may(u, action)), None)
    if other_org is None and obj is not None:
        outside = tuple(u for u in personas if policy.may(u, action) and not policy.allows(u, action, obj))
        other_org = outside or None
    kwargs = {lookup: obj.pk} if obj is not None else {}
    common = {"allowed": allowed, "denied": denied, "other_org": other_org, "kwargs": kwargs, **options}
    if " " in target:  # an API operation
        return [Case(target, data=data, **common)]
    cases = [Case(target, **common)] if method is None else []  # the page itself
    if data is not None or method is not None:
        cases.append(Case(target, method=method or "post", data=data, **common))
    return cases
