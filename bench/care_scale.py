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
- the completion chart over the 52 weeks (``selectors.completion_series``), the city's and one
  district's;
- a care contact's list (``my_week_rows``: this week's duties with family, last visit);
- the register list as a city admin sees it (``registry.views.list_page``: the count, capped at
  1,000, and the first page), searched for ``zhang`` (one worker in 14: the surnames follow
  their frequency in China), ``张伟`` (two characters: no trigram), ``zhangwei`` and unsearched.

The overview and the chart read the weekly totals (``care.WeekTotal``), which the load fills
from the duties (the triggers that keep them are off during the load).

It prints the median of ``--repeat`` runs (after one warm-up) and the growth from the
smallest to the largest size, against the issue's targets: one district's overview, the city's
overview and the city's chart under 100 ms and growing less than 2 × from 100k to 1M, the
register searched for ``zhang`` under 50 ms, the 1M load within 10 minutes. It never fails on
timings. ``--explain`` prints EXPLAIN (ANALYZE, BUFFERS) of the district's weekly count, the
city's chart, the care contact's list and the register's search at every size. The database (``--db-name``, default
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


# Names as a city's register has them: surnames by their frequency in China (王, 李 and 张 about
# 7 % each, so ``zhang`` finds one worker in 14), given names of one or two common characters;
# the pinyin and initials as ``registry.normalise`` writes them (no polyphonic character here).
SURNAMES = (
    "王" * 7 + "李" * 7 + "张" * 7 + "刘" * 5 + "陈" * 5 + "杨" * 3 + "黄" * 2 + "赵" * 2 + "吴" * 2 + "周" * 2
    + "徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭肖田董袁潘于"
    + "蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹"
)  # fmt: skip
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建文辉力梅琳婷雪慧宇鹏"
# (name, name_key, name_pinyin, name_initials) of worker number {i}: hashed picks of a surname and
# one or two given characters (one name in three has a single given character).
NAMES_SQL = """
    (%(sn)s::text[])[1 + (hashint4(({i})::int) & 2147483647) %% 100]
        || (%(gn)s::text[])[1 + (hashint4(({i})::int + 7777777) & 2147483647) %% %(ng)s]
        || CASE WHEN (hashint4(({i})::int + 3333333) & 2147483647) %% 3 = 0 THEN ''
                ELSE (%(gn)s::text[])[1 + (hashint4(({i})::int + 5555555) & 2147483647) %% %(ng)s] END,
    (%(sn)s::text[])[1 + (hashint4(({i})::int) & 2147483647) %% 100]
        || (%(gn)s::text[])[1 + (hashint4(({i})::int + 7777777) & 2147483647) %% %(ng)s]
        || CASE WHEN (hashint4(({i})::int + 3333333) & 2147483647) %% 3 = 0 THEN ''
                ELSE (%(gn)s::text[])[1 + (hashint4(({i})::int + 5555555) & 2147483647) %% %(ng)s] END,
    (%(sp)s::text[])[1 + (hashint4(({i})::int) & 2147483647) %% 100]
        || (%(gp)s::text[])[1 + (hashint4(({i})::int + 7777777) & 2147483647) %% %(ng)s]
        || CASE WHEN (hashint4(({i})::int + 3333333) & 2147483647) %% 3 = 0 THEN ''
                ELSE (%(gp)s::text[])[1 + (hashint4(({i})::int + 5555555) & 2147483647) %% %(ng)s] END,
    left((%(sp)s::text[])[1 + (hashint4(({i})::int) & 2147483647) %% 100], 1)
        || left((%(gp)s::text[])[1 + (hashint4(({i})::int + 7777777) & 2147483647) %% %(ng)s], 1)
        || CASE WHEN (hashint4(({i})::int + 3333333) & 2147483647) %% 3 = 0 THEN ''
                ELSE left((%(gp)s::text[])[1 + (hashint4(({i})::int + 5555555) & 2147483647) %% %(ng)s], 1) END
"""


def name_params() -> dict:
    """The parameters of ``NAMES_SQL``: the characters and their pinyin."""
    from nuanxin.registry import normalise

    assert len(SURNAMES) == 100
    return {
        "sn": list(SURNAMES),
        "sp": [normalise.pinyin(c)[0] for c in SURNAMES],
        "gn": list(GIVEN),
        "gp": [normalise.pinyin(c)[0] for c in GIVEN],
        "ng": len(GIVEN),
    }


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
              "first": first_week, "weeks": WEEKS, "per": FAMILIES_PER_CONTACT, **name_params()}  # fmt: skip
    steps: list[tuple[str, str]] = [
        (
            "workers",
            """
            INSERT INTO registry_worker (name, name_key, name_pinyin, name_initials, gender, category, post_title,
                mobile, mobile_tail, team, status, contact_name_hint, notes, created_at, updated_at, organisation_id)
            SELECT """
            + NAMES_SQL.format(i="i")
            + """, '', 'nurse', '',
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
        # The weekly totals of the overview and the chart: the triggers that keep them were off
        # during the load (replica role), so they are counted once from the duties.
        t = time.perf_counter()
        rebuilt = services.rebuild_week_totals()
        cursor.execute("VACUUM ANALYZE care_weektotal")
        timings["weekly totals"] = time.perf_counter() - t
        _progress(f"weekly totals: {rebuilt['rows']} rows, {timings['weekly totals']:.1f} s")
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

    def search(user, q):
        """The register list's reads (``registry.views.list_page``): the count, capped, and the
        first page of workers."""
        from nuanxin.registry.views import list_page

        _form, page = list_page(user, {"q": q} if q else {})
        return {"count": page.paginator.count, "capped": page.paginator.capped, "rows": len(page.object_list)}

    def fresh(key):
        user = users[key]
        scope.forget(user)  # each request reads the user's grants again
        return user

    cases = {
        # one primary-key read: the machine's speed at this moment, for the ratios (this machine is shared)
        "trivial read (one row by key)": lambda: Organisation.objects.filter(pk=root.pk).first(),
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
        "city chart (52 weeks)": lambda: selectors.completion_series(fresh("city"), root, campaign),
        "district chart (52 weeks)": lambda: selectors.completion_series(fresh("district"), district, campaign),
        "care contact's list": lambda: pages.my_week_rows(fresh("care"), week),
        "register search zhang (city)": lambda: search(fresh("city"), "zhang"),
        "register search 张伟 (city)": lambda: search(fresh("city"), "张伟"),
        "register search zhangwei (city)": lambda: search(fresh("city"), "zhangwei"),
        "register, no search (city)": lambda: search(fresh("city"), ""),
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
        if label.startswith("register search zhang "):
            checks["zhang"] = result
    plans = {}
    if explain == "1":
        plans["district weekly counts"] = _explain(cases["district weekly counts"], "GROUP BY")
        plans["city chart"] = _explain(cases["city chart (52 weeks)"], "GROUP BY")
        plans["care contact's list"] = _explain(cases["care contact's list"], "care_visitduty")
        plans["register search zhang: count"] = _explain(cases["register search zhang (city)"], "COUNT(")
        plans["register search zhangwei: count"] = _explain(cases["register search zhangwei (city)"], "COUNT(")
        plans["register search zhang: first page"] = _explain(cases["register search zhang (city)"], "LIMIT 50")
    return {"medians": medians, "checks": checks, "plans": plans}


# --- 本周走访 under load: requests per second through the production server ----------------------


def child_sessions(url: str, count: str) -> dict:
    """Signed-in sessions of ``count`` care contacts of the first district (as the login page
    makes them: ``django.test.Client.force_login`` writes the session row): their cookies."""
    _django(url)
    from django.conf import settings
    from django.test import Client

    from nuanxin.accounts.models import User

    users = list(User.objects.filter(username__startswith="bc-").order_by("pk")[: int(count)])
    cookies = []
    for user in users:
        client = Client()
        client.force_login(user)
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}")
    return {"cookies": cookies}


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _hammer(port: int, path: str, cookies: list[str], threads: int, seconds: float) -> dict:
    """``threads`` clients (http.client, one connection each, reopened as the sync workers close
    it) asking ``path`` for ``seconds``, each with its own session cookie: requests per second,
    p50/p95 and the answers that were not 200."""
    import http.client
    import threading

    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Cookie": cookies[n % len(cookies)]} if cookies else {}
        while time.perf_counter() < stop:
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                status = type(exc).__name__
            elapsed = time.perf_counter() - t
            with lock:
                if status == 200:
                    latencies.append(elapsed)
                else:
                    errors.append(str(status))

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000 if latencies else float("nan")

    return {
        "rps": len(latencies) / wall,
        "p50": pct(0.5),
        "p95": pct(0.95),
        "ok": len(latencies),
        "errors": sorted(set(errors))[:5],
        "error_count": len(errors),
    }


def my_week_throughput(url: str, *, workers: int = 4, threads: int = 8, seconds: float = 20.0) -> dict:
    """本周走访 (``/care/week/``) through gunicorn with ``workers`` sync workers on the kept database
    ``url``: requests per second with ``threads`` care contacts asking at once, and one at a time;
    a trivial page (``/healthz``, no database) beside it. CPU seconds of the server per request
    are read from the workers' /proc stat."""
    import signal
    import urllib.request

    cookies = run_child("sessions", url, str(max(threads, 1) * 4))["cookies"]
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": url, "NUANXIN_WEB_WORKERS": str(workers)}
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "nuanxin.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", str(workers), "--access-logfile", "/dev/null", "--error-logfile", "-", "--log-level", "warning"],
        cwd=str(ROOT), env=env, start_new_session=True,
    )  # fmt: skip
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).read()
                break
            except OSError:
                time.sleep(0.5)
        _hammer(port, "/care/week/", cookies, threads, 3)  # warm-up: every worker has imported and connected
        cpu_before = _tree_cpu(server.pid)
        busy = _hammer(port, "/care/week/", cookies, threads, seconds)
        cpu = _tree_cpu(server.pid) - cpu_before
        busy["server_cpu_ms_per_request"] = cpu * 1000 / max(busy["ok"] + busy["error_count"], 1)
        single = _hammer(port, "/care/week/", cookies, 1, seconds / 2)
        trivial = _hammer(port, "/healthz", [], 1, seconds / 4)
        trivial_busy = _hammer(port, "/healthz", [], threads, seconds / 4)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return {"busy": busy, "single": single, "trivial": trivial, "trivial_busy": trivial_busy}


def _tree_cpu(pid: int) -> float:
    """User + system CPU seconds of ``pid`` and its children (the gunicorn workers), from /proc."""
    total = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / tick
    return total


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
    parser.add_argument(
        "--my-week-load",
        action="store_true",
        help="also measure 本周走访's requests per second through gunicorn (4 sync workers) at the last size",
    )
    parser.add_argument("--load-threads", type=int, default=8, help="clients at once for --my-week-load")
    parser.add_argument("--load-seconds", type=float, default=20.0, help="seconds of load for --my-week-load")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, rest = args.child[0], args.child[1:]
        result = {"build": child_build, "measure": child_measure, "sessions": child_sessions}[kind](*rest)
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
            trivial = measured["medians"]["trivial read (one row by key)"]
            for label, ms in measured["medians"].items():
                print(f"  {label:<34} median {ms:9.1f} ms   ({repeat} runs)   {ms / trivial:7.1f} × the trivial read")
            print(f"  (this week in the district: {measured['checks']})")
            for label, plan in measured["plans"].items():
                print(f"\n  EXPLAIN ANALYZE — {label}:")
                print("    " + plan.replace("\n", "\n    "))
        if args.my_week_load:
            load = my_week_throughput(bench_url, threads=args.load_threads, seconds=args.load_seconds)
            print(f"\n== 本周走访 through gunicorn -w 4 (sync), {sizes[-1]:,} workers ==")
            for label, key in (
                (f"/care/week/, {args.load_threads} at once", "busy"),
                ("/care/week/, one at a time", "single"),
                ("/healthz (trivial), one at a time", "trivial"),
                (f"/healthz (trivial), {args.load_threads} at once", "trivial_busy"),
            ):
                r = load[key]
                print(
                    f"  {label:<36} {r['rps']:7.1f} requests/s   p50 {r['p50']:7.1f} ms   p95 {r['p95']:7.1f} ms"
                    f"   errors {r['error_count']} {r['errors']}"
                )
            print(
                f"  server CPU per 本周走访 request: {load['busy']['server_cpu_ms_per_request']:.1f} ms "
                f"(2 cores → at most {2000 / load['busy']['server_cpu_ms_per_request']:.0f} requests/s if the "
                "server had them alone); target ≥ 150 requests/s"
            )
    finally:
        if not args.keep_db and not args.reuse_db:
            _admin(url, f'DROP DATABASE IF EXISTS "{args.db_name}"')
    if len(results) >= 2:
        small, large = min(results), max(results)
        print(f"\n== growth from {small:,} to {large:,} workers ({large / small:.0f} × the data) ==")
        for label, ms in results[large]["medians"].items():
            base = results[small]["medians"][label]
            print(f"  {label:<34} {base:9.1f} ms → {ms:9.1f} ms   × {ms / base:5.2f}")
        for label in ("district overview (page reads)", "city overview (page reads)", "city chart (52 weeks)"):
            ms = results[large]["medians"][label]
            growth = ms / results[small]["medians"][label]
            print(f"  target for the {label}: < 100 ms (here {ms:.1f} ms), growth < 2 × (here {growth:.2f} ×)")
        ms = results[large]["medians"]["register search zhang (city)"]
        print(f"  target for the register searched for zhang: < 50 ms (here {ms:.1f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
