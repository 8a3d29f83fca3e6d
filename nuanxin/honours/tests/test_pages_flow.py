"""A nomination travels through the pages: the unit union creates it (award type, the worker
found by search, the story, a photo) and submits it; 市南区 returns it with a comment; the unit
changes it and submits again; 市南区 recommends it; the city puts it on notice, records and
answers an objection, awards it; the certificate downloads as a PDF. Bad input on the way is
answered with a message, nothing typed is lost and nothing is saved."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.core.models import Attachment, AuditLog
from nuanxin.honours.models import Nomination, Objection
from nuanxin.honours.tests.authz_pages import png
from nuanxin.honours.tests.fixtures import PERSON

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    c.force_login(user)
    return c


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def act(c: Client, n: Nomination, action: str, note: str = ""):
    n.refresh_from_db()
    return c.post(reverse("honours:nomination_action", args=[n.pk]),
                  {"action": action, "note": note, "version": n.version}, follow=True)


def test_a_nomination_goes_up_the_tree_through_the_pages(hw):
    p = hw.p
    unit = client_for(hw.unit_admin)
    create = reverse("honours:nomination_create", args=[hw.call.pk])
    person = hw.type(PERSON)

    # Step 1: the call's award types; step 2: the worker found by name.
    page = unit.get(create)
    assert [at.code for at in page.context["award_types"]] == [
        at.code for at in hw.call.award_types.order_by("level", "name", "id")]
    page = unit.get(create, {"award_type": person.pk, "q": "张援鄂"})
    assert [w.pk for w in page.context["found"]] == [hw.aid_worker.pk]
    assert 'name="worker"' in page.content.decode()

    # A story over the limit: the message, the story kept, nothing saved.
    long_story = "援" * 3001
    page = unit.post(create, {"award_type": person.pk, "organisation": p.shinan_hospital.pk,
                              "worker": hw.aid_worker.pk, "story": long_story})
    assert page.status_code == 200
    assert page.context["form"].errors["story"] == ["At most 3000 characters; this has 3001."]
    assert long_story in page.content.decode()
    assert Nomination.objects.count() == 0

    # Saved as a draft with a photo.
    done = unit.post(create, {"award_type": person.pk, "organisation": p.shinan_hospital.pk,
                              "worker": hw.aid_worker.pk, "story": "驰援武汉六十余天。", "uploads": png("合影.png")},
                     follow=True)
    n = Nomination.objects.get()
    assert done.redirect_chain == [(reverse("honours:nomination_detail", args=[n.pk]), 302)]
    assert messages_of(done) == ["Nomination saved as a draft. Check it, then submit it for review."]
    assert (n.status, n.worker, n.at_organisation, n.story) == ("draft", hw.aid_worker, p.shinan_hospital,
                                                                 "驰援武汉六十余天。")
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["合影.png"]
    facts = done.context["facts"]
    assert (facts.aid_member, facts.days_deployed, facts.team) == (True, 65, "hubei_aid")
    assert [a["action"] for a in done.context["actions"]] == ["submit", "withdraw"]

    # Submitted: under review at 市南区.
    page = act(unit, n, "submit")
    n.refresh_from_db()
    assert (n.status, n.at_organisation) == ("review", p.shinan)
    assert messages_of(page) == ["Sent to 市南区总工会 for review."]

    # 市南区's board: the nomination is to review there, marked frontline and aid team.
    district = client_for(p.yi)
    board = district.get(reverse("honours:call_board", args=[hw.call.pk]))
    assert board.context["level"] == p.shinan
    assert [x.pk for x in board.context["board"].to_review] == [n.pk]
    html = board.content.decode()
    assert 'data-frontline="1"' in html and 'data-aid="1"' in html

    # Returning needs a comment: without one, a message and nothing changed.
    page = act(district, n, "return")
    assert page.status_code == 200
    n.refresh_from_db()
    assert n.status == "review"
    assert "Say why: this step needs a comment or a reason." in page.content.decode()
    page = act(district, n, "return", "请补充援鄂期间的具体事迹。")
    n.refresh_from_db()
    assert (n.status, n.at_organisation) == ("returned", p.shinan_hospital)
    assert messages_of(page) == ["Returned to 市南区人民医院工会 for changes."]
    assert n.notes.filter(text="请补充援鄂期间的具体事迹。", level=p.shinan).count() == 1

    # The unit changes the story and submits again.
    n.refresh_from_db()
    story = "驰援武汉六十六天，负责重症病房护理。"
    edit = unit.post(reverse("honours:nomination_edit", args=[n.pk]),
                     {"worker": hw.aid_worker.pk, "story": story, "version": n.version})
    assert edit.status_code == 302
    act(unit, n, "submit")
    n.refresh_from_db()
    assert (n.status, n.at_organisation, n.story) == ("review", p.shinan, "驰援武汉六十六天，负责重症病房护理。")

    # 市南区 recommends it to the city.
    page = act(district, n, "recommend")
    n.refresh_from_db()
    assert (n.status, n.at_organisation) == ("review", p.city)
    assert messages_of(page) == ["Sent to 青岛市总工会 for review."]

    # The city: public notice, an objection recorded and dismissed, then (the notice over) the award.
    city = client_for(p.jia)
    act(city, n, "notice")
    n.refresh_from_db()
    today = timezone.localdate()
    assert (n.status, n.notice_starts_on, n.notice_ends_on) == ("notice", today, today + timedelta(days=4))
    page = city.post(reverse("honours:objection_create", args=[n.pk]), {"text": "事迹有夸大。", "raised_by": ""},
                     follow=True)
    objection = Objection.objects.get()
    assert (objection.status, objection.raised_by) == ("open", "")
    assert messages_of(page) == ["Objection recorded. Answer it before the decision."]
    page = city.post(reverse("honours:objection_answer", args=[objection.pk]),
                     {"upheld": "0", "answer": "经核实，事迹属实。", "version": objection.version}, follow=True)
    assert messages_of(page) == ["Objection answered."]
    objection.refresh_from_db()
    assert (objection.status, objection.answer) == ("dismissed", "经核实，事迹属实。")
    past = today - timedelta(days=10)
    Nomination.objects.filter(pk=n.pk).update(notice_starts_on=past, notice_ends_on=past + timedelta(days=4))
    page = act(city, n, "award")
    n.refresh_from_db()
    assert n.status == "awarded" and n.certificate_no
    assert messages_of(page) == [f"Awarded: certificate number {n.certificate_no}."]

    # The certificate, for the unit too.
    pdf = unit.get(reverse("honours:nomination_certificate", args=[n.pk]))
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert b"".join(pdf.streaming_content if pdf.streaming else [pdf.content]).startswith(b"%PDF-")
    assert AuditLog.objects.filter(action="honours.certificate.pdf", object_id=str(n.pk)).count() == 1


def test_the_figures_show_counts_to_a_viewer_never_a_name_or_story(hw):
    from nuanxin.honours.tests.fixtures import at_city, nomination

    at_city(hw, story="援鄂事迹全文")
    nomination(hw, code="gongren_xianfeng_hao", story="草稿不计")
    viewer = client_for(hw.p.viewer)
    page = viewer.get(reverse("honours:call_figures", args=[hw.call.pk]))
    assert page.status_code == 200
    figures = page.context["figures"]
    assert (figures.total, figures.frontline, figures.aid) == (1, 1, 1)
    html = page.content.decode()
    assert "张援鄂" not in html and "援鄂事迹全文" not in html
    assert viewer.get(reverse("honours:call_board", args=[hw.call.pk])).status_code == 403
    assert client_for(hw.p.viewer).get(reverse("honours:call_list")).status_code == 200


def test_the_quota_table_saves_every_changed_cell_or_none(hw):
    p = hw.p
    city = client_for(p.jia)
    url = reverse("honours:call_quotas", args=[hw.call.pk])
    person = hw.type(PERSON)
    page = city.post(url, {f"q_{p.shinan.pk}_all": "3", f"q_{p.shibei.pk}_{person.pk}": "x"})
    assert page.status_code == 200
    assert hw.call.quotas.count() == 0
    assert page.context["form"].errors[f"q_{p.shibei.pk}_{person.pk}"] == ["Enter a whole number."]
    assert 'value="3"' in page.content.decode()  # what was typed is still there
    page = city.post(url, {f"q_{p.shinan.pk}_all": "3", f"q_{p.shibei.pk}_{person.pk}": "1"})
    assert page.status_code == 302
    assert sorted(hw.call.quotas.values_list("organisation__code", "award_type__code", "places")) == [
        ("SB", PERSON, 1), ("SN", None, 3)]
    board = client_for(p.yi).get(reverse("honours:call_board", args=[hw.call.pk]))
    assert [(q.award_type, q.places, q.left) for q in board.context["board"].quotas] == [(None, 3, 3)]


def test_a_refused_file_saves_nothing_and_keeps_the_story(hw):
    from django.core.files.uploadedfile import SimpleUploadedFile

    unit = client_for(hw.unit_admin)
    team = hw.type("gongren_xianfeng_hao")
    fake = SimpleUploadedFile("照片.png", b"not a picture at all", content_type="image/png")
    page = unit.post(reverse("honours:nomination_create", args=[hw.call.pk]),
                     {"award_type": team.pk, "organisation": hw.p.shinan_hospital.pk, "team_name": "发热门诊团队",
                      "story": "坚守发热门诊。", "uploads": fake})
    assert page.status_code == 200
    assert [e.startswith("照片.png: ") for e in page.context["form"].errors["uploads"]] == [True]
    assert (Nomination.objects.count(), Attachment.objects.count()) == (0, 0)
    html = page.content.decode()
    assert "坚守发热门诊。" in html and 'value="发热门诊团队"' in html


def test_another_district_cannot_reach_the_board_of_a_level_not_its_own(hw):
    bing = client_for(hw.p.bing)
    url = reverse("honours:call_board", args=[hw.call.pk])
    assert bing.get(url, {"level": "SN"}).status_code == 404
    assert bing.get(url).context["level"] == hw.p.shibei
