"""The week's pages: the week (close, settle, charge), the pick list and the supplier totals
(page and xlsx), the uncollected list and the check calls (numbers audited), the figures."""

import io

import pytest
import time_machine
from django.test import Client
from python_calamine import CalamineWorkbook

from nuanxin.core.models import AuditLog
from nuanxin.core.roles import Role
from nuanxin.funds.models import Entry
from nuanxin.orgs.models import Organisation
from nuanxin.produce.choices import CallbackStatus, OfferStatus, OrderStatus
from nuanxin.produce.models import Offer, PickupCallback
from nuanxin.produce.services import pickup, weeks
from nuanxin.produce.tests.test_weeks_data import EVENING, NOW, PASSWORD, build, user

pytestmark = pytest.mark.django_db


@pytest.fixture
def wk(personas):
    with time_machine.travel(NOW, tick=False):
        yield build(personas)


def client(user) -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    assert c.login(username=user.username, password=PASSWORD)
    return c


def _rows(response) -> list:
    return CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()


def _collect(wk, *codes):
    for code in codes:
        pickup.collect(actor=wk.keeper, point=wk.sn_point, code=code)


def test_the_week_settled_and_charged_from_its_page(wk):
    _collect(wk, "100001", "100002")
    yi = client(wk.p.yi)
    page = yi.get(f"/produce/weeks/{wk.offer.pk}/").content.decode()
    assert 'data-figure="parcels">5<' in page and 'data-figure="collected">2<' in page
    assert 'id="nx-week-settle"' not in page  # the day is not over
    with time_machine.travel(EVENING, tick=False):
        yi = client(wk.p.yi)  # signed in again: a session ends after hours idle
        page = yi.get(f"/produce/weeks/{wk.offer.pk}/").content.decode()
        assert 'id="nx-week-settle"' in page
        page = yi.post(f"/produce/weeks/{wk.offer.pk}/settle/", follow=True).content.decode()
        assert "Settled: 3 parcels not collected, 2 check calls drawn." in page
        assert "The subsidy of 70.00 yuan awaits a finance clerk of the fund." in page
        assert 'id="nx-week-charge"' not in page  # 乙 is no finance clerk
        clerk = client(wk.clerk)
        page = clerk.get(f"/produce/weeks/{wk.offer.pk}/").content.decode()
        assert "Not charged yet: ¥70.00 for the parcels collected." in page and 'id="nx-week-charge"' in page
        page = clerk.post(f"/produce/weeks/{wk.offer.pk}/charge/", follow=True).content.decode()
        assert "The subsidy of 70.00 yuan is charged to the fund (awaiting approval)." in page
        # F14: the ordered total and the charge for the parcels collected are told apart
        assert "All parcels ordered" in page and "Charged for the parcels collected: ¥70.00 (" in page
        page = clerk.post(f"/produce/weeks/{wk.offer.pk}/charge/", follow=True).content.decode()
        assert "The subsidy of this week at this point is charged already." in page
    assert Entry.objects.filter(kind="expenditure").count() == 1
    assert Offer.objects.get(pk=wk.offer.pk).status == OfferStatus.SETTLED


def test_close_from_the_page(wk):
    Offer.objects.filter(pk=wk.offer.pk).update(status=OfferStatus.OPEN)
    page = client(wk.p.yi).post(f"/produce/weeks/{wk.offer.pk}/close/", follow=True).content.decode()
    assert "Closed for orders: the pick list is fixed." in page
    assert Offer.objects.get(pk=wk.offer.pk).status == OfferStatus.CLOSED


def test_the_week_page_and_the_hub_close_an_offer_past_its_cut_off(wk):
    """F10: an offer still "taking orders" after its cut-off (the job not run yet) is closed
    when its week page or the hub is shown: its status never reads "taking orders" then."""
    Offer.objects.filter(pk__in=[wk.offer.pk, wk.sb_offer.pk]).update(status=OfferStatus.OPEN)
    page = client(wk.p.yi).get(f"/produce/weeks/{wk.offer.pk}/").content.decode()
    assert 'data-status="closed"' in page and 'id="nx-week-close"' not in page
    assert Offer.objects.get(pk=wk.offer.pk).status == OfferStatus.CLOSED
    row = AuditLog.objects.get(action="produce.offer.close")
    assert row.object_id == str(wk.offer.pk)
    assert Offer.objects.get(pk=wk.sb_offer.pk).status == OfferStatus.OPEN  # not shown: the job's
    client(wk.p.jia).get("/produce/")
    assert Offer.objects.get(pk=wk.sb_offer.pk).status == OfferStatus.CLOSED
    assert AuditLog.objects.filter(action="produce.offer.close").count() == 2


def test_the_pick_list_page_and_workbook(wk):
    keeper = client(wk.keeper)
    page = keeper.get(f"/produce/weeks/{wk.offer.pk}/picklist/").content.decode()
    assert "Pick list: 市南区站, the week of 2020-02-03" in page and "produce-print.css" in page
    assert "张*明" in page and "张三明" not in page
    # F11: no full pickup code on the sheet: the parcel number and the code's last two digits
    for code in ("100001", "100002", "100003", "100004", "100005", "100009"):
        assert code not in page
    assert '<td class="fw-bold" data-number>1</td><td class="font-monospace" data-code-tail>…01</td>' in page
    assert page.count("data-number>") == 5  # the cancelled order is not packed
    assert "In all 5 parcels" in page and '<th scope="col">Packed</th>' in page
    response = keeper.get(f"/produce/weeks/{wk.offer.pk}/picklist/?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _rows(response)
    assert rows[0][:4] == ["Parcel no.", "Code (last 2 digits)", "Family", "Mobile (last 4)"]
    assert rows[1][:3] == [1, "…01", "张*明"] and rows[1][4] == "蔬菜包×1、鸡蛋×2"
    assert [r[0] for r in rows[1:6]] == [1, 2, 3, 4, 5]
    assert not any(str(c).startswith("1000") for r in rows for c in r)
    assert ("蔬菜包", "崂山蔬菜园", "份", 5, 300) in [tuple(r[:5]) for r in rows]
    assert ("鸡蛋", "崂山蔬菜园", "盒", 6, 90) in [tuple(r[:5]) for r in rows]
    assert AuditLog.objects.filter(action="produce.picklist.export").count() == 1


def test_supplier_totals_of_the_week(wk):
    page = client(wk.p.jia).get("/produce/weeks/totals/?week=2020-02-05").content.decode()
    assert "Supplier totals: the week of 2020-02-03" in page
    assert "崂山蔬菜园" in page and "2 points" in page
    # 蔬菜包: 5 at 市南区站 + 1 at 市北区站; 乙 sees 市南区's only
    assert '<td class="text-end" data-qty>6 份</td>' in page
    page = client(wk.p.yi).get("/produce/weeks/totals/?week=2020-02-03").content.decode()
    assert '<td class="text-end" data-qty>5 份</td>' in page and "1 point" in page
    response = client(wk.p.yi).get("/produce/weeks/totals/?week=2020-02-03&format=xlsx")
    rows = [tuple(r) for r in _rows(response)]
    assert rows[1:] == [("崂山蔬菜园", "蔬菜包", "份", 5, 300, 1), ("崂山蔬菜园", "鸡蛋", "盒", 6, 90, 1)]


def test_uncollected_and_check_calls_show_numbers_audited(wk):
    _collect(wk, "100001", "100002", "100003")
    with time_machine.travel(EVENING, tick=False):
        weeks.settle_offer(actor=wk.p.yi, offer=wk.offer)
    yi = client(wk.p.yi)
    page = yi.get("/produce/uncollected/").content.decode()
    assert "赵六" in page and "欧阳小明" in page and f"tel:{wk.families[3].mobile}" in page
    row = AuditLog.objects.get(action="produce.contacts.read")
    assert sorted(row.detail["workers"]) == sorted([wk.families[3].pk, wk.families[4].pk])
    assert "赵六" not in client(wk.p.bing).get("/produce/uncollected/").content.decode()
    page = yi.get("/produce/callbacks/").content.decode()
    assert page.count("data-callback=") == 3
    call = PickupCallback.objects.order_by("id").first()
    response = yi.post(
        f"/produce/callbacks/{call.pk}/",
        {f"c{call.pk}-status": "not_received", f"c{call.pk}-note": "", f"c{call.pk}-version": "1"},
        follow=True,
    )
    assert "Say what the family said about the parcel they did not receive." in response.content.decode()
    response = yi.post(
        f"/produce/callbacks/{call.pk}/",
        {f"c{call.pk}-status": "not_received", f"c{call.pk}-note": "没收到", f"c{call.pk}-version": "1"},
        follow=True,
    )
    assert "Check call recorded: Says not received." in response.content.decode()
    assert PickupCallback.objects.get(pk=call.pk).status == CallbackStatus.NOT_RECEIVED
    page = yi.get("/produce/callbacks/?status=not_received").content.decode()
    assert page.count("data-callback=") == 1 and "没收到" in page


def test_figures_are_counts_only(wk):
    _collect(wk, "100001", "100002")
    with time_machine.travel(EVENING, tick=False):
        weeks.settle_offer(actor=wk.p.yi, offer=wk.offer)
        page = client(wk.p.jia).get("/produce/figures/").content.decode()
    assert 'data-figure="families">6<' in page  # 5 at 市南区站 (one also the week before: once), 1 at 市北区站
    assert 'data-figure="parcels">7<' in page
    assert 'data-figure="share">40%<' in page  # 2 collected of 5 decided at 市南区站 (others waiting)
    assert "张三明" not in page and "张*明" not in page
    assert 'data-org="SN"' in page and 'data-org="CITY"' in page
    assert Offer.objects.get(pk=wk.offer.pk).orders.filter(status=OrderStatus.UNCOLLECTED).count() == 3


def test_a_units_viewer_sees_its_families_parcels(wk):
    """F15: a viewer of the hospital union (SN-H1) has no pickup point in scope; the parcels of
    its families (5 at 市南区站 this week, one of them also last week) are counted for it."""
    viewer = user("viewer_h1", Organisation.objects.get(code="SN-H1"), Role.VIEWER, "医院查看员")
    page = client(viewer).get("/produce/figures/").content.decode()
    assert 'data-figure="parcels">6<' in page and 'data-figure="families">5<' in page
    assert '<tr data-org="SN-H1">' in page and '<td class="text-end" data-col="families">5</td>' in page
    assert "No pickup point in your scope." in page
    assert "张三明" not in page and "张*明" not in page
