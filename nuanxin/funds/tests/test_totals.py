"""The subtree totals kept right: rebuilt they equal the kept ones, ``nuanxin funds
verify-totals`` finds a tampered total (status 1) and ``rebuild-totals`` repairs it, and a
unit moved to another district takes its money's figures with it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from nuanxin.core.audit import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.funds import totals
from nuanxin.funds.models import SubtreeTotal
from nuanxin.funds.selectors import figures
from nuanxin.funds.services import ledger
from nuanxin.funds.services.ledger import Allocation
from nuanxin.funds.tests.fixtures import approve_fully, fund_with, open_fund
from nuanxin.orgs import hooks as orgs_hooks
from nuanxin.orgs import services as org_services
from nuanxin.orgs.models import Organisation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

KEY = ("organisation_id", "own", "month", "kind", "category", "amount")


@pytest.fixture
def ledger_rows(personas, fp):
    """The city allocates ¥50,000 to 市南区's hospital, which spends ¥1,200 and ¥800."""
    city_fund = fund_with(fp.city_clerk, fp.city_approver, personas.city, "100000")
    hospital = open_fund(fp.city_clerk, Organisation.objects.get(pk=personas.shinan_hospital.pk), "医院专项资金")
    for e in ledger.record_allocations(actor=fp.city_clerk, fund=city_fund, on=date(2020, 2, 1),
                                       allocations=[Allocation(hospital, Decimal("50000"))]):  # fmt: skip
        approve_fully(e, fp.city_approver)
    for amount, category in (("1200", "protective"), ("800", "comfort")):
        approve_fully(ledger.record_expenditure(actor=fp.clerk, fund=hospital, amount=amount, category=category,
                                                on=date(2020, 3, 2), payee="某公司"), fp.approver)  # fmt: skip
    return hospital


def test_rebuilt_totals_equal_the_kept_ones_and_the_postings(ledger_rows):
    kept = sorted(SubtreeTotal.objects.values_list(*KEY))
    assert totals.differences() == []
    count = totals.rebuild(actor=SYSTEM)
    assert sorted(SubtreeTotal.objects.values_list(*KEY)) == kept and count == len(kept)
    assert AuditLog.objects.filter(action="funds.totals.rebuild", detail__rows=count).count() == 1


def test_verify_totals_finds_a_tampered_total_and_rebuild_repairs_it(personas, ledger_rows):
    out = StringIO()
    call_command("funds", "verify-totals", stdout=out)
    assert out.getvalue().strip() == "The totals equal the sums of the postings."
    SubtreeTotal.objects.filter(
        organisation=personas.shinan, own=False, kind="expenditure", category="protective"
    ).update(amount=F("amount") - Decimal("100"))
    out = StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("funds", "verify-totals", stdout=out)
    assert failed.value.returncode == 1
    assert str(failed.value) == "1 total differs from its postings: run “nuanxin funds rebuild-totals”."
    assert out.getvalue().splitlines()[1:] == ["SN\tsubtree\t2020-03\texpenditure\tprotective\t-1300.00\t-1200.00"]
    # Only the organisations asked for are checked.
    call_command("funds", "verify-totals", "--org", "SB", stdout=StringIO())
    with pytest.raises(CommandError):
        call_command("funds", "verify-totals", "--org", "SN", stdout=StringIO())
    with pytest.raises(CommandError, match=r"No organisation has the code “NOPE”\."):
        call_command("funds", "verify-totals", "--org", "NOPE", stdout=StringIO())
    out = StringIO()
    call_command("funds", "rebuild-totals", stdout=out)
    assert out.getvalue().startswith("Rebuilt the totals: ")
    assert totals.differences() == []


def test_a_unit_moved_to_another_district_takes_its_figures_along(personas, fp, ledger_rows):
    year = figures.period("2020-01", "2020-12")
    shinan, shibei = (Organisation.objects.get(pk=o.pk) for o in (personas.shinan, personas.shibei))
    assert figures.rollup(shinan, year).spent == Decimal("2000.00")
    with orgs_hooks.unit_moved.connected(totals.on_unit_moved):
        org_services.move_organisation(
            actor=SYSTEM, org=Organisation.objects.get(pk=personas.shinan_hospital.pk), new_parent=shibei
        )
    shinan, shibei, city = (
        Organisation.objects.get(pk=o.pk) for o in (personas.shinan, personas.shibei, personas.city)
    )
    assert figures.rollup(shinan, year).spent == Decimal("0.00")
    moved = figures.rollup(shibei, year)
    assert (moved.spent, moved.received, moved.remaining) == (Decimal("2000.00"), Decimal("50000.00"),
                                                              Decimal("48000.00"))  # fmt: skip
    assert figures.total_spent(city) == Decimal("2000.00")
    assert totals.differences() == []


def test_a_move_without_postings_below_rebuilds_nothing(personas, fp):
    before = AuditLog.objects.filter(action="funds.totals.rebuild").count()
    with orgs_hooks.unit_moved.connected(totals.on_unit_moved):
        org_services.move_organisation(
            actor=SYSTEM,
            org=Organisation.objects.get(pk=personas.shinan_hospital.pk),
            new_parent=Organisation.objects.get(pk=personas.shibei.pk),
        )
    assert AuditLog.objects.filter(action="funds.totals.rebuild").count() == before
