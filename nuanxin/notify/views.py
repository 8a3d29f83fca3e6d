"""The notification centre: a user's own notifications, and marking them read."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from nuanxin.core import access
from nuanxin.notify import selectors, services


@access.authenticated
def notification_list(request):
    """The signed-in user's notifications, newest first, unread ones marked."""
    page = Paginator(selectors.notifications_for(request.user), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "notify/list.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


def _local(request, target: str) -> bool:
    """Whether ``target`` is a page of this site (not ``//host/...`` nor another scheme)."""
    return bool(target) and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())


def _next(request, default: str) -> str:
    target = request.POST.get("next", "")
    return target if _local(request, target) else default


@access.authenticated
@require_POST
def mark_read(request, pk: int):
    """Mark one notification read; follow its link when asked to (``open=1``)."""
    notification = get_object_or_404(selectors.notifications_for(request.user), pk=pk)
    services.mark_read(actor=request.user, notification=notification)
    if request.POST.get("open") and notification.url.startswith("/") and _local(request, notification.url):
        return redirect(notification.url)
    return redirect(_next(request, "notify:list"))


@access.authenticated
@require_POST
def mark_all_read(request):
    services.mark_all_read(actor=request.user)
    return redirect(_next(request, "notify:list"))
