"""The counsellors' assessment pages: the list of their hotlines' assessments and one record
(every read audited with the ids shown), and the form to take a scale with a caller."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.hotline.models import Assessment, Callback
from nuanxin.hotline.services import assessments as services
from nuanxin.hotline.services import calls as call_services

pytestmark = pytest.mark.django_db


def signed_in(user) -> Client:
    client = Client()
    client.cookies["nuanxin_language"] = "en"
    client.force_login(user)
    return client


def take(hotline, scale="GAD-7", answers=(0, 0, 0, 0, 0, 0, 0)):
    return services.take(actor=SYSTEM, scale=scale, answers=list(answers), hotline=hotline, source="public")


def test_the_list_shows_the_own_hotlines_assessments_and_audits_the_read(h):
    mine = [take(h.city, answers=(3, 3, 3, 3, 3, 3, 3)), take(h.city, "PHQ-9", (0, 0, 0, 0, 0, 0, 0, 0, 1))]
    theirs = take(h.other)
    response = signed_in(h.counsellor).get(reverse("hotline:assessment_list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert [a.pk for a in response.context["page"].object_list] == [mine[1].pk, mine[0].pk]
    assert f'data-assessment="{theirs.pk}"' not in html
    assert "Severe anxiety" in html and "crisis answer" in html
    log = AuditLog.objects.get(action="hotline.assessment.read")
    assert (log.actor, log.organisation, log.detail) == (
        h.counsellor,
        h.medical,
        {"page": "assessment_list", "assessments": sorted(a.pk for a in mine)},
    )


def test_the_filters(h):
    severe = take(h.city, answers=(3, 3, 3, 3, 3, 3, 3))
    take(h.city)
    crisis = take(h.city, "PHQ-9", (0, 0, 0, 0, 0, 0, 0, 0, 1))
    client = signed_in(h.supervisor)
    url = reverse("hotline:assessment_list")

    def shown(query):
        return [a.pk for a in client.get(url + query).context["page"].object_list]

    assert shown("?flag=flagged") == [severe.pk]
    assert shown("?flag=crisis") == [crisis.pk]
    assert shown("?scale=PHQ-9") == [crisis.pk]
    assert shown(f"?hotline={h.city.pk}&scale=GAD-7") == [a.pk for a in Assessment.objects.filter(scale="GAD-7")]
    assert shown(f"?hotline={h.other.pk}") == [crisis.pk, *[a.pk for a in Assessment.objects.filter(scale="GAD-7")]]


def test_the_record_shows_each_answer_and_audits_the_read(h):
    row = services.take(
        actor=SYSTEM, scale="SAS", answers=[2] * 20, hotline=h.city, source="api", mobile="13800138000", consent=True
    )
    response = signed_in(h.colleague).get(reverse("hotline:assessment_detail", kwargs={"pk": row.pk}))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="nx-assessment-score">45' in html and 'id="nx-assessment-standard">56<' in html
    assert "Mild anxiety" in html
    assert html.count("(reversed item)") == 5
    assert 'href="tel:+8613800138000"' in html
    assert [c.pk for c in response.context["callbacks"]] == [Callback.objects.get().pk]
    log = AuditLog.objects.get(action="hotline.assessment.read")
    assert (log.actor, log.detail) == (h.colleague, {"page": "assessment_detail", "assessments": [row.pk]})
    # Another hotline's counsellor: the same 404 as a missing record, nothing audited.
    assert signed_in(h.stranger).get(reverse("hotline:assessment_detail", kwargs={"pk": row.pk})).status_code == 404
    assert AuditLog.objects.filter(action="hotline.assessment.read").count() == 1


def test_a_counsellor_takes_a_phq9_during_a_call(h):
    from django.utils import timezone

    call = call_services.record_call(actor=h.counsellor, hotline=h.city, started_at=timezone.now(), line=h.line)
    client = signed_in(h.counsellor)
    url = reverse("hotline:assessment_take")
    chooser = client.get(url + f"?call={call.pk}")
    assert chooser.status_code == 200
    assert f"?scale=PHQ-9&amp;call={call.pk}" in chooser.content.decode()
    form = client.get(url + f"?scale=PHQ-9&call={call.pk}")
    assert form.content.decode().count('type="radio"') == 9 * 4
    answers = {f"q{n}": "2" for n in range(1, 10)} | {"q9": "0", "hotline": str(h.city.pk)}
    response = client.post(url + f"?scale=PHQ-9&call={call.pk}", answers)
    row = Assessment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "hotline:assessment_detail", kwargs={"pk": row.pk}
    )
    assert (row.call, row.hotline, row.source, row.score, row.band, row.crisis, row.created_by) == (
        call,
        h.city,
        "call",
        16,
        "mod_severe",
        False,
        h.counsellor,
    )


def test_the_take_form_refuses_a_number_without_consent_and_missing_answers(h):
    client = signed_in(h.counsellor)
    url = reverse("hotline:assessment_take") + "?scale=GAD-7"
    answers = {f"q{n}": "1" for n in range(1, 8)} | {"hotline": str(h.city.pk)}
    response = client.post(url, answers | {"mobile": "13800138000"})
    assert response.status_code == 200
    assert "Keep the number only with the caller&#x27;s consent: tick the box or clear the number." in (
        response.content.decode()
    )
    response = client.post(url, {**answers, "q3": ""})
    assert "Please answer every question." in response.content.decode()
    # A hotline the counsellor does not serve is not on the form.
    response = client.post(url, answers | {"hotline": str(h.other.pk)})
    assert "Select a valid choice." in response.content.decode()
    assert Assessment.objects.count() == 0
    response = client.post(url, answers | {"mobile": "13800138000", "consent": "on"})
    assert response.status_code == 302
    assert Assessment.objects.get().mobile == "+8613800138000"


def test_the_menu_entry_is_for_counsellors_and_supervisors(h, personas):
    html = signed_in(h.counsellor).get("/").content.decode()
    assert 'id="nx-menu-assessments"' in html
    assert 'id="nx-menu-assessments"' not in signed_in(personas.viewer).get("/").content.decode()
    assert 'id="nx-menu-assessments"' not in signed_in(h.coordinator).get("/").content.decode()
