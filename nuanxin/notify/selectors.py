"""Reads of the notification centre."""

from nuanxin.notify.models import Notification


def notifications_for(user):
    """The user's own notifications, newest first."""
    return Notification.objects.for_user(user).order_by("-created_at", "-id")


def unread_count(user) -> int:
    """For a badge in the menu."""
    if user is None or not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.for_user(user).unread().count()
