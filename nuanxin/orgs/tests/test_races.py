"""Two administrators doing the same thing at the same moment, with real parallel connections
on PostgreSQL (tests/parallel.py): identical creates make one row and every other request gets
the same "already exists" message as a sequential one; crossing moves leave a consistent tree,
the second refused with the usual message; a deadlock that still happens is the busy answer."""

import re
import threading

import pyotp
import pytest
from django.db import OperationalError, connection, transaction
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import translation

from nuanxin.accounts import services as account_services
from nuanxin.accounts.models import TOTPDevice
from nuanxin.core.middleware import DatabaseBusyMiddleware, is_database_busy
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Grant, Organisation, OrganisationGroup
from tests.parallel import on_postgres, run_together

pytestmark = [on_postgres, pytest.mark.django_db(transaction=True)]

PARALLEL = 10
NO_PROBLEMS = ([], [], [], [], [])  # Organisation.objects.find_problems() of a consistent tree


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["nuanxin_language"] = "en"
    return client


def loaded_form(user, url) -> tuple[Client, str]:
    """A client that has opened the create form at ``url``, and the form's one-time token."""
    client = page_client(user)
    match = re.search(r'name="submission_token" value="([A-Za-z0-9_-]+)"', client.get(url).content.decode())
    assert match, "the form has no one-time token"
    return client, match.group(1)


def posting(client, url, data):
    return lambda: client.post(url, data)


def in_english(call):
    """``call`` in a thread of its own, speaking English (a language is chosen per thread)."""
    def run():
        with translation.override("en"):
            return call()
    return run


def outcomes(responses) -> list[int]:
    assert not [r for r in responses if isinstance(r, Exception)], responses
    return sorted(r.status_code for r in responses)


def refusals(responses, message: str) -> int:
    """How many answers are the form shown again with ``message`` (once) on it."""
    return sum(r.status_code == 200 and r.content.decode().count(message) == 1 for r in responses)


def test_parallel_identical_organisation_creates_make_one(personas):
    url = reverse("orgs:org_create", args=[personas.shinan.pk])
    forms = [loaded_form(personas.jia, url) for _ in range(PARALLEL)]
    data = {"code": "QD-CY-77", "name": "城阳区人民医院工会", "kind": OrgKind.UNIT_UNION}
    responses = run_together(*(posting(c, url, {**data, "submission_token": t}) for c, t in forms))
    assert outcomes(responses) == [200] * (PARALLEL - 1) + [302]
    assert refusals(responses, "An organisation with code “QD-CY-77” already exists.") == PARALLEL - 1
    assert Organisation.objects.filter(code="QD-CY-77").count() == 1
    assert AuditLog.objects.filter(action="org.create", detail__code="QD-CY-77").count() == 1
    assert Organisation.objects.find_problems() == NO_PROBLEMS


def test_parallel_creates_under_a_node_and_under_its_parent_keep_the_tree_whole(personas):
    """Codes sorting before SN-H1 shift its path (siblings are kept sorted) while children are
    added under it: the tree's changes run one at a time, so no child is left behind."""
    calls = []
    for i in range(PARALLEL // 2):
        calls.append(lambda i=i: services.create_organisation(
            actor=SYSTEM, code=f"SN-A{i}", name=f"市南单位{i}", kind=OrgKind.UNIT_UNION, parent=personas.shinan))
        calls.append(lambda i=i: services.create_organisation(
            actor=SYSTEM, code=f"SN-H1-{i}", name=f"科室{i}", kind=OrgKind.UNIT_UNION,
            parent=personas.shinan_hospital))
    results = run_together(*calls)
    assert [type(r).__name__ for r in results] == ["Organisation"] * PARALLEL
    assert Organisation.objects.find_problems() == NO_PROBLEMS
    hospital = Organisation.objects.get(code="SN-H1")
    children = Organisation.objects.get_children(hospital).values_list("code", flat=True)
    assert sorted(children) == [f"SN-H1-{i}" for i in range(5)]
    assert hospital.numchild == 5
    assert Organisation.objects.get(code="SN").numchild == 6


def test_parallel_identical_group_creates_make_one(personas):
    url = reverse("orgs:group_create")
    forms = [loaded_form(personas.jia, url) for _ in range(PARALLEL)]
    data = {"code": "RACEG", "name": "并发组", "members": [personas.shinan_hospital.pk]}
    responses = run_together(*(posting(c, url, {**data, "submission_token": t}) for c, t in forms))
    assert outcomes(responses) == [200] * (PARALLEL - 1) + [302]
    assert refusals(responses, "A group with code “RACEG” already exists.") == PARALLEL - 1
    assert OrganisationGroup.objects.filter(code="RACEG").count() == 1
    assert list(OrganisationGroup.objects.get(code="RACEG").members.values_list("code", flat=True)) == ["SN-H1"]
    assert AuditLog.objects.filter(action="group.create").count() == 2  # MED (personas) and RACEG


@pytest.mark.parametrize("target", ["organisation", "group"])
def test_parallel_identical_grants_without_a_form_token_make_one(personas, target):
    subject = personas.counsellor
    url = reverse("orgs:grant_create", args=[subject.pk])
    data = {"role": Role.VIEWER, "organisation": personas.shinan.pk} if target == "organisation" else {
        "role": Role.VIEWER, "group": personas.med_group.pk}
    clients = [page_client(personas.jia) for _ in range(PARALLEL)]
    responses = run_together(*(posting(c, url, data) for c in clients))
    assert outcomes(responses) == [200] * (PARALLEL - 1) + [302]
    assert refusals(responses, "The user already holds this role there.") == PARALLEL - 1
    assert Grant.objects.active().filter(user=subject, role=Role.VIEWER).count() == 1
    assert AuditLog.objects.filter(action="grant.create", detail__user=subject.username,
                                   detail__role=Role.VIEWER).count() == 1


def test_parallel_identical_grants_through_the_service_raise_the_conflict(personas):
    """The command (``nuanxin users grant``) calls the service: the same ``Conflict``."""
    results = run_together(*(
        in_english(lambda: services.grant_role(
            actor=SYSTEM, user=personas.care, role=Role.AUDITOR, organisation=personas.shibei))
        for _ in range(PARALLEL)
    ))
    assert sorted(type(r).__name__ for r in results) == ["Conflict"] * (PARALLEL - 1) + ["Grant"]
    assert {r.message for r in results if not isinstance(r, Grant)} == {"The user already holds this role there."}
    assert Grant.objects.active().filter(user=personas.care, role=Role.AUDITOR).count() == 1


def test_parallel_usernames_differing_only_in_case_make_one_account(personas):
    names = ["RaceUser", "raceuser", "RACEUSER", "raceUser"]
    results = run_together(*(
        in_english(lambda n=n: services.create_user(
            actor=SYSTEM, username=n, organisation=personas.shinan, role=Role.VIEWER))
        for n in names
    ))
    created = [r for r in results if isinstance(r, tuple)]
    refused = sorted(r.message for r in results if not isinstance(r, tuple))
    assert len(created) == 1
    taken = [f"The username “{n}” is taken." for n in names if n != created[0][0].username]
    assert refused == sorted(taken)
    assert type(created[0][0]).objects.filter(username__iexact="raceuser").count() == 1


def test_parallel_confirmations_of_an_authenticator_make_one(personas):
    """A double tap on the two-step setup's confirm button (accounts.services.confirm_totp)."""
    user = personas.auditor
    secret = account_services.new_totp_secret()
    code = pyotp.TOTP(secret).now()
    results = run_together(*(
        in_english(lambda: account_services.confirm_totp(actor=user, secret=secret, code=code))
        for _ in range(PARALLEL)
    ))
    assert sorted(type(r).__name__ for r in results) == ["Conflict"] * (PARALLEL - 1) + ["TOTPDevice"]
    assert {r.message for r in results if not isinstance(r, TOTPDevice)} == {
        "Two-step sign-in is already on for your account."
    }
    assert TOTPDevice.objects.filter(user=user).count() == 1
    assert AuditLog.objects.filter(action="auth.totp_enabled", actor=user).count() == 1


def test_crossing_moves_one_moves_the_other_is_refused(personas):
    a = services.create_organisation(actor=SYSTEM, code="MV-A", name="甲单位", kind=OrgKind.UNIT_UNION,
                                     parent=personas.shinan)
    b = services.create_organisation(actor=SYSTEM, code="MV-B", name="乙单位", kind=OrgKind.UNIT_UNION,
                                     parent=personas.shinan)
    def move_form(org, under):
        client, url = page_client(personas.jia), reverse("orgs:org_move", args=[org.pk])
        version = client.get(url).context["form"]["version"].value()
        return posting(client, url, {"new_parent": under.pk, "version": version})

    responses = run_together(move_form(a, under=b), move_form(b, under=a))
    assert outcomes(responses) == [200, 302]
    assert refusals(responses, "An organisation cannot be moved under itself or its own descendants.") == 1
    assert Organisation.objects.find_problems() == NO_PROBLEMS
    a, b = Organisation.objects.get(code="MV-A"), Organisation.objects.get(code="MV-B")
    moved, stayed = (a, b) if responses[0].status_code == 302 else (b, a)
    parents = Organisation.objects.get_parent(moved), Organisation.objects.get_parent(stayed)
    assert (parents[0].code, parents[1].code) == (stayed.code, "SN")
    assert list(AuditLog.objects.filter(action="org.move").values_list("detail", flat=True)) == [
        {"from": "SN", "to": stayed.code}
    ]


def test_a_deadlock_that_still_happens_is_the_busy_answer(personas):
    """Two transactions locking two rows in opposite orders: PostgreSQL ends one with "deadlock
    detected", which the pages and the API answer as busy (503, nothing saved) and not 500."""
    first, second = personas.shinan, personas.shibei
    both_hold_one = threading.Barrier(2, timeout=60)

    def lock(one, other):
        def run():
            with transaction.atomic():
                Organisation.objects.select_for_update().get(pk=one.pk)
                both_hold_one.wait()
                Organisation.objects.select_for_update().get(pk=other.pk)
            return "locked"
        return run

    results = run_together(lock(first, second), lock(second, first))
    errors = [r for r in results if isinstance(r, Exception)]
    assert sorted(map(str, results)).count("locked") == 1
    assert [type(e) for e in errors] == [OperationalError]
    assert is_database_busy(errors[0]) is True
    for path in ("/orgs/1/move/", "/api/v1/orgs"):
        response = DatabaseBusyMiddleware(lambda r: None).process_exception(RequestFactory().post(path), errors[0])
        assert (response.status_code, response["Retry-After"]) == (503, "30")
    assert connection.vendor == "postgresql"
