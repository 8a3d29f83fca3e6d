"""Two finance clerks charge the same batch at the same moment (parallel connections on
PostgreSQL; skipped on SQLite): one expenditure, the other refused, never two."""

import pytest
from django.utils import timezone

from nuanxin.core.errors import ServiceError
from nuanxin.funds.models import Entry
from nuanxin.funds.tests.fixtures import build_people, fund_with
from nuanxin.recuperation.choices import CandidateStatus
from nuanxin.recuperation.models import Batch, Candidate
from nuanxin.recuperation.services import candidates, catalogue, costs
from nuanxin.recuperation.tests.fixtures import nominate_all
from tests.parallel import on_postgres, run_together

pytestmark = [on_postgres, pytest.mark.django_db(transaction=True)]


def test_two_charges_at_once_record_one_expenditure(rw):
    fp = build_people(rw.p)
    nominate_all(rw)
    for offer in candidates.fill(actor=rw.p.jia, batch=rw.batch):
        candidates.accept(actor=rw.admin_of(offer.candidate.worker), offer=offer)
    # The cost is charged once the batch is held: it started today, both came.
    Batch.objects.filter(pk=rw.batch.pk).update(starts_on=timezone.localdate(), ends_on=timezone.localdate())
    for came in Candidate.objects.filter(batch=rw.batch, status=CandidateStatus.ACCEPTED):
        candidates.record_attendance(actor=rw.p.jia, candidate=came, attended=True)
    rw.batch = catalogue.finish_batch(Batch.objects.get(pk=rw.batch.pk), actor=rw.p.jia)
    city_fund = fund_with(fp.city_clerk, fp.city_approver, rw.p.city, "100000")
    district_fund = fund_with(fp.clerk, fp.approver, rw.p.shinan, "5000", name="市南区疗休养资金")
    results = run_together(
        lambda: costs.charge_cost(actor=fp.city_clerk, batch=rw.batch, fund=city_fund),
        lambda: costs.charge_cost(actor=fp.clerk, batch=rw.batch, fund=district_fund),
    )
    entries = [r for r in results if isinstance(r, Entry)]
    refused = [r for r in results if isinstance(r, ServiceError)]
    assert len(entries) == 1 and len(refused) == 1, results
    assert Entry.objects.filter(kind="expenditure").count() == 1
    assert Batch.objects.get(pk=rw.batch.pk).cost_entry_id == entries[0].pk
