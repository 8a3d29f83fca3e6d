"""Authorization cases of the hotline: figures (the page and the API operation). The figures of
the medical union's hotline: the auditor (at the root) sees them; a care contact holds no role
for them (403); 丙, 乙 and 市北区's counsellor ask for an organisation outside their reach: 404."""

from nuanxin.hotline.tests.authz_fixtures import hotlines
from tests.authz import Case


def cases(p) -> list[Case]:
    h = hotlines(p)
    outside = (p.bing, p.yi, h.stranger)
    query = f"org={h.medical.code}"
    return [
        Case("hotline:stats", allowed=p.auditor, query=query, denied=p.care, other_org=outside),
        Case("hotline:stats", allowed=h.counsellor, query=f"{query}&hotline={h.city.pk}", denied=p.care,
             other_org=outside),
        Case("GET /api/v1/hotline/stats", allowed=p.auditor, query=query, denied=p.care, other_org=outside),
        Case("GET /api/v1/hotline/stats", allowed=p.jia, query=f"hotline={h.city.pk}", denied=p.care,
             other_org=outside),
    ]
