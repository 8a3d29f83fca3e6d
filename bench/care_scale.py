"""Care at scale on PostgreSQL: the org admin's weekly overview and the care contact's list.

    make bench BENCH_ARGS="care_scale"                         # 100,000 and 1,000,000 workers
    .venv/bin/python -m bench care_scale -- --quick            # 10,000 and 100,000, 5 runs each
    .venv/bin/python -m bench care_scale -- --sizes 100000,1000000 --repeat 9 --explain

For each size a throwaway database (``nuanxin_bench_care`` on the server of DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/test) is created, migrated and filled by
PostgreSQL-side SQL (INSERT … SELECT generate_series): a city of 10 districts × 20 units, N
workers of whom 10 % are in the Hubei aid team (their families owe a weekly visit), one
campaign over 52 weeks with a duty per family and week (85 % visited, 10 % missed, 5 %
excused; this week 40 % visited so far), the visits, a primary family member per family, one
care contact per 10 families (each assigned their 10, but one family in 50 is left without a
contact: the unassigned list, whose rows ``care.services.sync_unassigned`` then writes as
the hourly job does), and a difficulty per 20 families.
Indexes are dropped during the load and rebuilt after it, then VACUUM ANALYZE.

Then, in a fresh process, it times the reads the pages make (``nuanxin.care.pages``, which
the views call):

- the org admin's weekly overview, ``overview_reads``: duty counts per sub-organisation, the
  missed and still-due lists and counts, the unassigned families, open difficulties by age
  and category; for the whole city (a city admin) and for one district (its org admin);
- the weekly count per sub-organisation alone (``selectors.week_overview``), city and district;
- one district's completion chart over the 52 weeks (``selectors.completion_series``);
- a care contact's list (``my_week_rows``: this week's duties with family, last visit).

It prints the median of ``--repeat`` runs (after one warm-up) and the growth from the
smallest to the largest size, against the issue's targets: one district's overview under
100 ms, growth under 2 × from 100k to 1M, the 1M load within 10 minutes. It never fails on
timings. ``--explain`` prints EXPLAIN (ANALYZE, BUFFERS) of the district's weekly count and
of the care contact's list at every size. The database (``--db-name``, default
``nuanxin_bench_care``) is dropped at the end unless ``--keep-db`` (then the last size's data
stays); ``--reuse-db --sizes N`` measures such a kept database again without loading it.

Other benchmarks load the same data with ``build_database(url, size, db_name)``
(bench/monday_morning.py).
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

from nuanxin.core.policy import SYSTEM

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DB = "nuanxin_bench_care"
DISTRICTS = 10
UNITS_PER_DISTRICT = 20
WEEKS = 52
AID_SHARE = 10  # one worker in ten is in the aid team
FAMILIES_PER_CONTACT = 10
BIG_TABLES = (
    "registry_worker",
    "registry_familymember",
    "care_careassignment",
    "care_visit",
    "care_visitduty",
    "care_difficulty",
)
ROOT = Path(__file__).resolve().parent.parent


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
    import django

    django.setup()


# --- the data ----------------------------------------------------------------------------------


def _tree() -> tuple[object, list, list]:
    """The city, its districts and units, through the service (211 organisations)."""
    from nuanxin.orgs import services
    from nuanxin.orgs.choices import OrgKind

    root = services.create_organisation(
        actor=SYSTEM, code="BC", name="基准市总工会", kind=OrgKind.CITY_FEDERATION, parent=None
    )
    districts, units = [], []
    for d in range(1, DISTRICTS + 1):
        district = services.create_organisation(
            actor=SYSTEM, code=f"BC-D{d:02d}", name=f"第{d}区总工会", kind=OrgKind.DISTRICT_FEDERATION, parent=root
        )
        districts.append(district)
        for u in range(1, UNITS_PER_DISTRICT + 1):
            units.append(
                services.create_organisation(
                    actor=SYSTEM,
                    code=f"BC-D{d:02d}-U{u:02d}",
                    name=f"第{d}区第{u}医院工会",
                    kind=OrgKind.UNIT_UNION,
                    parent=district,
                )
            )
    return root, districts, units


def _droppable_indexes(cursor) -> list[tuple[str, str]]:
    """(name, definition) of the big tables' indexes that back no constraint."""
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


def child_build(url: str, n: str) -> dict:
    """Migrate the empty database and fill it for ``n`` workers; returns the timings."""
    _django(url)
    from django.core.management import call_command
    from django.db import connection

    from nuanxin.care import services, weeks
    from nuanxin.core.roles import Role
    from nuanxin.orgs import services as org_services

    n = int(n)
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter()
    root, districts, units = _tree()
    org_services.create_user(actor=SYSTEM, username="bench-city", organisation=root, role=Role.CITY_ADMIN)
    org_services.create_user(actor=SYSTEM, username="bench-district", organisation=districts[0], role=Role.ORG_ADMIN)
    this_week = weeks.current_week()
    first_week = this_week - (WEEKS - 1) * weeks.WEEK
    campaign = services.create_campaign(actor=SYSTEM, name="基准关爱行动", starts_on=first_week)
    unit_ids = [u.pk for u in units]
    params = {"n": n, "units": unit_ids, "nunits": len(unit_ids), "aid": AID_SHARE, "campaign": campaign.pk,
              "first": first_week, "weeks": WEEKS, "per": FAMILIES_PER_CONTACT}  # fmt: skip
    steps: list[tuple[str, str]] = [
        (
            "workers",
            """
            INSERT INTO registry_worker (name, name_key, name_pinyin, name_initials, gender, category, post_title,
                mobile, mobile_tail, team, status, contact_name_hint, notes, created_at, updated_at, organisation_id)
            SELECT '职工' || i, '职工' || i, 'zhigong' || i, 'zg', '', 'nurse', '',
                   '+86138' || lpad(i::text, 8, '0'), right(lpad(i::text, 8, '0'), 4),
                   CASE WHEN (i / %(nunits)s) %% %(aid)s = 0 THEN 'hubei_aid' ELSE 'designated_hospital' END,
                   'on_duty', '', '', now(), now(), (%(units)s::bigint[])[1 + i %% %(nunits)s]
            FROM generate_series(0, %(n)s - 1) AS i
            """,
        ),
        (
            "families (aid team)",
            """
            CREATE TEMP TABLE bench_fam AS
            SELECT id AS worker_id, organisation_id,
                   (row_number() OVER (PARTITION BY organisation_id ORDER BY id) - 1) / %(per)s AS grp
            FROM registry_worker WHERE team = 'hubei_aid'
            """,
        ),
        (
            "primary family members",
            """
            INSERT INTO registry_familymember (worker_id, name, name_key, relation, mobile, address, notes,
                is_primary, created_at, updated_at)
            SELECT worker_id, '家属' || worker_id, '家属' || worker_id, '配偶',
                   '+86139' || lpad(worker_id::text, 8, '0'), '', '', true, now(), now()
            FROM bench_fam
            """,
        ),
        (
            "care contacts",
            """
            INSERT INTO accounts_user (password, is_superuser, username, first_name, last_name, email, is_staff,
                is_active, date_joined, full_name, mobile, organisation_id, session_generation)
            SELECT DISTINCT '!', false, 'bc-' || organisation_id || '-' || grp, '', '', '', false, true, now(),
                   '联系人' || organisation_id || '-' || grp, '', organisation_id, 0
            FROM bench_fam
            """,
        ),
        (
            "care-contact grants",
            """
            INSERT INTO orgs_grant (role, created_at, user_id, organisation_id)
            SELECT 'care_contact', now(), id, organisation_id FROM accounts_user WHERE username LIKE 'bc-%%'
            """,
        ),
        (
            "assignments",
            """
            INSERT INTO care_careassignment (campaign_id, worker_id, contact_id, started_at)
            SELECT %(campaign)s, f.worker_id, u.id, %(first)s::timestamptz
            FROM bench_fam f JOIN accounts_user u ON u.username = 'bc-' || f.organisation_id || '-' || f.grp
            WHERE f.worker_id %% 50 <> 0
            """,
        ),
        (
            "family × week pairs",
            """
            CREATE TEMP TABLE bench_pair AS
            SELECT f.worker_id::bigint * 64 + k AS id, f.worker_id, f.organisation_id,
                   %(first)s::date + 7 * k AS week,
                   CASE WHEN k = %(weeks)s - 1 THEN
                            CASE WHEN (f.worker_id * 31 + k * 17) %% 100 < 40 THEN 'done' ELSE 'due' END
                        WHEN (f.worker_id * 31 + k * 17) %% 100 < 85 THEN 'done'
                        WHEN (f.worker_id * 31 + k * 17) %% 100 < 95 THEN 'missed'
                        ELSE 'excused' END AS status
            FROM bench_fam f CROSS JOIN generate_series(0, %(weeks)s - 1) AS k
            """,
        ),
        (
            "visits",
            """
            INSERT INTO care_visit (id, worker_id, campaign_id, "on", mode, visitors, state_of_mind, opinions, notes,
                created_at, updated_at, version)
            SELECT id, worker_id, %(campaign)s, LEAST(week + ((worker_id + id) %% 5)::int, current_date),
                   CASE WHEN id %% 3 = 0 THEN 'phone' ELSE 'home' END, '', '', '', '', now(), now(), 1
            FROM bench_pair WHERE status = 'done'
            """,
        ),
        (
            "duties",
            """
            INSERT INTO care_visitduty (id, campaign_id, worker_id, organisation_id, week, status, excuse_reason,
                visit_id, created_at, done_at, missed_at, excused_at)
            SELECT id, %(campaign)s, worker_id, organisation_id, week, status,
                   CASE WHEN status = 'excused' THEN '家属要求本周不走访' ELSE '' END,
                   CASE WHEN status = 'done' THEN id END, week::timestamptz,
                   CASE WHEN status = 'done' THEN week + interval '1 day' END,
                   CASE WHEN status = 'missed' THEN week + interval '7 days' END,
                   CASE WHEN status = 'excused' THEN week::timestamptz END
            FROM bench_pair
            """,
        ),
        (
            "difficulties",
            """
            INSERT INTO care_difficulty (worker_id, organisation_id, campaign_id, category, urgency, description,
                status, source, due_on, created_at, updated_at, escalation_level)
            SELECT worker_id, organisation_id, %(campaign)s,
                   (ARRAY['life','childcare','eldercare','medical','supplies'])[1 + worker_id %% 5],
                   'normal', '困难' || worker_id,
                   (ARRAY['open','in_progress','resolved','closed'])[1 + (worker_id / 20) %% 4], 'manual',
                   current_date - (worker_id %% 60)::int + 14, now() - ((worker_id %% 60) || ' days')::interval,
                   now(), 0
            FROM bench_fam WHERE worker_id %% 20 = 0
            """,
        ),
    ]
    timings = {"migrate": migrated - started}
    with connection.cursor() as cursor:
        indexes = _droppable_indexes(cursor)
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
        # No foreign-key triggers during the load (the rows are consistent by construction).
        cursor.execute("SET session_replication_role = replica")
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
        for table in ("care_visit", "care_visitduty"):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT COALESCE(MAX(id), 1) FROM {table}))"
            )
        cursor.execute("UPDATE care_campaign SET duties_opened_through = %s WHERE id = %s", [this_week, campaign.pk])
        t = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")
        timings["vacuum analyze"] = time.perf_counter() - t
        # The rows the services keep for the unassigned families, by the hourly job's full pass
        # (on the analysed tables, as in production), then analysed in turn.
        t = time.perf_counter()
        synced = services.sync_unassigned()
        cursor.execute("VACUUM ANALYZE care_unassignedfamily")
        timings["unassigned families"] = time.perf_counter() - t
        _progress(f"unassigned families: {synced['added']} rows, {timings['unassigned families']:.1f} s")
        cursor.execute("SELECT count(*) FROM care_visitduty")
        duties = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM care_visit")
        visits = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM accounts_user WHERE username LIKE 'bc-%%'")
        contacts = cursor.fetchone()[0]
    timings["total"] = time.perf_counter() - started
    return {"timings": timings, "duties": duties, "visits": visits, "contacts": contacts}


# --- the measurements --------------------------------------------------------------------------


def _explain(run, match: str) -> str:
    """EXPLAIN (ANALYZE, BUFFERS) of the first query ``run`` makes that contains ``match``."""
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
    from nuanxin.care import pages, selectors, weeks
    from nuanxin.care.models import Campaign
    from nuanxin.orgs import scope
    from nuanxin.orgs.models import Organisation

    repeat = int(repeat)
    campaign = Campaign.objects.get()
    week = weeks.current_week()
    root = Organisation.objects.get(code="BC")
    district = Organisation.objects.get(code="BC-D01")
    unit = Organisation.objects.get(code="BC-D01-U01")
    users = {
        "city": User.objects.get(username="bench-city"),
        "district": User.objects.get(username="bench-district"),
        "care": User.objects.get(username=f"bc-{unit.pk}-0"),
    }

    def fresh(key):
        user = users[key]
        scope.forget(user)  # each request reads the user's grants again
        return user

    cases = {
        "city overview (page reads)": lambda: pages.overview_reads(
            fresh("city"), root, week, campaign, by="child", people=True
        ),
        "district overview (page reads)": lambda: pages.overview_reads(
            fresh("district"), district, week, campaign, by="child", people=True
        ),
        "city weekly counts": lambda: selectors.week_overview(fresh("city"), root, week, campaign, by="child"),
        "district weekly counts": lambda: selectors.week_overview(
            fresh("district"), district, week, campaign, by="child"
        ),
        "district chart (52 weeks)": lambda: selectors.completion_series(fresh("district"), district, campaign),
        "care contact's list": lambda: pages.my_week_rows(fresh("care"), week),
    }
    medians, checks = {}, {}
    for label, run in cases.items():
        result = run()  # warm-up
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            run()
            times.append((time.perf_counter() - t) * 1000)
        medians[label] = statistics.median(times)
        if label.startswith("district overview"):
            checks = {"district_due": result["overview"].total.due, "district_done": result["overview"].total.done}
        if label == "care contact's list":
            checks["care_rows"] = len(result[0])
    plans = {}
    if explain == "1":
        plans["district weekly counts"] = _explain(cases["district weekly counts"], "GROUP BY")
        plans["care contact's list"] = _explain(cases["care contact's list"], "care_visitduty")
    return {"medians": medians, "checks": checks, "plans": plans}


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
        [sys.executable, "-m", "bench.care_scale", "--child", kind, *args],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=str(ROOT),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def build_database(url: str, size: int, db_name: str = BENCH_DB) -> None:
    """Create (or re-create) ``db_name`` on the server of ``url`` and fill it for ``size``
    workers, as the benchmark does (in a child process, so the caller's Django, if any, keeps
    its own database). Other benchmarks (bench/monday_morning.py) reuse the loaded database;
    the bench users are ``bench-city`` (city admin), ``bench-district`` (the first district's
    org admin) and the care contacts ``bc-<unit id>-<n>`` (password ``!``: unusable, set one
    before signing in)."""
    _admin(url, f'DROP DATABASE IF EXISTS "{db_name}"')
    _admin(url, f'CREATE DATABASE "{db_name}"')
    built = run_child("build", _server_url(url, db_name), str(size))
    t = built["timings"]
    _progress(
        f"{db_name}: {built['duties']:,} duties, {built['visits']:,} visits, {built['contacts']:,} care contacts; "
        f"generated in {t['total'] - t['migrate']:.1f} s (+ migrate {t['migrate']:.1f} s)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench care_scale", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated worker counts")
    parser.add_argument("--quick", action="store_true", help="10,000 and 100,000 workers, 5 runs each")
    parser.add_argument("--repeat", type=int, default=9, help="timed runs per measurement (median printed)")
    parser.add_argument("--explain", action="store_true", help="print the query plans of the district and the list")
    parser.add_argument("--db-name", default=BENCH_DB, help=f"the database to create and fill (default {BENCH_DB})")
    parser.add_argument("--keep-db", action="store_true", help="keep the database afterwards (the last size's data)")
    parser.add_argument(
        "--reuse-db", action="store_true", help="measure the database as it is (one size, already built with --keep-db)"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, rest = args.child[0], args.child[1:]
        result = {"build": child_build, "measure": child_measure}[kind](*rest)
        print(json.dumps(result, default=str))
        return 0

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"care_scale: needs PostgreSQL; DATABASE_URL is {url.split(':', 1)[0]}; skipped")
        return 0
    sizes = [10_000, 100_000] if args.quick else [int(s) for s in args.sizes.split(",") if s.strip()]
    repeat = 5 if args.quick and args.repeat == 9 else args.repeat
    bench_url = _server_url(url, args.db_name)
    if args.reuse_db and len(sizes) != 1:
        parser.error("--reuse-db measures one database: give its size with --sizes N")
    results = {}
    try:
        for n in sizes:
            print(f"\n== {n:,} workers ({n // AID_SHARE:,} aid-team families × {WEEKS} weeks) ==", flush=True)
            if not args.reuse_db:
                _admin(url, f'DROP DATABASE IF EXISTS "{args.db_name}"')
                _admin(url, f'CREATE DATABASE "{args.db_name}"')
                built = run_child("build", bench_url, str(n))
                t = built["timings"]
                load = t["total"] - t["migrate"]
                print(
                    f"data: {built['duties']:,} duties, {built['visits']:,} visits, {built['contacts']:,} care "
                    f"contacts; generated in {load:.1f} s (+ migrate {t['migrate']:.1f} s)   "
                    "(target for 1M: < 600 s on 2 cores)"
                )
            measured = run_child("measure", bench_url, str(repeat), "1" if args.explain else "0")
            results[n] = measured
            for label, ms in measured["medians"].items():
                print(f"  {label:<34} median {ms:9.1f} ms   ({repeat} runs)")
            print(f"  (this week in the district: {measured['checks']})")
            for label, plan in measured["plans"].items():
                print(f"\n  EXPLAIN ANALYZE — {label}:")
                print("    " + plan.replace("\n", "\n    "))
    finally:
        if not args.keep_db and not args.reuse_db:
            _admin(url, f'DROP DATABASE IF EXISTS "{args.db_name}"')
    if len(results) >= 2:
        small, large = min(results), max(results)
        print(f"\n== growth from {small:,} to {large:,} workers ({large / small:.0f} × the data) ==")
        for label, ms in results[large]["medians"].items():
            base = results[small]["medians"][label]
            print(f"  {label:<34} {base:9.1f} ms → {ms:9.1f} ms   × {ms / base:5.2f}")
        district = results[large]["medians"]["district overview (page reads)"]
        growth = district / results[small]["medians"]["district overview (page reads)"]
        print(
            f"  targets: one district's overview < 100 ms (here {district:.1f} ms); growth < 2 × (here {growth:.2f} ×)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
