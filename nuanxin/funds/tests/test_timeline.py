"""Payments on the family's care timeline (``care.hooks.family_timeline``): approved ones only,
for who may see the entry's detail (finance roles, administrators, auditors); never for a
viewer, and not for a care contact (no fund role)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.test import RequestFactory

from nuanxin.care.selectors.timeline import family_timeline
from nuanxin.funds import timeline
from nuanxin.funds.services import ledger, rounds
from nuanxin.funds.tests.authz_spending import worker
from nuanxin.funds.tests.fixtures import approve_fully, fund_with

pytestmark = pytest.mark.django_db

ON = date(2020, 2, 3)


@pytest.fixture
def paid(personas, fp):
    fund = fund_with(fp.clerk, fp.approver, personas.shinan, "40000")
    zhang = worker(personas.shinan_hospital, "张三", "13800001111")
    li = worker(personas.shinan_hospital, "李四", "13800002222")
    round_, _plan = rounds.create_round(actor=fp.clerk, fund=fund, name="援鄂慰问", amount_per_person="2000", on=ON,
                                        workers=[zhang])
    approve_fully(round_.entries.get(), fp.approver)
    pending = ledger.record_expenditure(  # awaiting approval: not on the timeline yet
        actor=fp.clerk, fund=fund, amount="800", category="living", on=date(2020, 2, 5), payee_kind="person",
        beneficiaries=[ledger.Payment(zhang, Decimal("800"))],
    )
    return zhang, li, round_, pending


def test_an_approver_sees_the_approved_payment(fp, paid):
    zhang, li, round_, _pending = paid
    entries = timeline.family_entries(user=fp.approver, worker=zhang)
    assert [(e.at, e.kind, e.template, e.obj.amount, e.obj.round_id) for e in entries] == [
        (ON, "payment", "funds/_timeline_payment.html", Decimal("2000.00"), round_.pk),
    ]
    assert timeline.family_entries(user=fp.approver, worker=li) == []


def test_a_viewer_a_care_contact_and_another_district_see_none(personas, fp, paid):
    zhang, _li, _round, _pending = paid
    for user in (personas.viewer, personas.care, personas.bing, fp.bing_approver):
        assert timeline.family_entries(user=user, worker=zhang) == [], user.username


def test_the_care_timeline_shows_it_to_the_union_admin(personas, paid):
    zhang, _li, _round, _pending = paid
    kinds = [e.kind for e in family_timeline(personas.yi, zhang)]
    assert kinds.count("payment") == 1
    assert [e.kind for e in family_timeline(personas.care, zhang)].count("payment") == 0


def test_the_worker_page_panel(personas, fp, paid):
    zhang, _li, _round, _pending = paid
    request = RequestFactory().get("/")
    request.user = fp.approver
    panels = timeline.worker_page_panels(request=request, worker=zhang)
    assert [(p.slot, p.template, len(p.context["payments"])) for p in panels] == [
        ("sections", "funds/_worker_payments.html", 1)
    ]
    request.user = personas.viewer
    assert timeline.worker_page_panels(request=request, worker=zhang) == []


def test_the_family_page_draws_the_payment(personas, paid):
    from django.test import Client
    from django.urls import reverse

    from nuanxin.funds.tests.fixtures import PASSWORD

    zhang, _li, _round, _pending = paid
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    c.login(username=personas.yi.username, password=PASSWORD)
    html = c.get(reverse("care:family", kwargs={"pk": zhang.pk})).content.decode()
    assert 'data-kind="payment"' in html and "Condolence money" in html and "¥2,000.00" in html


def test_the_register_worker_page_has_the_payments_card(personas, paid):
    from django.test import Client
    from django.urls import reverse

    from nuanxin.funds.tests.fixtures import PASSWORD

    zhang, li, _round, _pending = paid
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    c.login(username=personas.yi.username, password=PASSWORD)
    html = c.get(reverse("registry:worker_detail", kwargs={"pk": zhang.pk})).content.decode()
    assert 'id="nx-worker-payments"' in html and "援鄂慰问" in html and "¥2,000.00" in html
    other = c.get(reverse("registry:worker_detail", kwargs={"pk": li.pk})).content.decode()
    assert 'id="nx-worker-payments"' not in other
    care = Client()
    care.login(username=personas.care.username, password=PASSWORD)
    assert 'id="nx-worker-payments"' not in care.get(
        reverse("registry:worker_detail", kwargs={"pk": zhang.pk})
    ).content.decode()
