"""The organisations app's manifest (``core/manifest.py``): the tree and account pages, the
scope card and counters of the home page, the demo's tree and users."""

from django.utils.translation import gettext_lazy as _

from nuanxin.accounts.models import User
from nuanxin.core import roles
from nuanxin.core.manifest import Counter, HomePanel, Manifest, MenuEntry
from nuanxin.orgs import scope
from nuanxin.orgs.models import Organisation


def count_organisations(user) -> int:
    """Organisations the user's grants cover (in the scope picked with the switcher)."""
    return Organisation.objects.for_user(user).count()


def count_users(user) -> int | None:
    """Accounts an administrator can see; hidden for every other role."""
    if not User.policy.may(user, "view"):
        return None
    return User.objects.for_user(user).count()


def scope_card(request) -> dict:
    """The grants in force (in the scope picked with the switcher), for "Your scope"."""
    # A care contact's grant covers the families assigned to them, not the organisation's subtree.
    return {"covered_grants": list(scope.effective_grants(request.user)), "assigned_only": roles.CARE_CONTACTS}


MANIFEST = Manifest(
    app="orgs",
    url_prefix="",
    urls="nuanxin.orgs.urls",
    api_router="nuanxin.orgs.api.router",
    menu=[
        MenuEntry(
            _("Organisations"), "orgs:tree", order=300, visible=lambda user: Organisation.policy.may(user, "change")
        ),
        MenuEntry(_("Users"), "orgs:user_list", order=310, visible=lambda user: User.policy.may(user, "view")),
    ],
    # Not linked: the tree page is for administrators, the count is for everyone.
    counters=[
        Counter("organisations", _("Organisations"), count_organisations, order=100),
        Counter("users", _("Users"), count_users, "orgs:user_list", order=200),
    ],
    home_panels=[HomePanel("orgs/_home_scope.html", scope_card, order=100)],
    authz_cases="nuanxin.orgs.tests.authz_cases",
    demo="nuanxin.orgs.demo",
    audit_labels="nuanxin.orgs.audit_labels.LABELS",
)
