"""One person, one record, even across districts; but telling a district administrator that a
person exists outside their scope is counted: every such hit (page, API, import) writes
``registry.duplicate_elsewhere``, a user may have NUANXIN_DUPLICATE_LOOKUPS_PER_DAY of them in
24 hours (then every register-wide check of theirs is refused and recorded as denied), the
audit page lists users with many, and a unit outside the user's scope is answered like an
unknown one."""

import datetime
import json

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.accounts.services import create_api_token
from nuanxin.core.errors import Conflict
from nuanxin.core.models import AuditLog, AuditOutcome
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.registry import duplicates, services
from nuanxin.registry.import_models import BatchStatus
from nuanxin.registry.models import Worker
from nuanxin.registry.tests.helpers import make_worker
from nuanxin.tables.tests.import_fixtures import import_bytes, outcomes, table1
from tests.parallel import on_postgres, run_together

pytestmark = pytest.mark.django_db

ACTION = "registry.duplicate_elsewhere"
NAME, MOBILE = "程欢蓓", "13800002001"
ELSEWHERE = f"{NAME} with this mobile is already in the register (another unit)."
LIMIT = (
    "Checks that meet people registered outside your scope are limited to {n} in 24 hours, and you have "
    "reached the limit: workers cannot be added or imported for now. Try again later or ask a city administrator."
)


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture
def theirs(personas):
    """程欢蓓, registered in 市北区 (outside 乙's scope)."""
    return make_worker(personas.shibei_hospital, NAME, mobile=MOBILE)


def hits():
    rows = AuditLog.objects.filter(action=ACTION).order_by("id")
    return [
        (r.actor_id, r.organisation_id, r.outcome, r.object_type, r.object_id, r.object_repr, r.detail) for r in rows
    ]


def hit(personas, worker, channel):
    return (
        personas.yi.pk,
        personas.shinan.pk,
        AuditOutcome.SUCCESS,
        "registry.worker",
        str(worker.pk),
        "",
        {"channel": channel, "worker": worker.pk},
    )


def api(user) -> Client:
    _token, plaintext = create_api_token(actor=SYSTEM, user=user, expires_days=1)
    return Client(HTTP_AUTHORIZATION=f"Bearer {plaintext}", HTTP_ACCEPT_LANGUAGE="en")


def post_worker(client, name=NAME, mobile=MOBILE, org="SN-H1"):
    body = {"org": org, "name": name, "team": "hubei_aid", "mobile": mobile}
    return client.post("/api/v1/workers", json.dumps(body), content_type="application/json")


def test_a_page_create_meeting_someone_elsewhere_is_refused_and_audited(personas, theirs):
    client = Client()
    client.force_login(personas.yi)
    client.cookies["nuanxin_language"] = "en"
    data = {"organisation": "SN-H1", "name": NAME, "team": "cdc", "mobile": MOBILE}
    response = client.post(reverse("registry:worker_create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["mobile"] == [ELSEWHERE]
    assert Worker.objects.count() == 1
    assert hits() == [hit(personas, theirs, "page")]


def test_an_api_create_meeting_someone_elsewhere_is_refused_and_audited(personas, theirs):
    answer = post_worker(api(personas.yi))
    assert (answer.status_code, answer.json()["code"], answer.json()["message"]) == (409, "same_person", ELSEWHERE)
    assert Worker.objects.count() == 1
    assert hits() == [hit(personas, theirs, "api")]


def test_the_hit_is_kept_when_the_create_runs_under_an_idempotency_key(personas, theirs):
    """The idempotency guard runs the create in its own transaction: the refusal's audit row
    stays, and a retry with the same key is checked (and counted) again."""
    client = api(personas.yi)
    body = json.dumps({"org": "SN-H1", "name": NAME, "team": "hubei_aid", "mobile": MOBILE})
    for _ in range(2):
        answer = client.post("/api/v1/workers", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k-1")
        assert (answer.status_code, answer.json()["code"]) == (409, "same_person")
    assert hits() == [hit(personas, theirs, "api")] * 2
    assert Worker.objects.count() == 1


def test_an_edit_giving_someone_elses_name_and_mobile_is_refused_and_audited(personas, theirs):
    mine = make_worker(personas.shinan_hospital, "程欢", mobile="13800002002")
    with pytest.raises(Conflict) as refused:
        services.update_worker(actor=personas.yi, worker=mine, version=1, name=NAME, mobile=MOBILE)
    assert (refused.value.code, refused.value.message) == ("same_person", ELSEWHERE)
    mine.refresh_from_db()
    assert (mine.name, mine.mobile, mine.version) == ("程欢", "+8613800002002", 1)
    assert hits() == [hit(personas, theirs, "cli")]


def test_an_import_row_meeting_someone_elsewhere_is_rejected_and_audited(world, theirs):
    row = [1, NAME, "女", "护士", "护师", MOBILE, "", "", "", ""]
    batch = import_bytes(world.p.yi, world.unit, table1([row]))
    assert outcomes(batch) == [(3, "reject")]
    assert [x["code"] for x in batch.rows.get().reasons] == ["registered_elsewhere"]
    assert hits() == [hit(world.p, theirs, "import")]


def test_who_may_see_the_other_record_makes_no_hit(personas, theirs):
    """The city administrator sees the whole register: told where, not counted; 乙 meeting a
    person of their own district is told where too."""
    answer = post_worker(api(personas.jia))
    assert (answer.status_code, answer.json()["message"]) == (
        409,
        f"{NAME} with this mobile is already in the register (市北区人民医院工会).",
    )
    make_worker(personas.shinan_hospital, "李萍", mobile="13800002003")
    answer = post_worker(api(personas.yi), name="李萍", mobile="13800002003")
    assert (answer.status_code, answer.json()["message"]) == (
        409,
        "李萍 with this mobile is already in the register (市南区人民医院工会).",
    )
    assert hits() == []


def test_past_the_daily_limit_every_register_wide_check_is_refused(personas, theirs, settings, world):
    settings.NUANXIN_DUPLICATE_LOOKUPS_PER_DAY = 2
    client = api(personas.yi)
    assert [post_worker(client).status_code for _ in range(2)] == [409, 409]
    # The third: refused whether it would meet someone or not, so the answer tells nothing.
    for name, mobile in ((NAME, MOBILE), ("新人", "13800002009")):
        answer = post_worker(client, name=name, mobile=mobile)
        assert (answer.status_code, answer.json()["code"], answer.json()["message"]) == (
            429,
            "lookup_limit",
            LIMIT.format(n=2),
        )
    # An import is refused as a whole, and recorded the same way.
    row = [1, "新人", "女", "护士", "", "13800002009", "", "", "", ""]
    batch = import_bytes(personas.yi, world.unit, table1([row]))
    assert (batch.status, batch.message, batch.rows.count()) == (BatchStatus.REFUSED, LIMIT.format(n=2), 0)
    assert Worker.objects.count() == 1
    denied = [(r[2], r[3], r[4], r[6]) for r in hits()[2:]]
    assert denied == [
        (AuditOutcome.DENIED, "", "", {"channel": "api", "limit": 2}),
        (AuditOutcome.DENIED, "", "", {"channel": "api", "limit": 2}),
        (AuditOutcome.DENIED, "", "", {"channel": "import", "limit": 2}),
    ]
    # Others are not affected; 乙 may check again 24 hours after the hits.
    assert post_worker(api(personas.jia), name="新人", mobile="13800002009").status_code == 201
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=24, minutes=1)):
        worker = services.create_worker(
            actor=personas.yi, organisation=personas.shinan_hospital, name="又一新人", mobile="13800002010", team="cdc"
        )
    assert Worker.objects.filter(pk=worker.pk).count() == 1


def test_past_the_limit_the_page_says_so_above_the_form(personas, theirs, settings):
    settings.NUANXIN_DUPLICATE_LOOKUPS_PER_DAY = 1
    client = Client()
    client.force_login(personas.yi)
    client.cookies["nuanxin_language"] = "en"
    data = {"organisation": "SN-H1", "name": NAME, "team": "cdc", "mobile": MOBILE}
    assert client.post(reverse("registry:worker_create"), data).context["form"].errors["mobile"] == [ELSEWHERE]
    response = client.post(reverse("registry:worker_create"), {**data, "name": "新人", "mobile": "13800002012"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [LIMIT.format(n=1)]
    assert Worker.objects.count() == 1
    assert [(r[2], r[6]) for r in hits()] == [
        (AuditOutcome.SUCCESS, {"channel": "page", "worker": theirs.pk}),
        (AuditOutcome.DENIED, {"channel": "page", "limit": 1}),
    ]


def test_an_import_passing_the_limit_midway_is_refused_as_a_whole(world, theirs, settings):
    settings.NUANXIN_DUPLICATE_LOOKUPS_PER_DAY = 1
    second = make_worker(world.p.shibei_hospital, "程欢二", mobile="13800002004")
    rows = [
        [1, NAME, "女", "护士", "", MOBILE, "", "", "", ""],
        [2, "程欢二", "女", "护士", "", "13800002004", "", "", "", ""],
    ]
    batch = import_bytes(world.p.yi, world.unit, table1(rows))
    assert (batch.status, batch.message, batch.rows.count()) == (BatchStatus.REFUSED, LIMIT.format(n=1), 0)
    assert [(r[2], r[4]) for r in hits()] == [(AuditOutcome.SUCCESS, str(theirs.pk)), (AuditOutcome.DENIED, "")]
    assert second.pk not in [r[6].get("worker") for r in hits()]


def test_a_unit_outside_the_users_scope_is_answered_like_an_unknown_one(personas):
    client = api(personas.yi)
    unknown = post_worker(client, name="某人", mobile="13800002005", org="NOPE")
    theirs = post_worker(client, name="某人", mobile="13800002005", org="SB-H1")
    message = "Unknown organisation code, or outside your scope."
    assert (unknown.status_code, unknown.json()["message"]) == (400, message)
    assert (theirs.status_code, theirs.json()) == (unknown.status_code, unknown.json())
    assert Worker.objects.count() == 0


def test_the_audit_page_lists_who_met_many_people_elsewhere(personas, theirs, settings):
    settings.NUANXIN_DUPLICATE_LOOKUPS_PER_DAY = 6
    for _ in range(6):
        with pytest.raises(Conflict):
            services.create_worker(actor=personas.yi, organisation=personas.shinan_hospital, name=NAME,
                                   mobile=MOBILE, team="cdc")
    north, _ = org_services.create_user(
        actor=SYSTEM, username="auditor-sb", organisation=personas.shibei, role=Role.AUDITOR,
        password=personas.password, full_name="北审计",
    )
    client = Client()
    client.cookies["nuanxin_language"] = "en"
    client.force_login(personas.auditor)
    page = client.get(reverse("audit:log"))
    assert page.status_code == 200
    assert page.context["bursts"] == [
        {"actor_name": "yi", "hits": 6, "refused": 0, "query": "actor=yi&action=registry.duplicate_elsewhere"}
    ]
    assert "yi: 6 matches, 0 refused" in page.content.decode()
    # Five hits are not a burst; one refusal is.
    assert len(AuditLog.objects.filter(action=ACTION)) == 6
    with pytest.raises(duplicates.LookupLimitReached):
        services.create_worker(actor=personas.yi, organisation=personas.shinan_hospital, name="新人",
                               mobile="13800002011", team="cdc")
    assert [(b["hits"], b["refused"]) for b in client.get(reverse("audit:log")).context["bursts"]] == [(6, 1)]
    # 市北区's auditor does not see 乙's rows (the asker's organisation is 市南区).
    client.force_login(north)
    page = client.get(reverse("audit:log"))
    assert page.context["bursts"] == []
    assert 'id="nx-duplicate-bursts"' not in page.content.decode()


def test_five_hits_are_no_burst(personas, theirs):
    for _ in range(5):
        with pytest.raises(Conflict):
            services.create_worker(actor=personas.yi, organisation=personas.shinan_hospital, name=NAME,
                                   mobile=MOBILE, team="cdc")
    client = Client()
    client.force_login(personas.auditor)
    assert client.get(reverse("audit:log")).context["bursts"] == []


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_checks_cannot_pass_the_limit_together(personas, settings):
    settings.NUANXIN_DUPLICATE_LOOKUPS_PER_DAY = 3
    theirs = make_worker(personas.shibei_hospital, NAME, mobile=MOBILE)

    def create():
        return services.create_worker(
            actor=personas.yi, organisation=personas.shinan_hospital, name=NAME, mobile=MOBILE, team="cdc"
        )

    results = [type(r).__name__ for r in run_together(*[create] * 8)]
    assert sorted(results) == ["Conflict"] * 3 + ["LookupLimitReached"] * 5
    rows = AuditLog.objects.filter(action=ACTION)
    assert rows.filter(outcome=AuditOutcome.SUCCESS, object_id=str(theirs.pk)).count() == 3
    assert rows.filter(outcome=AuditOutcome.DENIED).count() == 5
    assert Worker.objects.count() == 1
