"""Authorization cases for core's pages and API operations (and the orgs API operations,
which the platform helper owns)."""

from nuanxin.core.policy import SYSTEM
from tests.authz import Case


def cases(p) -> list[Case]:
    return [
        Case("home", allowed=p.yi),
        Case("GET /api/v1/me", allowed=p.viewer),
        Case("GET /api/v1/orgs", allowed=p.yi),
        # The audit log: auditors only (a city admin is not an auditor: separation of duties).
        Case("audit:log", allowed=p.auditor, denied=p.jia),
        Case("audit:export", allowed=p.auditor, denied=p.jia, query="format=csv"),
        # A private file answers to its owner's policy (here a worker of 市南区人民医院): another
        # district's admin, a role that never sees the register and a care contact the family is
        # not assigned to all get the 404 of a missing file.
        Case(
            "attachments:serve",
            kwargs={"pk": _attachment(p).pk},
            allowed=p.yi,
            other_org=(p.bing, p.counsellor, p.care),
        ),
    ]


def _attachment(p):
    from nuanxin.core import attachments
    from nuanxin.registry import services as register
    from nuanxin.registry.choices import TeamType

    worker = register.create_worker(
        actor=SYSTEM, organisation=p.shinan_hospital, name="附件职工", team=TeamType.DESIGNATED_HOSPITAL
    )
    return attachments.store(
        actor=SYSTEM, owner=worker, uploaded_file=b"%PDF-1.7\n%%EOF\n", name="收据.pdf", kinds=["pdf"]
    )
