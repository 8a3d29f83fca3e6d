"""A city week of the produce supply on PostgreSQL: placing, handing over, closing.

    make bench BENCH_ARGS="produce_week"                        # 500 points, 100,000 families
    .venv/bin/python -m bench produce_week -- --points 50 --families 10000   # a quick look

A throwaway database (``nuanxin_bench_produce`` on the server of DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/test) is created and migrated; a city of 10 districts × 50
unit unions gets one pickup point per unit (``--points``), ``--families`` registered workers
spread evenly over the units, two suppliers, a fund of the city allowing comfort supplies and
its finance clerk, and one offer per point (a parcel ¥60 for ¥30, eggs ¥15 for ¥10).

Then, timed step by step (the services the pages and jobs call):

1. placing: every family's order through ``orders.place_orders_many`` (one call per point, the
   same checks as ``place_order``; codes not texted);
2. handing over: 200 codes checked and collected one by one (``pickup.collect``), then 90 % of
   the parcels marked collected in bulk (the rest of the pickup day, not timed);
3. closing the week: the cut-off passes and ``weeks.close_due`` closes every offer; every point's
   pick list (``selectors.weeks.pick_list``); the suppliers' totals of the week across the city
   (``supplier_totals`` as the city administrator); ``weeks.settle_due`` after the pickup day
   (uncollected marked, check calls drawn, clerks told); the fund charge, one expenditure per
   offer by the finance clerk (``subsidy.charge_subsidy``);
4. one point's pick list page (GET through the Django test client as the city administrator):
   median of ``--repeat`` runs after one warm-up.

It prints each step's time and the targets' ratios (closing the week < 30 s; one pick list page
< 200 ms). It never fails on timings. The database is dropped at the end unless ``--keep-db``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DB = "nuanxin_bench_produce"
DISTRICTS = 10
ROOT = Path(__file__).resolve().parent.parent


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _server_url(url: str, dbname: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def _admin(url: str, statement: str) -> None:
    import psycopg

    admin = _server_url(url, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(statement)


def child_run(url: str, points: str, families: str, repeat: str) -> dict:
    """Build the city and time the week (in its own process, on the bench database)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
    import django

    django.setup()
    from datetime import timedelta
    from decimal import Decimal

    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.utils import timezone

    from nuanxin.core.errors import ServiceError
    from nuanxin.core.policy import SYSTEM
    from nuanxin.core.roles import Role
    from nuanxin.funds.choices import Category, IncomeKind
    from nuanxin.funds.services import funds as fund_services
    from nuanxin.funds.services import ledger
    from nuanxin.orgs import services as org_services
    from nuanxin.orgs.choices import OrgKind
    from nuanxin.produce.choices import OfferStatus, OrderStatus
    from nuanxin.produce.models import Offer, OfferItem, Order, PickupPoint, Supplier
    from nuanxin.produce.selectors import weeks as week_reads
    from nuanxin.produce.services import orders, pickup, subsidy, weeks
    from nuanxin.registry.models import Worker

    n_points, n_families, n_repeat = int(points), int(families), int(repeat)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - started

    # --- the city (not timed) ---------------------------------------------------------------
    _progress("building the city")
    create = org_services.create_organisation
    city = create(actor=SYSTEM, code="CITY", name="青岛市总工会", kind=OrgKind.CITY_FEDERATION, parent=None)
    districts = [
        create(
            actor=SYSTEM,
            code=f"D{d:02d}",
            name=f"第{d}区总工会",
            kind=OrgKind.DISTRICT_FEDERATION,
            parent=type(city).objects.get(pk=city.pk),
        )
        for d in range(DISTRICTS)
    ]
    units = []
    for i in range(n_points):
        parent = type(city).objects.get(pk=districts[i % DISTRICTS].pk)
        units.append(
            create(actor=SYSTEM, code=f"U{i:04d}", name=f"第{i}医院工会", kind=OrgKind.UNIT_UNION, parent=parent)
        )
    units = list(type(city).objects.filter(code__startswith="U").order_by("code"))
    city = type(city).objects.get(pk=city.pk)
    admin, _ = org_services.create_user(
        actor=SYSTEM,
        username="bench-admin",
        organisation=city,
        role=Role.CITY_ADMIN,
        password="Bench-pass-2020",
        full_name="市管理员",
    )
    clerk, _ = org_services.create_user(
        actor=SYSTEM,
        username="bench-clerk",
        organisation=city,
        role=Role.FUND_CLERK,
        password="Bench-pass-2020",
        full_name="经办人",
    )
    approver, _ = org_services.create_user(
        actor=SYSTEM,
        username="bench-approver",
        organisation=city,
        role=Role.FUND_APPROVER,
        password="Bench-pass-2020",
        full_name="审批人",
    )
    today = timezone.localdate()
    fund = fund_services.open_fund(
        actor=clerk,
        organisation=city,
        name="蔬菜补贴",
        starts_on=today - timedelta(days=30),
        categories=[Category.COMFORT],
    )
    income = ledger.record_income(
        actor=clerk,
        fund=fund,
        amount=Decimal("100000000"),
        on=today - timedelta(days=10),
        income_kind=IncomeKind.APPROPRIATION,
    )
    ledger.approve(actor=approver, entry=income)
    farm = Supplier.objects.create(organisation=city, name="崂山蔬菜园")
    eggs_farm = Supplier.objects.create(organisation=city, name="即墨蛋鸡场")
    workers = [
        Worker(
            organisation_id=units[i % n_points].pk,
            name=f"家庭{i:06d}",
            name_key=f"家庭{i:06d}",
            name_pinyin=f"jiating{i:06d}",
            name_initials="jt",
            team="hubei_aid",
            mobile=f"+86139{i:08d}",
            mobile_tail=f"{i % 10000:04d}",
        )
        for i in range(n_families)
    ]
    Worker.objects.bulk_create(workers, batch_size=5000)
    now = timezone.now()
    monday = today - timedelta(days=today.weekday())
    pickup_day = today - timedelta(days=1)  # yesterday: the week can be settled at once
    offers, items = [], {}
    for unit in units:
        point = PickupPoint.objects.create(organisation=unit, name=f"{unit.name}站", address="本院")
        offer = Offer.objects.create(
            point=point,
            week=monday,
            title="本周菜包",
            status=OfferStatus.OPEN,
            cutoff_at=now + timedelta(hours=2),
            pickup_on=pickup_day,
            fund=fund,
        )
        parcel = OfferItem.objects.create(
            offer=offer,
            supplier=farm,
            name="蔬菜包",
            unit="份",
            price=Decimal("60"),
            subsidised_price=Decimal("30"),
            position=1,
        )
        egg = OfferItem.objects.create(
            offer=offer,
            supplier=eggs_farm,
            name="鸡蛋",
            unit="盒",
            price=Decimal("15"),
            subsidised_price=Decimal("10"),
            max_quantity=2,
            position=2,
        )
        offers.append(offer)
        items[offer.pk] = (parcel.pk, egg.pk)
    by_unit: dict[int, list] = {}
    for w in Worker.objects.select_related("organisation").order_by("pk"):
        by_unit.setdefault(w.organisation_id, []).append(w)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # --- 1. placing -------------------------------------------------------------------------
    _progress("placing the orders")
    started = time.perf_counter()
    placed = 0
    for k, offer in enumerate(offers):
        parcel_id, egg_id = items[offer.pk]
        batch = [
            orders.NewOrder(worker=w, lines={parcel_id: 1, egg_id: 1} if w.pk % 3 else {parcel_id: 1})
            for w in by_unit.get(offer.point.organisation_id, [])
        ]
        placed += len(orders.place_orders_many(actor=SYSTEM, offer=offer, orders=batch, send=False))
        if k % 100 == 99:
            _progress(f"  {k + 1} points, {placed:,} orders")
    timings["place"] = time.perf_counter() - started
    _progress(f"placed in {timings['place']:.1f} s")

    # --- 2. handing over --------------------------------------------------------------------
    _progress("handing parcels over")
    Offer.objects.update(cutoff_at=now - timedelta(minutes=1))
    Offer.objects.update(pickup_on=today)
    sample = list(Order.objects.select_related("offer__point").order_by("?")[:200])
    started = time.perf_counter()
    for o in sample:
        pickup.collect(actor=admin, point=o.offer.point, code=o.code)
    timings["collect_200"] = time.perf_counter() - started
    _progress(f"collect_200: {timings['collect_200']:.2f} s")
    # the rest of the day: nine parcels in ten collected, at every point
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE produce_order SET status = 'collected', collected_at = %s"
            " WHERE status = 'placed' AND id %% 10 <> 0",
            [now],
        )
    Offer.objects.update(pickup_on=pickup_day)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")

    # --- 3. closing the week ----------------------------------------------------------------
    _progress("closing the week")
    started = time.perf_counter()
    closed = weeks.close_due()
    timings["close_offers"] = time.perf_counter() - started
    _progress(f"close_offers: {timings['close_offers']:.2f} s")
    started = time.perf_counter()
    lines = sum(len(week_reads.pick_list(o).orders) for o in Offer.objects.select_related("point"))
    timings["pick_lists"] = time.perf_counter() - started
    _progress(f"pick_lists: {timings['pick_lists']:.2f} s")
    started = time.perf_counter()
    totals, covered = week_reads.supplier_totals(admin, monday)
    timings["supplier_totals"] = time.perf_counter() - started
    _progress(f"supplier_totals: {timings['supplier_totals']:.2f} s")
    started = time.perf_counter()
    settled = weeks.settle_due()
    timings["settle"] = time.perf_counter() - started
    _progress(f"settle: {timings['settle']:.2f} s")
    started = time.perf_counter()
    charged = 0
    for o in Offer.objects.all():
        try:
            subsidy.charge_subsidy(actor=clerk, offer=o)
            charged += 1
        except ServiceError as exc:  # nothing collected at that point: nothing to charge
            _progress(f"{o}: {exc.message}")
    timings["charge"] = time.perf_counter() - started
    _progress(f"charge: {timings['charge']:.2f} s")
    timings["close_week"] = sum(
        timings[k] for k in ("close_offers", "pick_lists", "supplier_totals", "settle", "charge")
    )

    # --- 4. one point's pick list page ------------------------------------------------------
    setup_test_environment()
    client = Client()
    client.force_login(admin)
    one = offers[len(offers) // 2]
    url = f"/produce/weeks/{one.pk}/picklist/"
    assert client.get(url).status_code == 200
    page_ms = []
    for _ in range(n_repeat):
        started = time.perf_counter()
        response = client.get(url)
        page_ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    counts = {
        "orders": Order.objects.count(),
        "collected": Order.objects.filter(status=OrderStatus.COLLECTED).count(),
        "uncollected": Order.objects.filter(status=OrderStatus.UNCOLLECTED).count(),
        "offers_closed": closed,
        "offers_settled": len(settled),
        "expenditures": charged,
        "pick_list_rows": lines,
        "suppliers": len(totals),
        "offers_in_totals": covered,
        "subsidy": str(
            sum(
                (
                    e.amount
                    for e in __import__("nuanxin.funds.models", fromlist=["Entry"]).Entry.objects.filter(
                        kind="expenditure"
                    )
                ),
                Decimal("0"),
            )
        ),
        "page_orders": Order.objects.filter(offer=one).count(),
    }
    return {"timings": timings, "page_ms": page_ms, "counts": counts}


def run_child(*args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.produce_week", "--child", *args],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=str(ROOT),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench produce_week", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--points", type=int, default=500, help="pickup points, one per unit union (default 500)")
    parser.add_argument("--families", type=int, default=100_000, help="families ordering (default 100,000)")
    parser.add_argument("--repeat", type=int, default=9, help="timed runs of the pick list page (default 9)")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {BENCH_DB} database afterwards")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child_run(*args.child), default=str))
        return 0
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"produce_week: needs PostgreSQL; DATABASE_URL is {url.split(':', 1)[0]}; skipped")
        return 0
    print(f"\n== a city week: {args.points:,} pickup points, {args.families:,} families ==", flush=True)
    _admin(url, f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
    _admin(url, f'CREATE DATABASE "{BENCH_DB}"')
    try:
        result = run_child(_server_url(url, BENCH_DB), str(args.points), str(args.families), str(args.repeat))
    finally:
        if not args.keep_db:
            _admin(url, f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
    t, c = result["timings"], result["counts"]
    print(
        f"data: {c['orders']:,} orders ({c['collected']:,} collected, {c['uncollected']:,} not collected), "
        f"{c['offers_closed']} offers closed, {c['offers_settled']} settled, {c['expenditures']} expenditures "
        f"(subsidy ¥{c['subsidy']}), {c['pick_list_rows']:,} pick-list rows, {c['suppliers']} suppliers over "
        f"{c['offers_in_totals']} offers (migrate {t['migrate']:.1f} s)"
    )
    per_order = t["place"] / max(c["orders"], 1) * 1000
    print(f"  placing {c['orders']:,} orders (place_orders_many)   {t['place']:8.2f} s   ({per_order:.2f} ms an order)")
    print(
        f"  200 codes handed over one by one          {t['collect_200']:8.2f} s   "
        f"({t['collect_200'] / 200 * 1000:.1f} ms a code)"
    )
    print("  closing the week:")
    for key, label in (
        ("close_offers", "offers closed (close_due)"),
        ("pick_lists", "every point's pick list"),
        ("supplier_totals", "the suppliers' totals (city)"),
        ("settle", "settled (uncollected, check calls)"),
        ("charge", "the subsidy charged (1 per offer)"),
    ):
        print(f"    {label:<38} {t[key]:8.2f} s")
    print(f"    {'total':<38} {t['close_week']:8.2f} s   target < 30 s: {t['close_week'] / 30:.2f} × the target")
    page = statistics.median(result["page_ms"])
    print(
        f"  one point's pick list page ({c['page_orders']} orders)  median {page:7.1f} ms of {len(result['page_ms'])} "
        f"(min {min(result['page_ms']):.1f})   target < 200 ms: {page / 200:.2f} × the target"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
