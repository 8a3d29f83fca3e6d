"""Funds at scale on PostgreSQL: a province-sized ledger, a fund's balance and the roll-ups.

    make bench BENCH_ARGS="funds_scale"                              # 500,000 and 5,000,000 postings
    .venv/bin/python -m bench funds_scale -- --quick                 # 50,000 and 500,000
    .venv/bin/python -m bench funds_scale -- --sizes 200000,2000000 --orgs 5000 --explain
    NUANXIN_BENCH_FUNDS_SIZES=100000,1000000 make bench BENCH_ARGS=funds_scale

For each size a throwaway database (``nuanxin_bench_funds_<size>`` on the server of
DATABASE_URL, default postgres://postgres@127.0.0.1:5432/test) is created, migrated and filled directly in
its tables (not through the services, which would take days): a province of ``--orgs``
organisations (default 20,000: the province, 16 cities, 10 districts each, 10 streets per
district, the rest unit unions under the streets), one fund per organisation, and N ledger
postings (the "entries" of the issue: the lines of the ledger) over the 24 months of 2020–2021:
the province's monthly income, two allocations down to every organisation from its parent's
fund (two postings each, with their entries) and expenditures for the rest (80 % by units,
15 % by streets, 4 % by districts, 1 % by cities; eight categories; one approved entry
each). The funds' balances and the subtree totals are then computed in SQL from the postings, the way
``ledger.rebuild_totals`` defines them (each posting on its organisation's own row and on the
subtree rows of it and of every ancestor), and ``nuanxin funds verify-totals``'s check is
run on one district to show they agree. Indexes are dropped during the load and rebuilt
after it, then VACUUM ANALYZE.

Then it times what the pages and the API read, in a fresh process per size and round, the
sizes in turn for ``--rounds`` rounds (so that the load of a shared machine weighs on every
size alike), ``--repeat`` runs each after a warm-up; it prints the medians of all the runs:

- a fund's balance (``ledger.balance``: the sum of its postings, which the ledger keeps in
  ``Fund.balance`` as it writes them), for one district's fund and for the busiest fund (a city's);
- a district's roll-up by category for a year (``selectors.figures.spent_by_category``), and
  the whole figures page's reads for that district and year (``figures.figures``: totals, 12
  months, its streets side by side) as its administrator;
- the city's total (投入资金, ``figures.total_spent``) for one city and for the province.

It prints the growth from the smallest to the largest size against the issue's targets:
each under 100 ms at 5 million and growth under 2 ×. It never fails on timings.
``--explain`` prints EXPLAIN (ANALYZE, BUFFERS) of the balance, the roll-up and a city's total. The
databases are dropped at the end unless ``--keep-db``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DB = "nuanxin_bench_funds"
ORGS = 20_000
CITIES = 16
DISTRICTS_PER_CITY = 10
STREETS_PER_DISTRICT = 10
ALLOCATIONS_EACH = 2  # allocations received by every organisation from its parent's fund
FIRST_DAY = date(2020, 1, 1)
DAYS = 731  # 2020-01-01 .. 2021-12-31
MONTHS = 24
CATEGORIES = ["protective", "condolence", "living", "comfort", "recuperation", "mutual_aid", "volunteer", "other"]
# Of the expenditures (per cent): units, streets, districts, cities.
SHARES = {4: 80, 3: 15, 2: 4, 1: 1}
AVERAGE_EXPENDITURE = 1049.5  # 100 + (i * 7919 % 1900) + 0.50 on average
BIG_TABLES = ("funds_entry", "funds_posting", "funds_subtreetotal")
ROOT = Path(__file__).resolve().parent.parent


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
    import django

    django.setup()


# --- the data ----------------------------------------------------------------------------------


def _segment(i: int) -> str:
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    out = ""
    while True:
        i, r = divmod(i, 36)
        out = alphabet[r] + out
        if not i:
            break
    return out.rjust(4, "0")


def tree_rows(total: int) -> list[tuple]:
    """(path, depth, numchild, code, name, kind) of the province's organisations, in tree
    order: level 0 the province, 1 cities, 2 districts, 3 streets, 4 units (the rest)."""
    cities = CITIES
    districts = cities * DISTRICTS_PER_CITY
    streets = districts * STREETS_PER_DISTRICT
    units = max(0, total - 1 - cities - districts - streets)
    rows: list[list] = [["0001", 1, 0, "BP", "基准省总工会", "city_federation"]]
    street_rows: list[list] = []
    for c in range(cities):
        city = [f"0001{_segment(c + 1)}", 2, DISTRICTS_PER_CITY, f"BP-C{c + 1:02d}", f"第{c + 1}市总工会",
                "city_federation"]  # fmt: skip
        rows.append(city)
        for d in range(DISTRICTS_PER_CITY):
            district = [city[0] + _segment(d + 1), 3, STREETS_PER_DISTRICT, f"{city[3]}-D{d + 1:02d}",
                        f"第{c + 1}市第{d + 1}区总工会", "district_federation"]  # fmt: skip
            rows.append(district)
            for s in range(STREETS_PER_DISTRICT):
                street = [district[0] + _segment(s + 1), 4, 0, f"{district[3]}-S{s + 1:02d}",
                          f"第{c + 1}市第{d + 1}区第{s + 1}街道工会", "other"]  # fmt: skip
                rows.append(street)
                street_rows.append(street)
    rows[0][2] = cities
    # Units spread evenly over the streets, appended after each street's row.
    out: list[tuple] = []
    per_street, extra = divmod(units, len(street_rows))
    index = 0
    for row in rows:
        if row[1] == 4:
            n = per_street + (1 if index < extra else 0)
            index += 1
            row[2] = n
            out.append(tuple(row))
            for u in range(n):
                out.append((row[0] + _segment(u + 1), 5, 0, f"{row[3]}-U{u + 1:03d}", f"{row[4]}第{u + 1}单位工会",
                            "unit_union"))  # fmt: skip
        else:
            out.append(tuple(row))
    return out


def _droppable_indexes(cursor) -> list[tuple[str, str]]:
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
        WHERE i.schemaname = 'public' AND i.tablename = ANY(%s)
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)
        ORDER BY i.tablename, i.indexname
        """,
        [list(BIG_TABLES)],
    )
    return list(cursor.fetchall())


def child_build(url: str, n: str, orgs: str) -> dict:
    """Migrate the empty database and fill it with ``n`` postings; returns the timings."""
    _django(url)
    from django.core.management import call_command
    from django.db import connection

    from nuanxin.core.policy import SYSTEM
    from nuanxin.core.roles import Role
    from nuanxin.orgs import services as org_services

    n, orgs = int(n), int(orgs)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    timings = {"migrate": migrated - started}
    rows = tree_rows(orgs)
    with connection.cursor() as cursor:
        t = time.perf_counter()
        with cursor.cursor.copy(
            "COPY orgs_organisation (path, depth, numchild, code, name, kind, created_at, version) FROM STDIN"
        ) as copy:
            for path, depth, numchild, code, name, kind in rows:
                copy.write_row((path, depth, numchild, code, name, kind, "2020-01-01 00:00+08", 1))
        timings["organisations"] = time.perf_counter() - t
        _progress(f"organisations: {len(rows):,} in {timings['organisations']:.1f} s")
    root = None
    from nuanxin.orgs.models import Organisation

    root = Organisation.objects.get(code="BP")
    district = Organisation.objects.get(code="BP-C01-D01")
    clerk, _pw = org_services.create_user(actor=SYSTEM, username="bench-clerk", organisation=root,
                                          role=Role.FUND_CLERK)  # fmt: skip
    org_services.create_user(actor=SYSTEM, username="bench-district", organisation=district, role=Role.ORG_ADMIN)

    # Level of each organisation: depth - 1 (0 the province .. 4 units).
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM orgs_organisation WHERE depth = 5")
        units = cursor.fetchone()[0]
    counts = {1: CITIES, 2: CITIES * DISTRICTS_PER_CITY, 3: CITIES * DISTRICTS_PER_CITY * STREETS_PER_DISTRICT,
              4: units}  # fmt: skip
    allocations = (len(rows) - 1) * ALLOCATIONS_EACH
    incomes = MONTHS
    expenditures = max(0, n - incomes - 2 * allocations)
    # What a subtree spends (evenly spread), so that every allocation covers what is spent
    # below it with a fifth to spare, and the province's income covers everything.
    own_spend = {level: expenditures * SHARES[level] / 100 / max(1, counts[level]) * AVERAGE_EXPENDITURE
                 for level in SHARES}  # fmt: skip
    subtree_spend = {4: own_spend[4]}
    fan = {3: units / max(1, counts[3]), 2: STREETS_PER_DISTRICT, 1: DISTRICTS_PER_CITY}
    for level in (3, 2, 1):
        subtree_spend[level] = own_spend[level] + fan[level] * subtree_spend[level + 1]
    allocation_amount = {level: round(subtree_spend[level] * 1.2 / ALLOCATIONS_EACH + 100, 2) for level in SHARES}
    income_amount = round(CITIES * subtree_spend[1] * 1.25 / MONTHS + 1000, 2)
    params = {
        "n_exp": expenditures, "incomes": incomes, "clerk": clerk.pk, "first": FIRST_DAY, "days": DAYS,
        "cats": CATEGORIES, "income": income_amount, "alloc1": allocation_amount[1], "alloc2": allocation_amount[2],
        "alloc3": allocation_amount[3], "alloc4": allocation_amount[4], "each": ALLOCATIONS_EACH,
        "n1": counts[1], "n2": counts[2], "n3": counts[3], "n4": max(1, counts[4]),
    }  # fmt: skip
    common = """'', '', '', NULL, '', NULL, 'approved', false, now(), now(), NULL, NULL, '', 1, %(clerk)s,
                NULL, %(clerk)s, NULL, NULL, NULL"""
    columns = """(id, kind, income_kind, amount, category, "on", payee, payee_kind, description, quantity, unit,
                  batch, status, needs_parent, recorded_at, approved_at, parent_approved_at, rejected_at,
                  rejection_reason, version, approved_by_id, parent_approved_by_id, recorded_by_id, rejected_by_id,
                  reverses_id, round_id, organisation_id, fund_id, to_fund_id)"""
    steps: list[tuple[str, str]] = [
        (
            "funds (one per organisation, id = the organisation's)",
            """
            INSERT INTO funds_fund (id, name, source, starts_on, ends_on, categories, active, balance, created_at,
                version, organisation_id)
            SELECT id, '疫情防控专项资金', CASE WHEN depth = 1 THEN 'own_budget' ELSE 'allocation' END,
                   %(first)s, NULL, '[]'::jsonb, true, 0, now(), 1, id
            FROM orgs_organisation
            """,
        ),
        (
            "organisations numbered by level",
            """
            CREATE TEMP TABLE bench_num AS
            SELECT depth - 1 AS level, (row_number() OVER (PARTITION BY depth ORDER BY path) - 1)::int AS idx, id
            FROM orgs_organisation;
            CREATE UNIQUE INDEX ON bench_num (level, idx);
            ANALYZE bench_num
            """,
        ),
        (
            "parents",
            """
            CREATE TEMP TABLE bench_parent AS
            SELECT c.id, p.id AS parent_id, c.depth - 1 AS level
            FROM orgs_organisation c JOIN orgs_organisation p ON p.path = substr(c.path, 1, length(c.path) - 4)
            """,
        ),
        (
            "income entries",
            f"""
            INSERT INTO funds_entry {columns}
            SELECT m, 'income', 'appropriation', %(income)s, '',
                   (%(first)s::date + make_interval(months => m - 1))::date, {common}, r.id, r.id, NULL
            FROM generate_series(1, %(incomes)s) AS m, orgs_organisation r WHERE r.depth = 1
            """,
        ),
        (
            "allocation entries",
            f"""
            INSERT INTO funds_entry {columns}
            SELECT 1000 + row_number() OVER (ORDER BY p.id, k), 'allocation', '',
                   CASE p.level WHEN 1 THEN %(alloc1)s WHEN 2 THEN %(alloc2)s WHEN 3 THEN %(alloc3)s
                        ELSE %(alloc4)s END,
                   '', (%(first)s::date + ((k - 1) * 365 + p.id %% 20)::int), {common}, p.parent_id, p.parent_id, p.id
            FROM bench_parent p CROSS JOIN generate_series(1, %(each)s) AS k
            """,
        ),
        (
            "expenditure entries",
            f"""
            INSERT INTO funds_entry {columns}
            SELECT 10000000 + x.i, 'expenditure', '', 100 + (x.i * 7919 %% 1900) + 0.50,
                   (%(cats)s::text[])[1 + x.i %% 8], (%(first)s::date + (x.i * 37 %% %(days)s)::int), {common},
                   b.id, b.id, NULL
            FROM (
                SELECT i, lvl, ((i / 100) %% CASE lvl WHEN 4 THEN %(n4)s WHEN 3 THEN %(n3)s WHEN 2 THEN %(n2)s
                                                    ELSE %(n1)s END)::int AS idx
                FROM (SELECT i, CASE WHEN i %% 100 < 80 THEN 4 WHEN i %% 100 < 95 THEN 3 WHEN i %% 100 < 99 THEN 2
                                     ELSE 1 END AS lvl
                      FROM generate_series(1::bigint, %(n_exp)s::bigint) AS i) AS g
            ) AS x JOIN bench_num b ON b.level = x.lvl AND b.idx = x.idx
            """,
        ),
        (
            "postings",
            """
            INSERT INTO funds_posting (entry_id, fund_id, organisation_id, kind, category, "on", amount, reversal,
                posted_at)
            SELECT e.id, e.fund_id, e.organisation_id,
                   CASE e.kind WHEN 'income' THEN 'income' WHEN 'allocation' THEN 'allocation_out'
                        ELSE 'expenditure' END,
                   e.category, e."on", CASE WHEN e.kind = 'income' THEN e.amount ELSE -e.amount END, false, now()
            FROM funds_entry e
            UNION ALL
            SELECT e.id, e.to_fund_id, e.to_fund_id, 'allocation_in', '', e."on", e.amount, false, now()
            FROM funds_entry e WHERE e.kind = 'allocation'
            """,
        ),
        (
            "fund balances",
            """
            UPDATE funds_fund f SET balance = p.total
            FROM (SELECT fund_id, sum(amount) AS total FROM funds_posting GROUP BY fund_id) p
            WHERE p.fund_id = f.id
            """,
        ),
        (
            "own totals",
            """
            INSERT INTO funds_subtreetotal (organisation_id, own, month, kind, category, amount)
            SELECT organisation_id, true, date_trunc('month', "on")::date, kind, category, sum(amount)
            FROM funds_posting GROUP BY 1, 3, 4, 5
            """,
        ),
        (
            "ancestors",
            """
            CREATE TEMP TABLE bench_ancestor AS
            SELECT o.id, a.id AS ancestor_id
            FROM orgs_organisation o CROSS JOIN LATERAL generate_series(1, o.depth) AS k
            JOIN orgs_organisation a ON a.path = substr(o.path, 1, 4 * k)
            """,
        ),
        (
            "subtree totals",
            """
            INSERT INTO funds_subtreetotal (organisation_id, own, month, kind, category, amount)
            SELECT a.ancestor_id, false, t.month, t.kind, t.category, sum(t.amount)
            FROM funds_subtreetotal t JOIN bench_ancestor a ON a.id = t.organisation_id
            WHERE t.own GROUP BY 1, 3, 4, 5
            """,
        ),
    ]
    with connection.cursor() as cursor:
        indexes = _droppable_indexes(cursor)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET session_replication_role = replica")  # no foreign-key triggers during the load
        for label, sql in steps:
            t = time.perf_counter()
            cursor.execute(sql, params)
            timings[label] = time.perf_counter() - t
            _progress(f"{label}: {cursor.rowcount if cursor.rowcount >= 0 else ''} rows, {timings[label]:.1f} s")
        cursor.execute("SET session_replication_role = DEFAULT")
        t = time.perf_counter()
        for _name, definition in indexes:
            cursor.execute(definition)
        timings["indexes"] = time.perf_counter() - t
        _progress(f"{len(indexes)} indexes rebuilt in {timings['indexes']:.1f} s")
        for table in ("funds_fund", "funds_entry", "orgs_organisation"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        t = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        timings["vacuum analyze"] = time.perf_counter() - t
        counts_out = {}
        for table in ("funds_entry", "funds_posting", "funds_subtreetotal", "orgs_organisation"):
            cursor.execute(f"SELECT count(*) FROM {table}")
            counts_out[table] = cursor.fetchone()[0]
    timings["total"] = time.perf_counter() - started
    return {"timings": timings, "counts": counts_out}


# --- the measurements --------------------------------------------------------------------------


def _explain(run, match: str) -> str:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    sql = next(q["sql"] for q in captured.captured_queries if match in q["sql"])
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def child_measure(url: str, repeat: str, explain: str) -> dict:
    _django(url)
    from nuanxin.accounts.models import User
    from nuanxin.funds.models import Fund
    from nuanxin.funds.selectors import figures
    from nuanxin.funds.services import ledger
    from nuanxin.funds.totals import balance_differences, differences
    from nuanxin.orgs import scope
    from nuanxin.orgs.models import Organisation

    repeat = int(repeat)
    province = Organisation.objects.get(code="BP")
    city = Organisation.objects.get(code="BP-C01")
    district = Organisation.objects.get(code="BP-C01-D01")
    district_fund = Fund.objects.get(organisation=district)
    city_fund = Fund.objects.get(organisation=city)
    admin = User.objects.get(username="bench-district")
    year = figures.period("2021-01", "2021-12")

    def page():
        scope.forget(admin)
        return figures.figures(admin, district, year)

    cases = {
        "a district's fund balance": lambda: ledger.balance(district_fund),
        "a city's fund balance (busiest)": lambda: ledger.balance(city_fund),
        "district roll-up by category, a year": lambda: figures.spent_by_category(district, year),
        "district figures page reads, a year": page,
        "a city's total (投入资金)": lambda: figures.total_spent(city),
        "the province's total (投入资金)": lambda: figures.total_spent(province),
    }
    medians, checks, all_times = {}, {}, {}
    for label, run in cases.items():
        result = run()  # warm-up
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            run()
            times.append((time.perf_counter() - t) * 1000)
        medians[label] = statistics.median(times)
        all_times[label] = times
        if label.startswith("the province"):
            checks["province_spent"] = str(result)
        if label.startswith("district roll-up"):
            checks["district_categories"] = len(result)
    # The totals agree with the postings (verify-totals' comparison, for one district).
    t = time.perf_counter()
    checks["district_differences"] = len(differences(organisations=[district]))
    checks["district_balance_differences"] = len(balance_differences(organisations=[district]))
    checks["verify_district_s"] = round(time.perf_counter() - t, 2)
    plans = {}
    if explain == "1":
        plans["a district's fund balance"] = _explain(cases["a district's fund balance"], "funds_fund")
        plans["district roll-up by category"] = _explain(cases["district roll-up by category, a year"],
                                                         "funds_subtreetotal")  # fmt: skip
        plans["a city's total"] = _explain(cases["a city's total (投入资金)"], "funds_subtreetotal")
    return {"medians": medians, "times": all_times, "checks": checks, "plans": plans}


# --- the database and the processes ------------------------------------------------------------


def _server_url(url: str, dbname: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def _admin(url: str, statement: str) -> None:
    import psycopg

    admin = _server_url(url, "postgres").replace("postgres://", "postgresql://", 1)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(statement)


def run_child(kind: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.funds_scale", "--child", kind, *args],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=str(ROOT),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench funds_scale", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes",
        default=os.environ.get("NUANXIN_BENCH_FUNDS_SIZES", "500000,5000000"),
        help="comma-separated posting counts (default 500000,5000000, or NUANXIN_BENCH_FUNDS_SIZES)",
    )
    parser.add_argument("--orgs", type=int, default=ORGS, help=f"organisations in the tree (default {ORGS:,})")
    parser.add_argument("--quick", action="store_true", help="50,000 and 500,000 postings, 5 runs each")
    parser.add_argument("--repeat", type=int, default=9, help="timed runs per measurement and round")
    parser.add_argument("--rounds", type=int, default=3, help="rounds measuring every size in turn (default 3)")
    parser.add_argument("--explain", action="store_true", help="print the query plans of the balance and roll-up")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {BENCH_DB}_<size> databases afterwards")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, rest = args.child[0], args.child[1:]
        result = {"build": child_build, "measure": child_measure}[kind](*rest)
        print(json.dumps(result, default=str))
        return 0

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"funds_scale: needs PostgreSQL; DATABASE_URL is {url.split(':', 1)[0]}; skipped")
        return 0
    sizes = [50_000, 500_000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    repeat = 5 if args.quick and args.repeat == 9 else args.repeat
    dbs = {n: f"{BENCH_DB}_{n}" for n in sizes}
    results: dict[int, dict] = {}
    try:
        for n in sizes:
            print(f"\n== {n:,} postings, {args.orgs:,} organisations: loading ==", flush=True)
            _admin(url, f'DROP DATABASE IF EXISTS "{dbs[n]}"')
            _admin(url, f'CREATE DATABASE "{dbs[n]}"')
            built = run_child("build", _server_url(url, dbs[n]), str(n), str(args.orgs))
            t, c = built["timings"], built["counts"]
            load = t["total"] - t["migrate"]
            print(
                f"data: {c['orgs_organisation']:,} organisations, {c['funds_posting']:,} postings, "
                f"{c['funds_entry']:,} entries, {c['funds_subtreetotal']:,} subtree-total rows; "
                f"loaded in {load:.1f} s (+ migrate {t['migrate']:.1f} s)",
                flush=True,
            )
        # The sizes are measured in turn, round after round, so that the load of a shared
        # machine weighs on every size alike: the growth is a ratio measured in the same run.
        for r in range(args.rounds):
            for n in sizes:
                last = r == args.rounds - 1
                measured = run_child(
                    "measure", _server_url(url, dbs[n]), str(repeat), "1" if args.explain and last else "0"
                )
                kept = results.setdefault(n, {"times": {}, "checks": measured["checks"], "plans": {}})
                for label, times in measured["times"].items():
                    kept["times"].setdefault(label, []).extend(times)
                kept["plans"] = measured["plans"] or kept["plans"]
        for n in sizes:
            runs = args.rounds * repeat
            results[n]["medians"] = {label: statistics.median(t) for label, t in results[n]["times"].items()}
            print(f"\n== {n:,} postings: medians of {runs} runs ({args.rounds} rounds of {repeat}) ==")
            for label, ms in results[n]["medians"].items():
                print(f"  {label:<40} median {ms:9.2f} ms")
            print(f"  (checks: {results[n]['checks']})")
            for label, plan in results[n]["plans"].items():
                print(f"\n  EXPLAIN ANALYZE — {label}:")
                print("    " + plan.replace("\n", "\n    "))
    finally:
        if not args.keep_db:
            for name in dbs.values():
                _admin(url, f'DROP DATABASE IF EXISTS "{name}"')
    if len(results) >= 2:
        small, large = min(results), max(results)
        print(f"\n== growth from {small:,} to {large:,} postings ({large / small:.0f} × the data) ==")
        worst_ms, worst_growth = 0.0, 0.0
        for label, ms in results[large]["medians"].items():
            base = results[small]["medians"][label]
            growth = ms / base if base else float("inf")
            worst_ms, worst_growth = max(worst_ms, ms), max(worst_growth, growth)
            print(f"  {label:<40} {base:9.2f} ms → {ms:9.2f} ms   × {growth:5.2f}")
        print(f"  targets: each < 100 ms at the larger size (slowest {worst_ms:.1f} ms); growth < 2 × "
              f"(largest {worst_growth:.2f} ×)")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
