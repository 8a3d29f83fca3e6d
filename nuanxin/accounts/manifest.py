"""The accounts' manifest (``core/manifest.py``): sign-in and the account pages (linked from the
user's name in the bar, drawn by the layout), the API token check and /me, the pruning job."""

from nuanxin.core.manifest import Manifest

MANIFEST = Manifest(
    app="accounts",
    url_prefix="accounts/",
    urls="nuanxin.accounts.urls",
    api_router="nuanxin.accounts.api.router",  # /me: the token's own account
    jobs="nuanxin.accounts.periodic.JOBS",
    authz_cases="nuanxin.accounts.tests.authz_cases",
    audit_labels="nuanxin.accounts.audit_labels.LABELS",
)
