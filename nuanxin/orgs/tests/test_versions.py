"""No lost update on the organisation, group and account pages: a save from an older version
is refused with who changed the record and when (core/versioning.py)."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.accounts.models import User
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.orgs import services
from nuanxin.orgs.choices import OrgKind
from nuanxin.orgs.models import Organisation, OrganisationGroup
from tests.parallel import on_postgres, run_together

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(english):
    return english


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["nuanxin_language"] = "en"
    return client


def conflict_text(obj, who: str) -> str:
    last = obj.history.order_by("-history_date", "-history_id").first()
    when = timezone.localtime(last.history_date).strftime("%Y-%m-%d %H:%M")
    return (
        f"{who} changed this record at {when}, after you opened it. Your changes were not saved: "
        "reload it to see theirs, then make yours again."
    )


def opened(client, url) -> int:
    return client.get(url).context["form"]["version"].value()


def test_every_edit_page_carries_its_version_hidden(personas):
    pages = {
        reverse("orgs:org_edit", args=[personas.shinan_hospital.pk]): personas.yi,
        reverse("orgs:org_move", args=[personas.shinan_hospital.pk]): personas.yi,
        reverse("orgs:user_edit", args=[personas.care.pk]): personas.yi,
        reverse("orgs:group_edit", args=[personas.med_group.pk]): personas.jia,
    }
    for url, user in pages.items():
        html = page_client(user).get(url).content.decode()
        assert html.count('<input type="hidden" name="version" value="1"') == 1, url


def test_organisation_edit_a_stale_save_is_refused(personas):
    org = personas.shinan_hospital
    a, b = page_client(personas.yi), page_client(personas.jia)
    url = reverse("orgs:org_edit", args=[org.pk])
    va, vb = opened(a, url), opened(b, url)
    assert (va, vb) == (1, 1)
    renamed = {"name": "市南区人民医院工会（新）", "kind": OrgKind.UNIT_UNION, "version": va}
    assert a.post(url, renamed).status_code == 302
    refused = b.post(url, {"name": org.name, "kind": OrgKind.OTHER, "version": vb})
    org = Organisation.objects.get(pk=org.pk)
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == [conflict_text(org, "乙")]
    assert refused.context["form"]["kind"].value() == OrgKind.OTHER
    assert (org.name, org.kind, org.version) == ("市南区人民医院工会（新）", OrgKind.UNIT_UNION, 2)
    assert list(AuditLog.objects.filter(action="org.update").values_list("actor", flat=True)) == [personas.yi.pk]


def test_a_move_counts_a_version_and_a_stale_move_is_refused(personas):
    target = services.create_organisation(
        actor=SYSTEM, code="SN-X", name="市南区新片区", kind=OrgKind.DISTRICT_FEDERATION, parent=personas.shinan
    )
    org = Organisation.objects.get(pk=personas.shinan_hospital.pk)
    a, b = page_client(personas.yi), page_client(personas.jia)
    move, edit = reverse("orgs:org_move", args=[org.pk]), reverse("orgs:org_edit", args=[org.pk])
    va, vb_move, vb_edit = opened(a, move), opened(b, move), opened(b, edit)
    assert a.post(move, {"new_parent": target.pk, "version": va}).status_code == 302
    org = Organisation.objects.get(pk=org.pk)
    assert (org.version, Organisation.objects.get_parent(org).code) == (2, "SN-X")
    refused = b.post(move, {"new_parent": personas.shinan.pk, "version": vb_move})
    assert refused.status_code == 200 and len(refused.context["form"].non_field_errors()) == 1
    refused = b.post(edit, {"name": "改名", "kind": OrgKind.UNIT_UNION, "version": vb_edit})
    assert refused.status_code == 200 and len(refused.context["form"].non_field_errors()) == 1
    org = Organisation.objects.get(pk=org.pk)
    assert (org.name, org.version, Organisation.objects.get_parent(org).code) == ("市南区人民医院工会", 2, "SN-X")
    assert AuditLog.objects.filter(action__in=["org.move", "org.update"]).count() == 1


def test_group_members_a_stale_save_is_refused(personas):
    group = personas.med_group
    a, b = page_client(personas.jia), page_client(personas.jia)
    url = reverse("orgs:group_edit", args=[group.pk])
    va, vb = opened(a, url), opened(b, url)
    assert a.post(url, {"members": [personas.shinan_hospital.pk], "version": va}).status_code == 302
    refused = b.post(url, {"members": [personas.shinan_hospital.pk, personas.medical_union.pk], "version": vb})
    group = OrganisationGroup.objects.get(pk=group.pk)
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == [conflict_text(group, "甲")]
    assert (sorted(group.members.values_list("code", flat=True)), group.version) == (["SN-H1"], vb + 1)
    assert AuditLog.objects.filter(action="group.members").count() == 1


def test_account_edit_a_stale_save_is_refused(personas):
    subject = personas.care
    a, b = page_client(personas.yi), page_client(personas.jia)
    url = reverse("orgs:user_edit", args=[subject.pk])
    va, vb = opened(a, url), opened(b, url)
    assert a.post(url, {"full_name": "张联络", "email": "", "mobile": "", "version": va}).status_code == 302
    refused = b.post(url, {"full_name": subject.full_name, "email": "care@example.org", "mobile": "", "version": vb})
    subject = User.objects.get(pk=subject.pk)
    assert refused.status_code == 200
    assert refused.context["form"].non_field_errors() == [conflict_text(subject, "乙")]
    assert (subject.full_name, subject.email, subject.version) == ("张联络", "", va + 1)
    assert list(AuditLog.objects.filter(action="user.update").values_list("actor", flat=True)) == [personas.yi.pk]


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_two_parallel_organisation_saves_from_one_version_exactly_one_wins(personas):
    org = personas.shinan_hospital

    def save(actor, name):
        return lambda: services.update_organisation(actor=actor, org=org, name=name, kind=OrgKind.UNIT_UNION, version=1)

    results = run_together(save(personas.yi, "甲名"), save(personas.jia, "乙名"))
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Organisation"]
    winner = next(r for r in results if isinstance(r, Organisation))
    org = Organisation.objects.get(pk=org.pk)
    assert (org.name, org.version) == (winner.name, 2)
    assert AuditLog.objects.filter(action="org.update").count() == 1
