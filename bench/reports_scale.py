"""Reports at scale on PostgreSQL: one district's weekly report, the city's rolled up, the rates.

    make bench BENCH_ARGS="reports_scale"                        # 100,000 and 1,000,000 workers
    .venv/bin/python -m bench reports_scale -- --workers 20000   # one small size, a quick check
    .venv/bin/python -m bench reports_scale -- --sizes 100000,1000000 --repeat 7 --keep-db

For each size a throwaway database (``nuanxin_bench_reports`` on the server of DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/test) is created, migrated and filled by the care
benchmark's builder (``bench.care_scale.child_build``: a city of 10 districts × 20 units, N
workers, a tenth of them aid-team families visited weekly over 52 weeks, their visits, care
contacts and difficulties), then, by bulk inserts (INSERT … SELECT generate_series):

- 19,790 grassroots unions (unit unions under the 200 units), so that 20,000 organisations
  must send the weekly care report;
- funds: one fund per organisation of the city's 211, and N / 5 expenditures (with their
  ledger postings) over the 52 weeks in eight categories, plus the city's income and one
  allocation to every district and unit;
- volunteers: a team per district and unit (210), N / 20 volunteers, a task per team, N / 50
  shifts over the 52 weeks and N / 5 check-ins (checked out, 4 hours each), people served;
- the standard report forms (``reports.services.seeds``) and a form of every figure of the
  catalogue (``reports.figures.METRICS``) obliged at the city, its districts and its units;
  last week's reports: the care weekly report of the 20,000 (90 % submitted, 80 % on time,
  5 % approved, a few drafts, the rest not opened) and the every-figure form's of the 200 units
  and 10 districts (submitted, their figures frozen as ``compute_many`` gives them).

Then, in a fresh process, it times (median of ``--repeat`` runs after a warm-up):

- one district's weekly care report: ``reports.services.reports.rows`` of its draft (the live
  figures of its subtree, last week's, and its 20 units' reports added up), and the figures
  alone (``reports.figures.compute``) of every figure of the catalogue;
- the city's report rolled up from 10 districts and 200 units: ``rows`` of the city's draft of
  the every-figure form (the city's live figures, the 10 districts' reports added up), and
  ``reports.figures.compute_many`` of all 211 organisations at once;
- the reporting rates of last week for the 20,000 organisations (``reports.selectors.rates.rates``
  for the city, with the missing and their contacts).

It prints the growth from the smallest to the largest size against the issue's targets: each
under 1 s, growth under 2 × from 100,000 to 1,000,000 workers. It never fails on timings. The
database is dropped at the end unless ``--keep-db``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench import care_scale
from nuanxin.core.policy import SYSTEM

BENCH_DB = "nuanxin_bench_reports"
GRASSROOTS = 20_000 - 210  # obliged with the 200 units and 10 districts: 20,000
ROOT = Path(__file__).resolve().parent.parent
VOLUNTEER_COUNTS = ("teams", "volunteers", "tasks", "shifts", "checkins")
CATEGORIES = ["protective", "condolence", "living", "comfort", "recuperation", "mutual_aid", "volunteer", "other"]


def _progress(message: str) -> None:
    print(f"  {message}", file=sys.stderr, flush=True)


# --- bulk inserts -------------------------------------------------------------------------------


def _default_sql(field) -> str:
    """A column's value when the INSERT does not say: what Django would write by default."""
    from django.db import models

    if field.null:
        return "NULL"
    if isinstance(field, models.BooleanField):
        return "true" if field.default is True else "false"
    if isinstance(field, models.JSONField):
        return "'[]'::jsonb" if field.default is list else "'{}'::jsonb"
    if isinstance(field, (models.DateTimeField,)):
        return "now()"
    if isinstance(field, models.DateField):
        return "current_date"
    if isinstance(field, (models.IntegerField, models.DecimalField, models.FloatField)):
        default = field.default if isinstance(field.default, (int, float)) else 0
        return str(default)
    if isinstance(field, (models.CharField, models.TextField)):
        return "''" if not isinstance(field.default, str) else "'" + field.default.replace("'", "''") + "'"
    raise ValueError(f"{field.model.__name__}.{field.name}: say its value")


def insert_select(
    cursor, model, values: dict[str, str], source: str, params: dict | None = None, suffix: str = ""
) -> int:
    """INSERT INTO the model's table (every concrete column: ``values`` gives SQL expressions by
    column name, the rest take their defaults) SELECT … ``source`` (the FROM clause onward)."""
    columns, exprs = [], []
    for field in model._meta.concrete_fields:
        if field.primary_key and field.column not in values:
            continue
        columns.append(f'"{field.column}"')
        exprs.append(values.get(field.column) or _default_sql(field))
    unknown = set(values) - {f.column for f in model._meta.concrete_fields}
    if unknown:
        raise ValueError(f"{model.__name__}: no column {sorted(unknown)}")
    cursor.execute(
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) SELECT {', '.join(exprs)} {source} {suffix}",
        params or {},
    )
    return cursor.rowcount


def _grassroots(units: list) -> int:
    """19,790 unit unions under the 200 units (about 99 each), in bulk."""
    from nuanxin.orgs.choices import OrgKind
    from nuanxin.orgs.models import Organisation

    rows, per = [], -(-GRASSROOTS // len(units))
    for n in range(GRASSROOTS):
        unit, k = units[n % len(units)], n // len(units) + 1
        rows.append(
            Organisation(
                path=Organisation._get_path(unit.path, unit.depth + 1, k),
                depth=unit.depth + 1,
                numchild=0,
                code=f"{unit.code}-G{k:03d}",
                name=f"{unit.name}第{k}基层工会",
                kind=OrgKind.UNIT_UNION,
            )
        )
    Organisation.objects.bulk_create(rows, batch_size=2000)
    for unit in units:
        Organisation.objects.filter(pk=unit.pk).update(numchild=Organisation.objects.filter(
            path__startswith=unit.path, depth=unit.depth + 1).count())  # fmt: skip
    assert per <= 99
    return len(rows)


def _funds_and_volunteers(cursor, n: int, first_week, this_week, clerk_id: int) -> dict[str, int]:
    from nuanxin.funds.models import Entry, Fund, Posting
    from nuanxin.volunteers.models import Checkin, Shift, Task, Team, Volunteer

    params = {"n": n, "first": first_week, "days": (this_week - first_week).days + 7, "cats": CATEGORIES,
              "clerk": clerk_id, "per_team": max(1, n // 20 // 210)}  # fmt: skip
    counts = {}
    big = "orgs_organisation o WHERE o.depth <= 3"
    t = time.perf_counter()
    counts["funds"] = insert_select(
        cursor,
        Fund,
        {"id": "o.id", "organisation_id": "o.id", "name": "'疫情防控专项资金'", "source": "'allocation'",
         "starts_on": "%(first)s::date", "categories": "'[]'::jsonb", "version": "1", "created_by_id": "NULL"},
        f"FROM {big}",
        params,
    )  # fmt: skip
    entry = {"status": "'approved'", "recorded_by_id": "%(clerk)s", "approved_by_id": "%(clerk)s",
             "approved_at": "now()", "version": "1"}  # fmt: skip
    counts["income and allocations"] = insert_select(
        cursor,
        Entry,
        {**entry, "id": "o.id", "kind": "CASE WHEN o.depth = 1 THEN 'income' ELSE 'allocation' END",
         "income_kind": "CASE WHEN o.depth = 1 THEN 'appropriation' ELSE '' END",
         "amount": "CASE WHEN o.depth = 1 THEN 100000000 WHEN o.depth = 2 THEN 5000000 ELSE 200000 END",
         "on": "%(first)s::date + 1", "organisation_id": "p.id", "fund_id": "p.id",
         "to_fund_id": "CASE WHEN o.depth = 1 THEN NULL ELSE o.id END"},
        "FROM orgs_organisation o JOIN orgs_organisation p ON p.path = CASE WHEN o.depth = 1 THEN o.path "
        "ELSE substr(o.path, 1, length(o.path) - 4) END WHERE o.depth <= 3",
        params,
    )  # fmt: skip
    counts["expenditures"] = insert_select(
        cursor,
        Entry,
        {**entry, "id": "1000000 + g.i", "kind": "'expenditure'", "amount": "100 + (g.i * 7919 %% 1900) + 0.50",
         "category": "(%(cats)s::text[])[1 + g.i %% 8]", "on": "%(first)s::date + (g.i * 37 %% %(days)s)::int",
         "organisation_id": "o.id", "fund_id": "o.id"},
        """FROM generate_series(1, %(n)s / 5) AS g(i)
           JOIN (SELECT id, row_number() OVER (ORDER BY path) - 1 AS k FROM orgs_organisation WHERE depth <= 3) o
             ON o.k = g.i %% 211""",
        params,
    )  # fmt: skip
    cursor.execute("SELECT setval(pg_get_serial_sequence('funds_entry', 'id'), (SELECT MAX(id) FROM funds_entry))")
    counts["postings"] = insert_select(
        cursor,
        Posting,
        {"entry_id": "e.id", "fund_id": "e.fund_id", "organisation_id": "e.organisation_id",
         "kind": "CASE e.kind WHEN 'income' THEN 'income' WHEN 'allocation' THEN 'allocation_out' "
                 "ELSE 'expenditure' END",
         "category": "e.category", "on": 'e."on"',
         "amount": "CASE WHEN e.kind = 'income' THEN e.amount ELSE -e.amount END"},
        "FROM funds_entry e",
    ) + insert_select(
        cursor,
        Posting,
        {"entry_id": "e.id", "fund_id": "e.to_fund_id", "organisation_id": "e.to_fund_id",
         "kind": "'allocation_in'", "category": "''", "on": 'e."on"', "amount": "e.amount"},
        "FROM funds_entry e WHERE e.kind = 'allocation'",
    )  # fmt: skip
    cursor.execute(
        "UPDATE funds_fund f SET balance = s.total FROM (SELECT fund_id, SUM(amount) AS total FROM funds_posting "
        "GROUP BY fund_id) s WHERE s.fund_id = f.id"
    )
    _progress(f"funds: {counts}, {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    counts["teams"] = insert_select(
        cursor,
        Team,
        {"id": "o.id", "organisation_id": "o.id", "name": "o.name || '志愿服务队'", "active": "true",
         "created_at": "%(first)s::timestamptz - interval '30 days'"},
        "FROM orgs_organisation o WHERE o.depth IN (2, 3)",
        params,
    )  # fmt: skip
    counts["volunteers"] = insert_select(
        cursor,
        Volunteer,
        {"id": "g.i", "team_id": "t.id", "name": "'志愿者' || g.i", "mobile": "'+86137' || lpad(g.i::text, 8, '0')",
         "consent_to_contact": "true", "active": "true",
         "joined_on": "%(first)s::date - 30 + (g.i %% (%(days)s + 20))::int"},
        """FROM generate_series(1, %(n)s / 20) AS g(i)
           JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM volunteers_team) t ON t.k = g.i %% 210""",
        params,
    )  # fmt: skip
    counts["tasks"] = insert_select(
        cursor,
        Task,
        {"id": "t.id", "team_id": "t.id", "title": "'协助核酸检测点'", "kind": "'testing_site'",
         "place": "'社区核酸检测点'", "token": "md5('task' || t.id)"},
        "FROM volunteers_team t",
    )  # fmt: skip
    counts["shifts"] = insert_select(
        cursor,
        Shift,
        {"id": "g.i", "task_id": "t.id",
         "starts_at": "%(first)s::timestamptz + ((g.i * 13 %% %(days)s) || ' days')::interval + interval '8 hours'",
         "ends_at": "%(first)s::timestamptz + ((g.i * 13 %% %(days)s) || ' days')::interval + interval '12 hours'",
         "needed": "10", "people_served": "20 + g.i %% 80"},
        """FROM generate_series(1, %(n)s / 50) AS g(i)
           JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM volunteers_task) t ON t.k = g.i %% 210""",
        params,
    )  # fmt: skip
    counts["checkins"] = insert_select(
        cursor,
        Checkin,
        {"id": "g.i", "shift_id": "s.id", "volunteer_id": "v.id", "source": "'link'", "status": "'done'",
         "token": "md5('checkin' || g.i)", "checked_in_at": "s.starts_at", "checked_out_at": "s.ends_at",
         "hours": "4.00"},
        """FROM generate_series(1, %(n)s / 5) AS g(i)
           JOIN volunteers_shift s ON s.id = 1 + (g.i - 1) / 10
           JOIN volunteers_task tk ON tk.id = s.task_id
           JOIN LATERAL (SELECT id FROM volunteers_volunteer WHERE team_id = tk.team_id
                         ORDER BY id OFFSET (((g.i - 1) %% 10 + s.id) %% %(per_team)s) LIMIT 1) v ON true""",
        params,
        "ON CONFLICT DO NOTHING",  # fewer than 10 volunteers in a team (a small size): fewer check-ins
    )  # fmt: skip
    for table in ("volunteers_team", "volunteers_volunteer", "volunteers_task", "volunteers_shift",
                  "volunteers_checkin", "funds_fund"):  # fmt: skip
        cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")
    _progress(
        f"volunteers: { {k: v for k, v in counts.items() if k in VOLUNTEER_COUNTS} }, {time.perf_counter() - t:.1f} s"
    )
    return counts


def _forms_and_reports(cursor, root, last_week) -> dict[str, int]:
    """The standard forms, the every-figure form, and last week's reports."""
    from nuanxin.care.models import Campaign
    from nuanxin.orgs.models import Organisation
    from nuanxin.reports import figures
    from nuanxin.reports.models import Report
    from nuanxin.reports.services import forms, periods, seeds

    campaign = Campaign.objects.get()
    made = seeds.ensure_standard_forms(actor=SYSTEM, root=root, campaign=campaign)
    weekly = made[0]
    every = forms.create_form(
        actor=SYSTEM, organisation=root, code="bench-every-figure", name="全部数据周报（基准）",
        period_type="weekly", starts_on=campaign.starts_on, deadline_days=Decimal("0.5"), obliged_depths=[1, 2, 3],
    )  # fmt: skip
    fields = [{"key": code, "label": code, "kind": "computed", "metric": code} for code in figures.METRICS]
    every = forms.set_fields(
        actor=SYSTEM, form=every, version=every.version,
        fields=[*fields, {"key": "cadres", "label": "参与走访的工会干部人次", "kind": "number"}],
    )  # fmt: skip
    start, end = periods.period_of(weekly, last_week)
    due = periods.due_at(weekly, start, end)
    below = list(Organisation.objects.filter(depth__in=[2, 3]).order_by("path"))  # the first: district 1
    params = {"form": weekly.pk, "start": start, "end": end, "due": due, "district": below[0].pk}
    t = time.perf_counter()
    values = {"form_id": "%(form)s", "organisation_id": "o.id", "period_start": "%(start)s::date",
              "period_end": "%(end)s::date", "due_at": "%(due)s::timestamptz", "version": "1",
              "status": "CASE WHEN o.id %% 20 = 0 THEN 'approved' WHEN o.id %% 20 < 18 THEN 'submitted' "
                        "WHEN o.id %% 40 = 19 THEN 'draft' ELSE 'none' END",
              "submitted_at": "CASE WHEN o.id %% 20 < 18 THEN %(due)s::timestamptz + "
                              "CASE WHEN o.id %% 10 = 7 THEN interval '5 hours' ELSE interval '-3 hours' END END",
              "values": """'{"cadres": 3, "notes": "本周走访慰问按计划完成"}'::jsonb""",
              "computed": """'{"families": 10, "families_visited": 9}'::jsonb"""}  # fmt: skip
    counts = {
        "weekly reports": insert_select(
            cursor,
            Report,
            values,
            "FROM orgs_organisation o WHERE o.kind IN ('unit_union', 'district_federation') AND o.id <> %(district)s",
            params,
        )
    }
    cursor.execute("DELETE FROM reports_report WHERE status = 'none'")
    counts["weekly reports"] -= cursor.rowcount
    # The every-figure form: the units' and districts' reports submitted with their figures frozen.
    computed = figures.compute_many(list(figures.METRICS), below, start, end)
    Report.objects.bulk_create(
        [
            Report(
                form=every, organisation=o, period_start=start, period_end=end, due_at=due, status="submitted",
                submitted_at=due, values={"cadres": 3},
                computed={k: str(v) for k, v in computed[o.pk].items()},
            )
            for o in below
        ]
    )  # fmt: skip
    Report.objects.bulk_create(
        [
            Report(form=f, organisation=o, period_start=start, period_end=end, due_at=due)
            for f, o in ((weekly, below[0]), (every, root))
        ]
    )  # the district's weekly draft and the city's every-figure draft (their figures live)
    counts["weekly reports"] += 1
    counts["every-figure reports"] = len(below) + 1
    _progress(f"reports: {counts}, {time.perf_counter() - t:.1f} s")
    return counts


# The tables the care benchmark's builder fills with INSERT … SELECT naming its columns.
CARE_TABLES = (*care_scale.BIG_TABLES, "accounts_user", "orgs_grant")


def _column_defaults(cursor, tables: tuple[str, ...], *, drop: bool = False) -> list[str]:
    """While the care benchmark's builder runs: a database default for every NOT NULL column it
    may not name (one added to a model since it was written, e.g. ``accounts_user.
    session_generation``), Django's default; ``drop`` takes them away again."""
    from django.apps import apps

    models = {m._meta.db_table: m for m in apps.get_models()}
    cursor.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' "
        "AND table_name = ANY(%s) AND is_nullable = 'NO' AND column_default IS NULL",
        [list(tables)],
    )
    done = []
    for table, column in cursor.fetchall():
        field = next((f for f in models[table]._meta.concrete_fields if f.column == column), None)
        if field is None or field.primary_key or field.is_relation:
            continue
        try:
            value = _default_sql(field)
        except ValueError:
            continue
        cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" SET DEFAULT {value}')
        done.append(f"{table}.{column}")
    return done


def _care_data(url: str, n: str) -> dict:
    """The care benchmark's builder (``bench.care_scale.child_build``) on a database migrated
    first, with database defaults for the columns its inserts do not name."""
    care_scale._django(url)
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        defaulted = _column_defaults(cursor, CARE_TABLES)
    _progress(
        f"{len(defaulted)} NOT NULL columns given their Django default in the database while the care data is built"
    )
    migrated = time.perf_counter() - started
    built = care_scale.child_build(url, n)  # its migrate finds nothing to do
    built["timings"]["migrate"] += migrated
    built["timings"]["total"] += migrated
    with connection.cursor() as cursor:
        for name in defaulted:
            table, column = name.split(".")
            cursor.execute(f'ALTER TABLE "{table}" ALTER COLUMN "{column}" DROP DEFAULT')
    return built


def child_build(url: str, n: str) -> dict:
    """The care benchmark's data, then the grassroots, funds, volunteers, forms and reports."""
    built = _care_data(url, n)
    from django.db import connection

    from nuanxin.accounts.models import User
    from nuanxin.care import weeks
    from nuanxin.core.roles import Role
    from nuanxin.orgs import services as org_services
    from nuanxin.orgs.models import Organisation

    started = time.perf_counter()
    workers = int(n)
    root = Organisation.objects.get(code="BC")
    units = list(Organisation.objects.filter(depth=3).order_by("path"))
    this_week = weeks.current_week()
    first_week = this_week - (care_scale.WEEKS - 1) * weeks.WEEK
    clerk, _pw = org_services.create_user(actor=SYSTEM, username="bench-clerk", organisation=root, role=Role.FUND_CLERK)
    counts = {"grassroots": _grassroots(units)}
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        counts.update(_funds_and_volunteers(cursor, workers, first_week, this_week, clerk.pk))
        cursor.execute("SET session_replication_role = DEFAULT")
        counts.update(_forms_and_reports(cursor, root, this_week - weeks.WEEK))
        cursor.execute("VACUUM ANALYZE")
    assert User.objects.filter(username="bench-city").exists()
    built["timings"]["reports data"] = time.perf_counter() - started
    built["timings"]["total"] += built["timings"]["reports data"]
    built["counts"] = counts
    return built


# --- the measurements --------------------------------------------------------------------------


def child_measure(url: str, repeat: str) -> dict:
    care_scale._django(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from nuanxin.accounts.models import User
    from nuanxin.orgs import scope
    from nuanxin.orgs.models import Organisation
    from nuanxin.reports import figures
    from nuanxin.reports.models import Report, ReportForm
    from nuanxin.reports.selectors import rates
    from nuanxin.reports.services import reports as services

    runs = int(repeat)
    root = Organisation.objects.get(code="BC")
    district = Organisation.objects.get(code="BC-D01")
    city = User.objects.get(username="bench-city")
    weekly = ReportForm.objects.get(code="care-weekly")
    every = ReportForm.objects.get(code="bench-every-figure")
    draft = Report.objects.get(form=weekly, organisation=district, status="draft")
    city_draft = Report.objects.get(form=every, organisation=root)
    start, end = draft.period_start, draft.period_end
    below = list(Organisation.objects.filter(depth__in=[1, 2, 3]).order_by("path"))
    codes = list(figures.METRICS)

    def city_rates():
        scope.forget(city)
        return rates.rates(city, weekly, start, organisation=root)

    cases = {
        "district weekly report (rows)": lambda: services.rows(
            Report.objects.select_related("form", "organisation").get(pk=draft.pk)
        ),
        "district, every figure (compute)": lambda: figures.compute(codes, district, start, end),
        "city report from 10 + 200 (rows)": lambda: services.rows(
            Report.objects.select_related("form", "organisation").get(pk=city_draft.pk)
        ),
        "city + 10 + 200, every figure (many)": lambda: figures.compute_many(codes, below, start, end),
        "rates of 20,000 organisations": city_rates,
    }
    medians: dict[str, float] = {}
    queries: dict[str, int] = {}
    checks: dict[str, Any] = {}
    for label, run in cases.items():
        with CaptureQueriesContext(connection) as captured:
            result = run()  # warm-up
        queries[label] = len(captured.captured_queries)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            run()
            times.append((time.perf_counter() - t) * 1000)
        medians[label] = statistics.median(times)
        if label.startswith("rates"):
            checks["rates"] = {**result.total.as_dict(), "missing listed": len(result.missing)}
        if label.startswith("district weekly"):
            checks["district families visited"] = next(
                (str(r.value) for r in result if r.field.key == "families_visited"), None
            )
        if label.startswith("city report"):
            checks["city volunteer hours"] = next(
                (str(r.value) for r in result if r.field.key == "volunteer_hours"), None
            )
    return {"medians": medians, "queries": queries, "checks": checks}


# --- the processes -------------------------------------------------------------------------------


def run_child(kind: str, *args: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-m", "bench.reports_scale", "--child", kind, *args],
        check=True,
        stdout=subprocess.PIPE,
        text=True,
        cwd=str(ROOT),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


TARGET_MS = 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench reports_scale", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated worker counts")
    parser.add_argument("--workers", type=int, help="one size only (e.g. 20000 for a quick check)")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement (median printed)")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {BENCH_DB} database afterwards")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, rest = args.child[0], args.child[1:]
        result = {"build": child_build, "measure": child_measure}[kind](*rest)
        print(json.dumps(result, default=str))
        return 0

    url = os.environ.get("DATABASE_URL", care_scale.DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"reports_scale: needs PostgreSQL; DATABASE_URL is {url.split(':', 1)[0]}; skipped")
        return 0
    sizes = [args.workers] if args.workers else [int(s) for s in args.sizes.split(",") if s.strip()]
    bench_url = care_scale._server_url(url, BENCH_DB)
    results = {}
    try:
        for n in sizes:
            print(f"\n== {n:,} workers ==", flush=True)
            care_scale._admin(url, f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
            care_scale._admin(url, f'CREATE DATABASE "{BENCH_DB}"')
            built = run_child("build", bench_url, str(n))
            t = built["timings"]
            print(
                f"data: {built['duties']:,} duties, {built['visits']:,} visits, "
                + ", ".join(f"{v:,} {k}" for k, v in built["counts"].items())
                + f"; generated in {t['total'] - t['migrate']:.1f} s (+ migrate {t['migrate']:.1f} s)"
            )
            measured = run_child("measure", bench_url, str(args.repeat))
            results[n] = measured
            for label, ms in measured["medians"].items():
                flag = "" if ms < TARGET_MS else "   OVER the 1 s target"
                print(
                    f"  {label:<38} median {ms:9.1f} ms  {measured['queries'][label]:3d} queries "
                    f"({args.repeat} runs){flag}"
                )
            print(f"  (checks: {measured['checks']})")
    finally:
        if not args.keep_db:
            care_scale._admin(url, f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
    if len(results) >= 2:
        small, large = min(results), max(results)
        print(f"\n== growth from {small:,} to {large:,} workers ({large / small:.0f} × the data) ==")
        worst = 0.0
        for label, ms in results[large]["medians"].items():
            base = results[small]["medians"][label]
            worst = max(worst, ms / base)
            print(f"  {label:<38} {base:9.1f} ms → {ms:9.1f} ms   × {ms / base:5.2f}")
        slowest = max(results[large]["medians"].values())
        print(f"  targets: each < 1000 ms (slowest here {slowest:.1f} ms); growth < 2 × (largest here {worst:.2f} ×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
