"""Recuperation's figures: per batch and rolled up per programme, counts within the reader's
reach; the page for a viewer (counts only) with its chart data."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.recuperation.models import Batch
from nuanxin.recuperation.selectors.figures import figures
from nuanxin.recuperation.services import candidates
from nuanxin.recuperation.tests.fixtures import make_batch, nominate, nominate_all

pytestmark = pytest.mark.django_db


def _story(rw):
    """第一期: aid_long and aid_b offered; aid_b declines (passes to aid_short), aid_long accepts.
    第二期 (1 place): the nurse nominated and offered."""
    nominate_all(rw)
    offers = {o.candidate.worker_id: o for o in candidates.fill(actor=rw.p.jia, batch=rw.batch)}
    candidates.accept(actor=rw.unit_admin, offer=offers[rw.aid_long.pk])
    candidates.decline(actor=rw.unit_admin_b, offer=offers[rw.aid_b.pk], reason="排班")
    second = make_batch(rw.programme, rw.base, "第二期", places=1, starts_in=60, close_in=50)
    nominate(rw, rw.cdc_b, batch=second)
    candidates.fill(actor=rw.p.jia, batch=second)
    return second


def test_per_batch_and_total(rw):
    second = _story(rw)
    result = figures(rw.p.jia, rw.programme)
    first, other = result.batches
    assert (first.label, first.places, first.filled, first.offered, first.waiting, first.declined) == (
        "第一期", 2, 1, 1, 2, 1)
    assert first.aid == 1 and first.aid_share == 100
    assert (other.key, other.places, other.offered, other.filled) == (str(second.pk), 1, 1, 0)
    total = result.total
    assert (total.places, total.filled, total.offered, total.waiting, total.declined, total.candidates) == (
        3, 1, 2, 2, 1, 6)


def test_scoped_counts(rw):
    _story(rw)
    # 丙 (市北区) counts 市北区's candidates only: aid_b declined, cdc_b waiting in 第一期, offered in 第二期.
    result = figures(rw.p.bing, rw.programme)
    first, second = result.batches
    assert (first.candidates, first.declined, first.waiting, first.filled) == (2, 1, 1, 0)
    assert (second.candidates, second.offered) == (1, 1)
    assert first.places == 2  # the places are the batch's own


def test_attended_and_no_show(rw):
    nominate_all(rw)
    for offer in candidates.fill(actor=rw.p.jia, batch=rw.batch):
        candidates.accept(actor=rw.admin_of(offer.candidate.worker), offer=offer)
    Batch.objects.filter(pk=rw.batch.pk).update(starts_on=timezone.localdate(), ends_on=timezone.localdate())
    batch = Batch.objects.get(pk=rw.batch.pk)
    long_c, b_c = (batch.candidates.get(worker=w) for w in (rw.aid_long, rw.aid_b))
    candidates.record_attendance(actor=rw.p.jia, candidate=long_c, attended=True)
    candidates.record_attendance(actor=rw.p.jia, candidate=b_c, attended=False)
    row = figures(rw.p.jia, rw.programme).batches[0]
    assert (row.attended, row.no_show, row.filled, row.aid) == (1, 1, 1, 1)


def test_figures_page_for_viewer(rw):
    _story(rw)
    c = Client()
    c.force_login(rw.p.viewer)
    page = c.get(reverse("recuperation:programme_figures", args=[rw.programme.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "张援鄂" not in html and "赵援鄂" not in html
    assert 'id="nx-recup-chart"' in html and "recuperation-figures.js" in html
    start = html.index('id="nx-recup-data"')
    data = json.loads(html[html.index(">", start) + 1: html.index("</script>", start)])
    assert data["categories"] == ["第一期", "第二期"]
    assert [s["data"] for s in data["series"]] == [[1, 0], [1, 1], [0, 0]]
    # The counsellor may not read recuperation's figures.
    c.force_login(rw.p.counsellor)
    assert c.get(reverse("recuperation:programme_figures", args=[rw.programme.pk])).status_code == 403
