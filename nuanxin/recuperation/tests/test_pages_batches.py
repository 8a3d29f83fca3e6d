"""A batch's page and the candidate pages: ranked candidates with positions and reasons (a
unit's administrator sees their own workers, positions still the batch's), nominating from the
eligible workers of one's units, accept/decline, attendance and replacement, fill."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.recuperation.choices import CandidateStatus, OfferStatus
from nuanxin.recuperation.models import Batch, Candidate, Offer
from nuanxin.recuperation.services import candidates
from nuanxin.recuperation.tests.fixtures import nominate_all

pytestmark = pytest.mark.django_db


def client_for(user, *, en: bool = False) -> Client:
    c = Client()
    if en:  # pages in English (new strings are compared in English until the catalogue is merged)
        c.cookies["nuanxin_language"] = "en"
    c.force_login(user)
    return c


def _filled(rw):
    cands = nominate_all(rw)
    offers = candidates.fill(actor=rw.p.jia, batch=rw.batch)
    return cands, offers


def test_batch_page_ranked_for_city_admin(rw):
    cands, offers = _filled(rw)
    assert len(offers) == 2
    html = client_for(rw.p.jia).get(reverse("recuperation:batch_detail", args=[rw.batch.pk])).content.decode()
    for c in cands:
        assert f'data-candidate="{c.pk}"' in html
    # 2 places: the two 66-day aid-team members are offered; the others wait, numbered 1..3.
    assert html.count('data-status="offered"') == 2
    assert 'data-position="1"' in html and 'data-position="3"' in html and 'data-position="4"' not in html
    assert "援鄂" in html  # a reason
    assert 'id="nx-batch-fill"' in html and 'id="nx-batch-roster"' in html


def test_unit_admin_sees_own_workers_with_global_positions(rw):
    cands, _offers = _filled(rw)
    html = client_for(rw.unit_admin_b).get(reverse("recuperation:batch_detail", args=[rw.batch.pk])).content.decode()
    by_worker = {c.worker_id: c for c in cands}
    assert f'data-candidate="{by_worker[rw.aid_b.pk].pk}"' in html
    assert f'data-candidate="{by_worker[rw.cdc_b.pk].pk}"' in html
    assert f'data-candidate="{by_worker[rw.aid_long.pk].pk}"' not in html
    assert "张援鄂" not in html
    assert 'id="nx-batch-fill"' not in html
    # cdc_b (10 days deployed) waits behind aid_short (aid team), ahead of the nurse (no days): 2nd.
    assert 'data-position="2"' in html and 'data-position="1"' not in html and 'data-position="3"' not in html


def test_viewer_sees_no_names(rw):
    _filled(rw)
    page = client_for(rw.p.viewer).get(reverse("recuperation:batch_detail", args=[rw.batch.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "张援鄂" not in html and 'id="nx-candidates"' not in html
    assert client_for(rw.p.viewer).get(
        reverse("recuperation:candidate_detail", args=[Candidate.objects.first().pk])).status_code == 403


def test_nominate_page_lists_eligible_of_own_units(rw):
    candidates.nominate(actor=rw.unit_admin, batch=rw.batch, worker=rw.aid_long)
    c = client_for(rw.unit_admin)
    html = c.get(reverse("recuperation:nominate", args=[rw.batch.pk])).content.decode()
    assert "李短期" in html and "王护士" in html
    assert "张援鄂" not in html  # already a candidate
    assert "赵援鄂" not in html  # 市北区
    assert html.index("李短期") < html.index("王护士")  # aid team first
    response = c.post(reverse("recuperation:nominate", args=[rw.batch.pk]), {"worker": rw.aid_short.pk,
                                                                              "note": "可安排休假"})
    cand = Candidate.objects.get(worker=rw.aid_short)
    assert response.status_code == 302
    assert response["Location"] == reverse("recuperation:candidate_detail", args=[cand.pk])
    assert cand.note == "可安排休假" and cand.status == CandidateStatus.WAITING
    # Another unit's worker is not a choice: the form refuses it, nothing written.
    response = c.post(reverse("recuperation:nominate", args=[rw.batch.pk]), {"worker": rw.aid_b.pk})
    assert response.status_code == 200
    assert not Candidate.objects.filter(worker=rw.aid_b).exists()


def test_nominate_search(rw):
    url = reverse("recuperation:nominate", args=[rw.batch.pk]) + "?q=王"
    html = client_for(rw.unit_admin).get(url).content.decode()
    assert "王护士" in html and "李短期" not in html


def test_accept_and_decline_buttons(rw):
    _cands, offers = _filled(rw)
    by_worker = {o.candidate.worker_id: o for o in offers}
    offer_a = by_worker[rw.aid_long.pk]
    offer_b = by_worker[rw.aid_b.pk]
    c = client_for(rw.unit_admin)
    html = c.get(reverse("recuperation:candidate_detail", args=[offer_a.candidate_id])).content.decode()
    assert f'data-accept="{offer_a.pk}"' in html and 'id="nx-reasons"' in html
    response = c.post(reverse("recuperation:offer_accept", args=[offer_a.pk]))
    assert response.status_code == 302
    assert Offer.objects.get(pk=offer_a.pk).status == OfferStatus.ACCEPTED
    # 市南区's administrator may not answer 市北区's offer: 404, unchanged.
    assert c.post(reverse("recuperation:offer_decline", args=[offer_b.pk])).status_code == 404
    assert Offer.objects.get(pk=offer_b.pk).status == OfferStatus.OPEN
    page = reverse("recuperation:batch_detail", args=[rw.batch.pk])
    response = client_for(rw.unit_admin_b).post(reverse("recuperation:offer_decline", args=[offer_b.pk]),
                                                {"reason": "科室排班紧张", "next": page})
    assert response.status_code == 302 and response["Location"] == page
    declined = Offer.objects.get(pk=offer_b.pk)
    assert declined.status == OfferStatus.DECLINED and declined.reason == "科室排班紧张"
    # The place passed to the next waiting: aid_short (aid team, 30 days).
    assert Candidate.objects.get(worker=rw.aid_short).status == CandidateStatus.OFFERED


def test_attendance_and_replacement(rw):
    _cands, offers = _filled(rw)
    for offer in offers:
        candidates.accept(actor=rw.admin_of(offer.candidate.worker), offer=offer)
    long_cand = Candidate.objects.get(worker=rw.aid_long)
    url = reverse("recuperation:candidate_attendance", args=[long_cand.pk])
    assert client_for(rw.p.yi).post(url, {"attended": "0"}).status_code == 403
    response = client_for(rw.p.jia).post(url, {"attended": "0"})
    assert response.status_code == 302
    assert Candidate.objects.get(pk=long_cand.pk).status == CandidateStatus.NO_SHOW
    replacement = Offer.objects.get(replaces=long_cand)
    assert replacement.candidate.worker == rw.aid_short
    html = client_for(rw.p.jia).get(reverse("recuperation:candidate_detail", args=[replacement.candidate_id]))
    assert "张援鄂" in html.content.decode()  # "replaces 张援鄂"
    # Attended before the start is refused with a message, nothing changed.
    other = Candidate.objects.get(worker=rw.aid_b)
    response = client_for(rw.p.jia).post(reverse("recuperation:candidate_attendance", args=[other.pk]),
                                         {"attended": "1"}, follow=True)
    assert Candidate.objects.get(pk=other.pk).status == CandidateStatus.ACCEPTED
    assert "alert-danger" in response.content.decode() or "alert" in response.content.decode()


def test_fill_button(rw):
    nominate_all(rw)
    response = client_for(rw.p.jia).post(reverse("recuperation:batch_fill", args=[rw.batch.pk]), follow=True)
    assert response.status_code == 200
    assert Offer.objects.filter(batch=rw.batch, status=OfferStatus.OPEN).count() == 2
    assert client_for(rw.p.yi).post(reverse("recuperation:batch_fill", args=[rw.batch.pk])).status_code == 403


def test_withdraw(rw):
    cands = nominate_all(rw)
    nurse = next(c for c in cands if c.worker_id == rw.nurse.pk)
    response = client_for(rw.unit_admin).post(reverse("recuperation:candidate_withdraw", args=[nurse.pk]),
                                              {"reason": "个人原因"})
    assert response.status_code == 302
    assert Candidate.objects.get(pk=nurse.pk).status == CandidateStatus.WITHDRAWN


def test_closed_batch_takes_no_nomination(rw):
    Batch.objects.filter(pk=rw.batch.pk).update(nominations_close_at=timezone.now() - timedelta(minutes=1))
    response = client_for(rw.unit_admin).post(reverse("recuperation:nominate", args=[rw.batch.pk]),
                                              {"worker": rw.aid_short.pk})
    assert response.status_code == 200
    assert not Candidate.objects.exists()


def test_home_counter_of_open_offers(rw):
    from nuanxin.core import manifest

    _filled(rw)
    counts = {c.key: n for c, n in manifest.counts_for(rw.unit_admin)}
    assert counts["recuperation_offers"] == 1  # 张援鄂 (SN-H1); 赵援鄂's offer is 市北区's
    assert counts_for_viewer(rw) is None


def counts_for_viewer(rw):
    from nuanxin.core import manifest

    return {c.key: n for c, n in manifest.counts_for(rw.p.viewer)}.get("recuperation_offers")


def test_nominate_page_leaves_out_a_place_held_elsewhere(rw):
    from nuanxin.recuperation.tests.fixtures import make_batch, nominate

    nominate(rw, rw.aid_short)
    for offer in candidates.fill(actor=rw.p.jia, batch=rw.batch):
        candidates.accept(actor=rw.unit_admin, offer=offer)  # aid_short holds a place of 第一期
    second = make_batch(rw.programme, rw.base, "第二期", starts_in=60, close_in=50)
    html = client_for(rw.unit_admin, en=True).get(reverse("recuperation:nominate", args=[second.pk])).content.decode()
    assert "王护士" in html and "张援鄂" in html
    # Not offered in the form; listed below it with the reason (F5).
    form = html[html.index('id="nx-nominate-form"'):html.index("</form>", html.index('id="nx-nominate-form"'))]
    assert "李短期" not in form
    held = html[html.index('id="nx-held-elsewhere"'):]
    assert "李短期 · 市南区人民医院工会 · holds a place in 第一期" in held


def test_bad_input_changes_nothing(rw):
    _cands, offers = _filled(rw)
    offer = next(o for o in offers if o.candidate.worker_id == rw.aid_long.pk)
    c = client_for(rw.unit_admin)
    response = c.post(reverse("recuperation:offer_decline", args=[offer.pk]), {"reason": "长" * 201}, follow=True)
    assert response.status_code == 200 and "alert" in response.content.decode()
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.OPEN
    response = client_for(rw.p.jia).post(
        reverse("recuperation:candidate_attendance", args=[offer.candidate_id]), {"attended": "maybe"})
    assert response.status_code == 302
    assert Candidate.objects.get(pk=offer.candidate_id).status == CandidateStatus.OFFERED
    # An unknown worker id, a closed offer answered again: the form or a message, nothing written.
    count = Candidate.objects.count()
    response = c.post(reverse("recuperation:nominate", args=[rw.batch.pk]), {"worker": "999999"})
    assert response.status_code == 200 and Candidate.objects.count() == count
    candidates.accept(actor=rw.unit_admin, offer=offer)
    response = c.post(reverse("recuperation:offer_decline", args=[offer.pk]), follow=True)
    assert response.status_code == 200
    assert Offer.objects.get(pk=offer.pk).status == OfferStatus.ACCEPTED
    assert c.get(reverse("recuperation:batch_detail", args=[999999])).status_code == 404


# --- review findings F1, F3, F5 on the pages ---------------------------------------------------


def test_buttons_only_when_they_can_work(rw):
    """F3: before the first day an accepted place shows "did not come" but not "attended", and
    no "mark as held"; from the first day both, and "mark as held"; a held batch offers no fill."""
    from django.utils import timezone

    from nuanxin.recuperation.models import Batch
    from nuanxin.recuperation.services import catalogue

    _cands, offers = _filled(rw)
    for offer in offers:
        candidates.accept(actor=rw.admin_of(offer.candidate.worker), offer=offer)
    accepted = offers[0].candidate
    url = reverse("recuperation:batch_detail", args=[rw.batch.pk])
    c = client_for(rw.p.jia)
    html = c.get(url).content.decode()
    assert f'data-no-show="{accepted.pk}"' in html and f'data-attended="{accepted.pk}"' not in html
    assert 'id="nx-batch-finish"' not in html and 'id="nx-batch-fill"' in html
    page = c.get(reverse("recuperation:candidate_detail", args=[accepted.pk])).content.decode()
    assert f'data-no-show="{accepted.pk}"' in page and f'data-attended="{accepted.pk}"' not in page
    Batch.objects.filter(pk=rw.batch.pk).update(starts_on=timezone.localdate(), ends_on=timezone.localdate())
    html = c.get(url).content.decode()
    assert f'data-no-show="{accepted.pk}"' in html and f'data-attended="{accepted.pk}"' in html
    assert 'id="nx-batch-finish"' in html
    for offer in offers:
        candidates.record_attendance(actor=rw.p.jia, candidate=offer.candidate, attended=True)
    catalogue.finish_batch(Batch.objects.get(pk=rw.batch.pk), actor=rw.p.jia)
    html = client_for(rw.p.jia, en=True).get(url).content.decode()
    assert 'id="nx-batch-fill"' not in html and 'id="nx-batch-finish"' not in html
    # The three left waiting got no place: "No place given" (a display word), no position.
    waiting = Candidate.objects.filter(batch=rw.batch, status=CandidateStatus.WAITING)
    assert waiting.count() == 3
    for w in waiting:
        assert f'data-status-label="{w.pk}">No place given<' in html
    assert 'data-position=' not in html
    page = client_for(rw.p.jia, en=True).get(
        reverse("recuperation:candidate_detail", args=[waiting.first().pk])).content.decode()
    assert ">No place given<" in page and "The batch is over: no place was given." in page


def test_still_deployed_warned_not_blocked(rw):
    """F1: a worker whose deployment has no return date is flagged on the nominate page and the
    candidate page, and may still be nominated."""
    from datetime import date

    from nuanxin.recuperation.tests.fixtures import make_worker, nominate
    from nuanxin.registry.choices import TeamType

    still = make_worker(rw.p.shinan_hospital, "文仍在", TeamType.HUBEI_AID, "13800000010",
                        deployed=(date(2020, 2, 26), None))
    c = client_for(rw.unit_admin, en=True)
    html = c.get(reverse("recuperation:nominate", args=[rw.batch.pk])).content.decode()
    warning = html[html.index('id="nx-nominate-deployed"'):]
    assert f'data-still-deployed="{still.pk}">文仍在<' in warning
    assert f'data-still-deployed="{rw.aid_long.pk}"' not in html
    candidate = nominate(rw, still)
    page = c.get(reverse("recuperation:candidate_detail", args=[candidate.pk])).content.decode()
    assert 'id="nx-still-deployed"' in page and "The register shows this person still deployed" in page
    assert "Return date not recorded: no days counted" in page
    other = nominate(rw, rw.aid_long)
    page = c.get(reverse("recuperation:candidate_detail", args=[other.pk])).content.decode()
    assert 'id="nx-still-deployed"' not in page
    html = c.get(reverse("recuperation:batch_detail", args=[rw.batch.pk])).content.decode()
    assert f'data-still-deployed="{candidate.pk}"' in html and f'data-still-deployed="{other.pk}"' not in html


def test_nominate_page_empty_text_has_no_own_unit(rw):
    """F5: the text shown when nobody can be nominated does not speak of "your units" (a city
    administrator has none)."""
    from nuanxin.recuperation.tests.fixtures import make_batch

    batch = make_batch(rw.programme, rw.base, "第二期", starts_in=60, close_in=50, teams=["ambulance"])
    html = client_for(rw.p.jia, en=True).get(reverse("recuperation:nominate", args=[batch.pk])).content.decode()
    assert ('id="nx-no-eligible">Nobody you may nominate can be put forward for this batch (already nominated, '
            'holding a place in another batch of the programme, or of a team it does not admit).<') in html
