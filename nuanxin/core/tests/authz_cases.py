"""Authorization cases for core's pages and API operations (and the orgs API operations,
which the platform helper owns)."""

from tests.authz import Case


def cases(p) -> list[Case]:
    return [
        Case("home", allowed=p.yi),
        Case("GET /api/v1/me", allowed=p.viewer),
        Case("GET /api/v1/orgs", allowed=p.yi),
        # The audit log: auditors only (a city admin is not an auditor: separation of duties).
        Case("audit:log", allowed=p.auditor, denied=p.jia),
        Case("audit:export", allowed=p.auditor, denied=p.jia, query="format=csv"),
    ]
