from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from nuanxin.core import access, apiutils, scopecounts
from nuanxin.orgs import scope


@access.authenticated
def home(request):
    """The user's scope: the organisations their grants cover and what exists there."""
    user = request.user
    covered = []
    for grant in scope.effective_grants(user):
        covered.append(grant)
    return render(
        request,
        "core/home.html",
        {"covered_grants": covered, "counts": scopecounts.counts_for(user)},
    )


@access.public
@never_cache
def healthz(request):
    """Liveness and database check for monitors."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


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
    if _is_api(request):
        return apiutils.error_response(500)
    return render(request, "errors/500.html", status=500)
