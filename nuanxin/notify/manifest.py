"""The notifications' manifest (``core/manifest.py``): the list, its menu link, the unread count
and the e-mail job."""

from django.utils.translation import gettext_lazy as _

from nuanxin.core.manifest import Counter, Manifest, MenuEntry
from nuanxin.notify.selectors import unread_count

MANIFEST = Manifest(
    app="notify",
    url_prefix="notifications/",
    urls="nuanxin.notify.urls",
    # Everyone signed in has notifications: next to the account, right of the bar.
    menu=[
        MenuEntry(
            _("Notifications"), "notify:list", order=100, section="user", element_id="nx-notifications",
            visible=lambda user: True,
        )
    ],
    counters=[Counter("unread_notifications", _("Unread notifications"), unread_count, "notify:list", order=400)],
    jobs="nuanxin.notify.periodic.JOBS",
    authz_cases="nuanxin.notify.tests.authz_cases",
    audit_labels="nuanxin.notify.audit_labels.LABELS",
)
