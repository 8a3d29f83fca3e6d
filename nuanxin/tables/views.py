"""The export page: table 1, 2 or 3 of an organisation's subtree in the official layout (the
import's pages are ``nuanxin.tables.imports.views``)."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_http_methods

from nuanxin.core import access
from nuanxin.core.pages import run_service
from nuanxin.registry.models import Worker
from nuanxin.tables import exports
from nuanxin.tables.forms import ExportForm


@access.scoped(Worker, "change")  # the register's administrators (its "change" roles), in their scope
@require_http_methods(["GET", "POST"])
def export(request):
    """Download table 1, 2 or 3 of an organisation's subtree in the official layout."""
    form = ExportForm(request.POST if request.method == "POST" else None, user=request.user)
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        ok, result = run_service(
            form,
            exports.export_table,
            actor=request.user,
            organisation=data["org"],
            table=data["table"],
            by_carrier=data["by_carrier"] and data["table"] == 3,
        )
        if ok:
            response = HttpResponse(result.content, content_type=result.content_type)
            response["Content-Disposition"] = content_disposition_header(True, result.filename)
            response["Cache-Control"] = "no-store"
            return response
    # Invalid forms come back with 200 like the other pages (browsers log a 4xx as an error).
    return render(request, "tables/export.html", {"form": form})
