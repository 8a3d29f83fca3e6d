import json
import sys

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from nuanxin.core import access, apiutils, auditlabels, exports, health, manifest, services
from nuanxin.core.filters import AuditLogFilter
from nuanxin.core.middleware import busy_response, is_database_busy
from nuanxin.core.models import AuditLog, AuditOutcome
from nuanxin.core.templatetags.nuanxin_audit import audit_detail

AUDIT_PAGE_SIZE = 50
AUDIT_EXPORT_MAX_ROWS = 100_000


@access.authenticated
def home(request):
    """Where to start, the apps' cards (the user's scope: orgs) and counters, from the manifests."""
    user = request.user
    return render(
        request,
        "core/home.html",
        {
            "start_entries": manifest.start_entries(user),
            "panels": manifest.home_panels(request),
            "counts": manifest.counts_for(user),
        },
    )


@access.public
@never_cache
def healthz(request):
    """The process is up (``core/health.py``; its middleware answers first, this is the URL's
    name and the fallback)."""
    return health.healthz(request)


@access.public
@never_cache
def readyz(request):
    """Database, shared cache and storage reachable (``core/health.py``)."""
    return health.readyz(request)


# --- the audit log (auditors only; they read, they change nothing) -----------------------------


def _query_without(request, *names: str) -> str:
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


# Adding or importing a person registered outside the user's scope tells the user that the
# person exists there; each such hit is a ``registry.duplicate_elsewhere`` row (written by the
# register's services, which also limit them per user and day). The audit page lists, at its
# top, the users of the auditor's scope with more than DUPLICATE_BURST hits in the last 24
# hours, or with any refused after the limit: someone may be probing the register.
DUPLICATE_ACTION = "registry.duplicate_elsewhere"
DUPLICATE_BURST = 5


def duplicate_bursts(user) -> list[dict]:
    """[{actor_name, hits, refused, query}] for the alert of the audit page, most hits first."""
    from datetime import timedelta
    from urllib.parse import urlencode

    from django.db.models import Count, Q

    from nuanxin.core.models import AuditLog, AuditOutcome

    since = timezone.now() - timedelta(hours=24)
    rows = (
        AuditLog.objects.for_user(user)
        .filter(action=DUPLICATE_ACTION, at__gte=since)
        .values("actor_name")
        .annotate(
            hits=Count("id", filter=Q(outcome=AuditOutcome.SUCCESS)),
            refused=Count("id", filter=Q(outcome=AuditOutcome.DENIED)),
        )
        .filter(Q(hits__gt=DUPLICATE_BURST) | Q(refused__gt=0))
        .order_by("-hits", "-refused", "actor_name")
    )
    return [{**row, "query": urlencode({"actor": row["actor_name"], "action": DUPLICATE_ACTION})} for row in rows]


def _audit_page(request, form: AuditLogFilter, status: int = 200):
    page = Paginator(form.qs, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "core/audit_log.html",
        {
            "form": form,
            "page": page,
            "query": _query_without(request, "page", "format"),
            "bursts": duplicate_bursts(request.user),
            "burst_threshold": DUPLICATE_BURST,
        },
        status=status,
    )


@access.scoped(AuditLog, "view")
@require_GET
def audit_log(request):
    """The audit trail inside the auditor's scope, filtered, newest first, 50 to a page."""
    form = AuditLogFilter(request.GET, user=request.user)
    return _audit_page(request, form, status=200 if form.is_valid() else 400)


def _audit_export_headers() -> list[str]:
    return [
        _("Time"), _("Acting user"), _("Action"), _("Action code"), _("Outcome"), _("Object type"),
        _("Object type code"), _("Object id"), _("Object"), _("Organisation code"), _("Organisation"),
        _("Client IP"), _("Channel"), _("Detail"), _("Detail (JSON)"),
    ]


def _audit_export_rows(rows):
    """Each row in the reader's language (labels) with its codes beside them: the action's and
    the object type's code, and the whole detail as JSON."""
    for row in rows.iterator(chunk_size=2000):
        org = row.organisation
        yield [
            row.at, auditlabels.actor_label(row.actor_name), auditlabels.action_label(row.action), row.action,
            str(AuditOutcome(row.outcome).label) if row.outcome in AuditOutcome.values else row.outcome,
            auditlabels.object_type_label(row.object_type) if row.object_type else "", row.object_type,
            row.object_id, row.object_repr, org.code if org else "", org.name if org else "", row.ip or "",
            row.channel, audit_detail(row.detail, row.action),
            json.dumps(row.detail, ensure_ascii=False, sort_keys=True) if row.detail else "",
        ]


@access.scoped(AuditLog, "view")
@require_GET
def audit_export(request):
    """The filtered rows as CSV or xlsx; the export is itself audited (``audit.export``)."""
    form = AuditLogFilter(request.GET, user=request.user)
    fmt = request.GET.get("format", "")
    if not form.is_valid():
        return _audit_page(request, form, status=400)
    if fmt not in {"csv", "xlsx"}:
        messages.error(request, _("Choose CSV or Excel to export."))
        return _audit_page(request, form, status=400)
    rows = form.qs
    count = rows.count()
    if count > AUDIT_EXPORT_MAX_ROWS:
        messages.error(
            request,
            _("%(count)s rows match; narrow the filters to at most %(max)s rows to export.")
            % {"count": count, "max": AUDIT_EXPORT_MAX_ROWS},
        )
        return redirect(f"{reverse('audit:log')}?{_query_without(request, 'page', 'format')}")
    filename = f"nuanxin-audit-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
    with transaction.atomic():
        if fmt == "csv":
            response = exports.csv_response(filename, _audit_export_headers(), _audit_export_rows(rows))
        else:
            response = exports.xlsx_response(filename, _audit_export_headers(), _audit_export_rows(rows),
                                             sheet_name=_("Audit log"))
        services.record_audit_export(
            actor=request.user, fmt=fmt, rows=count, filters=form.filters(),
            organisation=form.cleaned_data["organisation"] or request.user.organisation,
        )
    return response


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


# Site-wide error views. Under /api/ they answer with the API's JSON error shape, so an
# unknown API URL or a failure outside an operation is JSON too.


def bad_request(request, exception=None):
    if _is_api(request):
        return apiutils.error_response(400)
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    if _is_api(request):
        return apiutils.error_response(403)
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    if _is_api(request):
        return apiutils.error_response(404)
    return render(request, "errors/404.html", status=404)


def server_error(request):
    # Django calls this while handling the exception, so it is at hand: a busy database (no
    # free pooled connection, e.g. at a middleware's first query) is a 503, not a 500.
    if is_database_busy(sys.exc_info()[1]):
        return busy_response(request)
    if _is_api(request):
        return apiutils.error_response(500)
    return render(request, "errors/500.html", status=500)
