"""Full mobiles reach the screen only through an audited path. The edit forms show the
number in full (to correct it), so opening one is recorded like the "Show" button: a
``worker.mobile_reveal`` row saying it was for editing. The masked pages record nothing."""

from django.urls import reverse

from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.registry import services
from nuanxin.registry.tests.helpers import make_worker


def _reveals():
    return list(
        AuditLog.objects.filter(action="worker.mobile_reveal")
        .order_by("id")
        .values_list("actor__username", "detail__whose", "detail__purpose")
    )


def test_opening_an_edit_form_with_a_full_number_is_recorded(client, personas):
    worker = make_worker(personas.shinan_hospital, "编辑看号", mobile="13812345678")
    member = services.add_family_member(actor=SYSTEM, worker=worker, name="家属", mobile="13912345678")
    deployment = services.save_deployment(actor=SYSTEM, worker=worker, batch="第一批", deployed_mobile="18612345678")
    client.force_login(personas.yi)
    for name, pk, number in (
        ("registry:worker_update", worker.pk, "138 1234 5678"),
        ("registry:family_update", member.pk, "139 1234 5678"),
        ("registry:deployment_update", deployment.pk, "186 1234 5678"),
    ):
        page = client.get(reverse(name, args=[pk])).content.decode()
        assert number.replace(" ", "") in page.replace(" ", "")
    assert _reveals() == [("yi", "worker", "edit"), ("yi", "family", "edit"), ("yi", "deployment", "edit")]
    # The worker's page shows masked numbers: nothing to record.
    assert client.get(reverse("registry:worker_detail", args=[worker.pk])).status_code == 200
    assert len(_reveals()) == 3


def test_an_edit_form_without_a_number_records_nothing(client, personas):
    worker = make_worker(personas.shinan_hospital, "无号", mobile="")
    client.force_login(personas.yi)
    assert client.get(reverse("registry:worker_update", args=[worker.pk])).status_code == 200
    assert _reveals() == []
