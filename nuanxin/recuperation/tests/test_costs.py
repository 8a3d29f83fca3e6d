"""The cost of a batch charged to a fund once it is held: those who attended × the cost of a
place, one expenditure (category recuperation, the base as supplier), linked, never twice; a
finance clerk only; money written as elsewhere (¥3,600.00)."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from nuanxin.core.errors import NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.funds.choices import Category, EntryStatus
from nuanxin.funds.models import Entry
from nuanxin.funds.tests.fixtures import build_people, fund_with, open_fund
from nuanxin.recuperation.choices import BatchStatus, CandidateStatus
from nuanxin.recuperation.models import Batch, Candidate
from nuanxin.recuperation.services import candidates, costs
from nuanxin.recuperation.tests.fixtures import nominate_all

pytestmark = pytest.mark.django_db


@pytest.fixture
def fp(personas):
    return build_people(personas)


def _accepted(rw):
    nominate_all(rw)
    for offer in candidates.fill(actor=rw.p.jia, batch=rw.batch):
        candidates.accept(actor=rw.admin_of(offer.candidate.worker), offer=offer)


def _held(rw, *, attended: int = 2):
    """The two accepted places, the batch started today, ``attended`` of them came, held."""
    from nuanxin.recuperation.services import catalogue

    _accepted(rw)
    Batch.objects.filter(pk=rw.batch.pk).update(starts_on=timezone.localdate(), ends_on=timezone.localdate())
    for i, candidate in enumerate(Candidate.objects.filter(batch=rw.batch, status=CandidateStatus.ACCEPTED)
                                  .order_by("id")):
        candidates.record_attendance(actor=rw.p.jia, candidate=candidate, attended=i < attended)
    rw.batch = catalogue.finish_batch(Batch.objects.get(pk=rw.batch.pk), actor=rw.p.jia)
    return rw.batch


def test_not_before_the_batch_is_held(rw, fp, english):
    _accepted(rw)
    fund = fund_with(fp.city_clerk, fp.city_approver, rw.p.city, "100000")
    assert costs.cost_of(rw.batch).places == 0  # accepted places are not charged: nobody has come yet
    with pytest.raises(ServiceError) as exc:
        costs.charge_cost(actor=fp.city_clerk, batch=rw.batch, fund=fund)
    assert exc.value.message == "The cost is charged once the batch is held: mark it as held first."
    assert not Entry.objects.filter(kind="expenditure").exists()
    # The batch's page offers no charge button yet; the charge page says why and has no form.
    c = Client()
    c.force_login(fp.city_clerk)
    html = c.get(reverse("recuperation:batch_detail", args=[rw.batch.pk])).content.decode()
    assert 'id="nx-batch-charge"' not in html
    page = c.get(reverse("recuperation:batch_charge", args=[rw.batch.pk])).content.decode()
    assert 'id="nx-cost-not-held"' in page and 'id="nx-charge-form"' not in page


def test_charge_once(rw, fp):
    _held(rw)
    fund = fund_with(fp.city_clerk, fp.city_approver, rw.p.city, "100000")
    entry = costs.charge_cost(actor=fp.city_clerk, batch=rw.batch, fund=fund, on=date(2020, 6, 1))
    assert entry.amount == Decimal("3600.00")  # 2 places × 1800
    assert entry.category == Category.RECUPERATION and entry.payee == "青岛湛山疗养院"
    assert entry.status == EntryStatus.PENDING and entry.fund == fund
    assert Batch.objects.get(pk=rw.batch.pk).cost_entry == entry
    row = AuditLog.objects.get(action="recuperation.batch.charge")
    assert row.detail == {"fund": fund.pk, "count": 2, "amount": "3600.00", "cost_per_place": "1800.00"}
    with pytest.raises(ServiceError):
        costs.charge_cost(actor=fp.city_clerk, batch=rw.batch, fund=fund)
    assert Entry.objects.filter(kind="expenditure").count() == 1


def test_once_held_only_those_who_attended(rw, fp):
    _accepted(rw)
    Batch.objects.filter(pk=rw.batch.pk).update(starts_on=timezone.localdate(), ends_on=timezone.localdate())
    batch = Batch.objects.get(pk=rw.batch.pk)
    candidates.record_attendance(actor=rw.p.jia, candidate=Candidate.objects.get(worker=rw.aid_long), attended=True)
    candidates.record_attendance(actor=rw.p.jia, candidate=Candidate.objects.get(worker=rw.aid_b), attended=False)
    assert costs.cost_of(batch).places == 1  # the no-show is not counted, nor an accepted place
    batch.status = BatchStatus.FINISHED
    batch.save()
    cost = costs.cost_of(batch)
    assert cost.places == 1 and cost.amount == Decimal("1800.00")


def test_not_a_clerk(rw, fp):
    _accepted(rw)
    fund = fund_with(fp.city_clerk, fp.city_approver, rw.p.city, "100000")
    with pytest.raises(NotAllowed):
        costs.charge_cost(actor=rw.p.jia, batch=rw.batch, fund=fund)
    bing_fund = open_fund(fp.bing_clerk, rw.p.shibei)
    with pytest.raises(NotAllowed):
        costs.charge_cost(actor=fp.clerk, batch=rw.batch, fund=bing_fund)  # 市南区's clerk, 市北区's fund
    assert Batch.objects.get(pk=rw.batch.pk).cost_entry is None


def test_nothing_to_charge(rw, fp, english):
    _held(rw, attended=0)
    fund = fund_with(fp.city_clerk, fp.city_approver, rw.p.city, "100000")
    with pytest.raises(ServiceError) as exc:
        costs.charge_cost(actor=fp.city_clerk, batch=rw.batch, fund=fund)
    assert exc.value.message == "Nobody attended this batch: there is nothing to charge."
    assert not Entry.objects.filter(kind="expenditure").exists()


def test_fund_not_allowing_recuperation(rw, fp):
    _held(rw)
    fund = open_fund(fp.city_clerk, rw.p.city, "防护物资专项", categories=[Category.PROTECTIVE])
    assert fund not in costs.funds_for(fp.city_clerk)
    with pytest.raises(ServiceError) as exc:
        costs.charge_cost(actor=fp.city_clerk, batch=rw.batch, fund=fund)
    assert exc.value.field == "category"
    assert Batch.objects.get(pk=rw.batch.pk).cost_entry is None


def test_rejected_entry_may_be_charged_again(rw, fp):
    from nuanxin.funds.services import ledger

    _held(rw)
    fund = fund_with(fp.city_clerk, fp.city_approver, rw.p.city, "100000")
    entry = costs.charge_cost(actor=fp.city_clerk, batch=rw.batch, fund=fund)
    ledger.reject(actor=fp.city_approver, entry=entry, reason="金额有误")
    second = costs.charge_cost(actor=fp.city_clerk, batch=rw.batch, fund=fund)
    assert second.pk != entry.pk and Batch.objects.get(pk=rw.batch.pk).cost_entry == second


def test_charge_page(rw, fp):
    _held(rw)
    fund = fund_with(fp.city_clerk, fp.city_approver, rw.p.city, "100000")
    c = Client()
    c.force_login(fp.city_clerk)
    url = reverse("recuperation:batch_charge", args=[rw.batch.pk])
    page = c.get(url)
    assert page.status_code == 200 and 'id="nx-charge-form"' in page.content.decode()
    assert 'data-figure="places">2<' in page.content.decode()
    assert 'data-figure="amount">¥3,600.00<' in page.content.decode()
    response = c.post(url, {"fund": fund.pk, "on": "2020-06-01"})
    assert response.status_code == 302
    assert Batch.objects.get(pk=rw.batch.pk).cost_entry.amount == Decimal("3600.00")
    # Shown as charged on the batch's page; a second POST charges nothing more.
    html = c.get(reverse("recuperation:batch_detail", args=[rw.batch.pk])).content.decode()
    assert 'id="nx-batch-charged"' in html and "¥3,600.00" in html
    assert c.post(url, {"fund": fund.pk, "on": "2020-06-01"}).status_code == 200
    assert Entry.objects.filter(kind="expenditure").count() == 1
    # 乙 (no fund to record in) is refused the page.
    c.force_login(rw.p.yi)
    assert c.get(url).status_code == 403
    assert Candidate.objects.filter(status=CandidateStatus.ATTENDED).count() == 2
