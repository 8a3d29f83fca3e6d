"""Authorization cases of the funds' figures: the page and ``GET /api/v1/funds/summary``.

The figures are amounts only, so viewers see them too (the "view" action). 乙 (市南区's admin)
and the viewer (on the group of the two hospitals) may ask for 市南区 and its hospital; 丙
(市北区's admin) has none of 市南区 in reach: 404, the same as a missing code. A care contact
and a counsellor hold no role for the funds: 403. (An organisation above the user's grants,
such as the city for 乙, shows the parts in reach: that is not a refusal.)"""

from __future__ import annotations

from tests.authz import Case


def cases(p) -> list[Case]:
    return [
        Case("funds:figures", allowed=p.yi, query="org=SN", denied=p.care, other_org=p.bing),
        Case(
            "funds:figures",
            allowed=p.viewer,
            query="org=SN-H1&from=2020-01&to=2020-12",
            denied=p.counsellor,
            other_org=p.bing,
        ),
        Case(
            "funds:figures",
            allowed=p.auditor,
            query="org=CITY",
            denied=p.care,
            no_other_org_because=("the city is the root: everyone with a funds role has part of it in reach"),
        ),
        Case("GET /api/v1/funds/summary", allowed=p.yi, query="org=SN", denied=p.care, other_org=p.bing),
        # The viewer's group is left with 市南区's hospital alone by the organisations' own case
        # (orgs:group_edit runs earlier in the matrix), so the viewer asks for that one.
        Case(
            "GET /api/v1/funds/summary",
            allowed=p.viewer,
            query="org=SN-H1&from=2020-01",
            denied=p.counsellor,
            other_org=p.bing,
        ),
    ]
