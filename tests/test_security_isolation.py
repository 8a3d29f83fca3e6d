"""Nothing of 市南区 reaches 丙 (市北区 admin), and no family reaches a care contact it is not
assigned to, nor a viewer or counsellor, through any page or API list: every page without an
object in its URL and every API GET operation without a path parameter is fetched with
query strings that name 市南区's organisations and records, and each answer is searched for
them.

The object pages (with an id in the URL) are the authorization matrix's business: there the
other organisation's answer must be a 404 (``tests/test_authorization.py``)."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.care import services as care_services
from nuanxin.core import access
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.registry import services as registry_services
from nuanxin.registry.choices import TeamType
from tests.test_authorization import api_operations, page_patterns

# The shard planner's weight of this file (conftest.py):
# each test walks every page and API operation as one persona (about 400 plain tests' time; whole runs, 2026-12-06).
SHARD_WEIGHT = 400

WORKER, FAMILY, DIFFICULTY, VISIT_NOTE = "隔离甲", "隔离家属", "隔离困难的描述", "隔离慰问的记录"
WORKER_MOBILE, FAMILY_MOBILE, DEPLOYED_MOBILE = "13811117393", "13911118464", "18611119575"
TAILS = ("7393", "8464", "9575")
SKIP_PAGES = {"accounts:logout", "set_language", "healthz", "readyz", "accounts:login", "accounts:login_totp"}


@pytest.fixture
def shinan(personas):
    """A family of 市南区's hospital with everything the care work adds to it, assigned to
    the care contact."""
    p = personas
    today = timezone.localdate()
    campaign = care_services.create_campaign(actor=SYSTEM, name="隔离测试行动", starts_on=today - timedelta(days=21))
    worker = registry_services.create_worker(
        actor=SYSTEM, organisation=p.shinan_hospital, name=WORKER, team=TeamType.HUBEI_AID, mobile=WORKER_MOBILE,
        contact_name_hint="联系人",
    )
    registry_services.add_family_member(actor=SYSTEM, worker=worker, name=FAMILY, mobile=FAMILY_MOBILE)
    registry_services.save_deployment(actor=SYSTEM, worker=worker, batch="第一批", deployed_mobile=DEPLOYED_MOBILE)
    care_services.bulk_assign(actor=SYSTEM, campaign=campaign, workers=[worker], contact=p.care)
    care_services.record_visit(actor=p.care, worker=worker, on=today, mode="home", notes=VISIT_NOTE)
    care_services.open_difficulty(actor=p.care, worker=worker, description=DIFFICULTY, campaign=campaign)
    care_services.open_duties()
    return worker


def _queries(worker) -> list[str]:
    return [
        "",
        "org=SN",
        "org=SN-H1",
        f"q={WORKER}",
        "q=gl",
        f"q={TAILS[0]}",
        f"worker={worker.pk}",
        "unassigned=1",
        "by=unit&org=SN-H1",
        "status=&category=",
    ]


def _answers(user, worker):
    """(url, text) of every list page and API list operation, with every query."""
    from nuanxin.accounts.services import create_api_token

    pages = Client()
    pages.force_login(user)
    api = Client()
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {plaintext}"
    urls = [
        reverse(name)
        for name, pattern in page_patterns()
        if name not in SKIP_PAGES
        and not pattern.pattern.converters
        and getattr(pattern.callback, "nuanxin_access", None) in {access.SCOPED, access.AUTHENTICATED}
    ]
    operations = [op.split(" ", 1)[1] for op in api_operations() if op.startswith("GET ") and "{" not in op]
    for query in _queries(worker):
        for url in urls:
            response = pages.get(f"{url}?{query}")
            yield f"{url}?{query}", response.status_code, _text(response)
        for path in operations:
            response = api.get(f"{path}?{query}")
            text = json.dumps(response.json(), ensure_ascii=False)  # Chinese as itself, not \uXXXX
            yield f"{path}?{query}", response.status_code, text


def _text(response) -> str:
    """What an answer shows: a workbook's cells (its zipped bytes held a needle's digits by chance
    once), a PDF's nothing searchable (its text is in compressed glyph streams: the same selection is
    walked as the HTML page beside it), anything else its text."""
    content_type = response.get("Content-Type", "")
    if "spreadsheetml" in content_type:
        import io

        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_filelike(io.BytesIO(response.content))
        return "\n".join(
            "\t".join(str(cell) for cell in row)
            for name in book.sheet_names
            for row in book.get_sheet_by_name(name).to_python()
        )
    if content_type.startswith("application/pdf"):
        return ""
    # Random by design, so a needle's four digits turn up in them by chance (seen in whole runs):
    # the CSRF token and a data: URI (the authenticator's QR code).
    return RANDOM_PARTS.sub("", response.content.decode(errors="replace"))


RANDOM_PARTS = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"|data:[^"\'\s)]*')


def _leaks(user, worker, needles) -> list[str]:
    found = []
    for url, status, text in _answers(user, worker):
        assert status < 500, f"{url}: {status}"
        # A page may show the query back (the search box): only the rest counts.
        query = url.partition("?")[2]
        found += [f"{url}: {needle}" for needle in needles if needle in text and needle not in query]
    return found


FAMILY_NEEDLES = (WORKER, FAMILY, DIFFICULTY, VISIT_NOTE, *TAILS)


def test_bing_sees_nothing_of_shinan(personas, shinan):
    """丙 administers 市北区: no name, record, number or figure of 市南区 anywhere."""
    needles = (*FAMILY_NEEDLES, "市南区", "SN-H1")
    assert _leaks(personas.bing, shinan, needles) == []


def test_a_care_contact_sees_no_family_that_is_not_theirs(personas, shinan):
    """Another care contact of the same hospital: the hospital is theirs, the family is not."""
    other, _password = org_services.create_user(
        actor=SYSTEM, username="other-contact", organisation=personas.shinan_hospital, role=Role.CARE_CONTACT,
    )
    assert _leaks(other, shinan, FAMILY_NEEDLES) == []


@pytest.mark.parametrize("persona", ["viewer", "counsellor"])
def test_viewers_and_counsellors_see_no_family(personas, shinan, persona):
    """The viewer's group holds 市南区's hospital (figures only); the counsellor sees no register."""
    assert _leaks(getattr(personas, persona), shinan, FAMILY_NEEDLES) == []


def test_the_assigned_care_contact_does_see_the_family(personas, shinan):
    """The searches above would find the family: its own care contact sees it."""
    texts = "".join(text for _url, _status, text in _answers(personas.care, shinan))
    assert WORKER in texts and DIFFICULTY in texts and VISIT_NOTE in texts


def test_moving_a_unit_moves_its_data_scope(personas, shinan):
    """市南区's hospital moves to 市北区: its family, visits, duties and difficulties now belong
    to 丙's scope and nothing of them is left in 乙's."""
    p = personas
    org_services.move_organisation(actor=p.jia, org=p.shinan_hospital, new_parent=p.shibei)
    assert _leaks(p.yi, shinan, (WORKER, FAMILY, DIFFICULTY, VISIT_NOTE, *TAILS)) == []
    bing = Client()
    bing.force_login(p.bing)
    assert bing.get(reverse("registry:worker_detail", args=[shinan.pk])).status_code == 200
    yi = Client()
    yi.force_login(p.yi)
    assert yi.get(reverse("registry:worker_detail", args=[shinan.pk])).status_code == 404
    texts = "".join(text for _url, _status, text in _answers(p.bing, shinan))
    assert WORKER in texts and DIFFICULTY in texts and VISIT_NOTE in texts
    # The care contact's grant is on the hospital itself: it moved along, the family stays theirs.
    care = Client()
    care.force_login(p.care)
    assert care.get(reverse("care:family", args=[shinan.pk])).status_code == 200
