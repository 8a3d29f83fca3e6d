from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from nuanxin.core import access, scopecounts
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


def bad_request(request, exception=None):
    return render(request, "errors/400.html", status=400)


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def server_error(request):
    return render(request, "errors/500.html", status=500)
