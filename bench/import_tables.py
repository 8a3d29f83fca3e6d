"""Import of the official tables, end to end, into PostgreSQL.

    make bench BENCH_ARGS="import_tables"                  # 10,000 and 100,000 rows
    .venv/bin/python -m bench import_tables -- --rows 10000

For each size it writes a table-1 .xlsx (title row, 填报单位 row, line-broken headers, one
family member per worker, a few difficulties), then measures, each in a fresh process:

- the bare read: python-calamine opening the file and reading every row;
- the import as a user makes it in the page (an organisation administrator, through the same
  service functions): upload checks + dry run (parse, validate, dedupe, plan stored as
  ImportRows) + apply (workers, family members, history rows, difficulties, audit), into an
  empty register;
- the same file imported again (a dry run: every row must come out unchanged);
- the undo of the applied import (the register empties);
- the floor: reading the file and COPYing its workers and family members into the register
  tables as they come (no normalising, checks, dedupe, plan or history): a lower bound for
  any import that keeps the register's indexes;
- django-import-export importing the same rows into the same Worker model (bulk mode,
  matching existing rows on name and mobile), when it is installed
  (``pip install -c requirements.lock -e '.[bench]'``).

It prints rows per second, the wall-clock and CPU time of the importing process (wall minus
CPU is mostly waiting for PostgreSQL), the peak memory (ru_maxrss of the measuring process)
and the ratios to the bare read. With --profile it imports the file once more with the phase
timer on and prints where the time goes (read, recognise, normalise, lookup, plan, store;
revalidate, load plan, workers and their history rows, family, ..., commit); the timer adds
a little time of its own, so the headline figures come from the run without it. It never
fails on timings. The database is a throwaway one (``nuanxin_bench``) created on the server of
DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) and dropped at the end unless
--keep-db. The machine's load average is printed with the figures: on a busy machine both the
bare read and the import slow down, the import (which also waits for PostgreSQL) more.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from nuanxin.core.policy import SYSTEM

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DB = "nuanxin_bench"
BENCH_USER = "bench_admin"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"  # noqa: E501
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英玉兰萍毅浩宇轩子涵欣怡梓晨辰博文佳琪雨嘉俊鑫鹏飞婷雪慧建华国庆红梅海燕志强春梅晓东丹凤琳晶颖"  # noqa: E501
GENDERS = ["男", "女"]
CATEGORIES = ["医生", "护士", "医技", "管理", "后勤"]
POSTS = ["主治医师", "副主任医师", "护师", "主管护师", "护士长", "检验技师", "科员"]
RELATIONS = ["妻", "丈夫", "父亲", "母亲", "儿子", "女儿"]
HEADERS = [
    "序号", "职工\n姓名", "性\n别", "人员\n类别", "职务职称",
    "联系\n方式", "家属\n姓名", "联系\n方式", "工会联系人姓名", "存在困难",
]


def names(n: int, rng: random.Random) -> list[str]:
    """n different realistic names (surname + one or two given characters)."""
    seen: set[str] = set()
    result = []
    while len(result) < n:
        name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2, 2))))
        if name not in seen:
            seen.add(name)
            result.append(name)
    return result


def write_file(path: Path, n: int) -> None:
    import xlsxwriter

    rng = random.Random(2020)
    workers = names(n, rng)
    family = names(n, random.Random(2021))
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    ws = wb.add_worksheet("附件1")
    ws.write_string(0, 0, "青岛市援鄂医疗队成员联系表")
    ws.write_string(1, 0, "填报单位：测试医院        填报日期：2020年2月17日")
    ws.write_row(2, 0, HEADERS)
    for i in range(n):
        mobile = f"138{i:08d}"
        if i % 3 == 1:
            mobile = f"138 {i // 10000:04d} {i % 10000:04d}"
        elif i % 3 == 2:
            mobile = f"+86 138-{i // 10000:04d}-{i % 10000:04d}"
        ws.write_row(
            3 + i,
            0,
            [
                i + 1,
                workers[i],
                GENDERS[i % 2],
                CATEGORIES[i % 5],
                POSTS[i % 7],
                mobile,
                f"{family[i]}（{RELATIONS[i % 6]}）",
                f"139{i:08d}",
                "",
                "孩子无人照看" if i % 100 == 7 else "",
            ],
        )
    wb.close()


def maxrss_mb() -> float:
    # Linux reports kilobytes.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --- child processes (each measurement in a fresh interpreter) --------------------------------


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nuanxin.settings")
    import django

    django.setup()


def child_read(path: str) -> dict:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    workbook = CalamineWorkbook.from_path(path)
    rows = 0
    for name in workbook.sheet_names:
        for _row in workbook.get_sheet_by_name(name).iter_rows():
            rows += 1
    return {"seconds": time.perf_counter() - start, "rows": rows, "rss_mb": maxrss_mb()}


def _reset_register() -> object:
    from django.db import connection

    from nuanxin.orgs.models import Organisation

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE registry_importrow, registry_importbatch, care_difficultynote, care_difficulty, "
            "registry_deployment, registry_familymember, registry_workersensitive, registry_worker, "
            "registry_historicalworker, registry_historicalfamilymember, core_auditlog CASCADE"
        )
    return Organisation.objects.get(code="BENCH-01")


def _server_cpu() -> float | None:
    """CPU seconds the PostgreSQL backend of this connection has used, when the server runs on
    this machine and /proc shows it (else None)."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid = cursor.fetchone()[0]
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def _minus(a, b):
    return None if a is None or b is None else a - b


def _actor():
    from nuanxin.accounts.models import User

    return User.objects.get(username=BENCH_USER)


def child_import(path: str, url: str, profile: str = "") -> dict:
    _django(url)
    from nuanxin.registry.import_models import ImportBatch
    from nuanxin.tables.imports import services, timing

    unit = _reset_register()
    actor = _actor()
    recorder = timing.record() if profile else contextlib.nullcontext()
    with recorder as phases:
        server = _server_cpu()
        start, cpu = time.perf_counter(), time.process_time()
        with open(path, "rb") as fh:
            batch = services.create_batch(
                actor=actor, organisation=unit, upload=fh, filename=os.path.basename(path), background=False
            )
        planned, planned_cpu = time.perf_counter(), time.process_time()
        planned_server = _server_cpu()
        batch = services.apply_batch(actor=actor, batch=batch)
        done, done_cpu = time.perf_counter(), time.process_time()
        done_server = _server_cpu()
    from nuanxin.registry.models import FamilyMember, Worker

    batch = ImportBatch.objects.get(pk=batch.pk)
    return {
        "seconds": done - start,
        "cpu": done_cpu - cpu,
        "plan_seconds": planned - start,
        "plan_cpu": planned_cpu - cpu,
        "apply_seconds": done - planned,
        "apply_cpu": done_cpu - planned_cpu,
        "plan_server": _minus(planned_server, server),
        "apply_server": _minus(done_server, planned_server),
        "status": batch.status,
        "counts": batch.counts,
        "workers": Worker.objects.count(),
        "family": FamilyMember.objects.count(),
        "history": Worker.history.count() + FamilyMember.history.count(),
        "rss_mb": maxrss_mb(),
        "phases": phases.table() if profile else [],
    }


def child_reimport(path: str, url: str) -> dict:
    """The same file again (after child_import): every row must be unchanged."""
    _django(url)
    from nuanxin.orgs.models import Organisation
    from nuanxin.tables.imports import services

    unit = Organisation.objects.get(code="BENCH-01")
    actor = _actor()
    start, cpu = time.perf_counter(), time.process_time()
    with open(path, "rb") as fh:
        batch = services.create_batch(
            actor=actor, organisation=unit, upload=fh, filename=os.path.basename(path), background=False
        )
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "counts": batch.counts,
        "rss_mb": maxrss_mb(),
    }


def child_undo(url: str) -> dict:
    """Undo the applied batch (after child_import and child_reimport): the register empties."""
    _django(url)
    from nuanxin.registry.import_models import BatchStatus, ImportBatch
    from nuanxin.registry.models import Worker
    from nuanxin.tables.imports import services

    batch = ImportBatch.objects.filter(status=BatchStatus.APPLIED).latest("id")
    start, cpu = time.perf_counter(), time.process_time()
    services.undo_batch(actor=_actor(), batch=batch)
    return {
        "seconds": time.perf_counter() - start,
        "cpu": time.process_time() - cpu,
        "workers": Worker.objects.count(),
        "rss_mb": maxrss_mb(),
    }


def child_import_export(path: str, url: str) -> dict:
    _django(url)
    try:
        import tablib
        from import_export import fields, resources, widgets
    except ImportError:
        return {"missing": True}
    from python_calamine import CalamineWorkbook

    from nuanxin.registry.models import Worker

    unit = _reset_register()

    class WorkerResource(resources.ModelResource):
        organisation = fields.Field(
            attribute="organisation", column_name="organisation", widget=widgets.ForeignKeyWidget(type(unit), "pk")
        )

        class Meta:
            model = Worker
            fields = ("organisation", "name", "gender", "category", "post_title", "mobile", "team")
            import_id_fields = ("name", "mobile")
            use_bulk = True
            batch_size = 1000
            skip_diff = True

    start = time.perf_counter()
    rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()[3:]
    dataset = tablib.Dataset(headers=["organisation", "name", "gender", "category", "post_title", "mobile", "team"])
    for row in rows:
        dataset.append([unit.pk, row[1], row[2], row[3], row[4], str(row[5]), "hubei_aid"])
    result = WorkerResource().import_data(dataset, dry_run=False, use_transactions=True, raise_errors=True)
    seconds = time.perf_counter() - start
    return {
        "seconds": seconds,
        "errors": result.has_errors(),
        "workers": Worker.objects.count(),
        "rss_mb": maxrss_mb(),
    }


def child_floor(path: str, url: str) -> dict:
    """The least any import of the file must do: read it and COPY its workers and their family
    members into the register tables (with their indexes), nothing else: no normalising, no
    checks, no dedupe, no plan, no history. A lower bound for the import's ratio."""
    _django(url)
    from django.db import connection
    from django.utils import timezone
    from python_calamine import CalamineWorkbook

    unit = _reset_register()
    start = time.perf_counter()
    rows = CalamineWorkbook.from_path(path).get_sheet_by_index(0).to_python()[3:]
    now = timezone.now()
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence('registry_worker', 'id')) FROM generate_series(1, %s)",
                       [len(rows)])
        ids = [r[0] for r in cursor.fetchall()]
        raw = cursor.connection.cursor()
        with raw.copy(
            "COPY registry_worker (id, organisation_id, name, name_key, name_pinyin, name_initials, gender, "
            "category, post_title, mobile, mobile_tail, team, status, contact_name_hint, notes, created_at, "
            "updated_at) FROM STDIN"
        ) as copy:
            for pk, row in zip(ids, rows, strict=True):
                mobile = str(row[5])
                copy.write_row((pk, unit.pk, row[1], row[1], "", "", row[2], row[3], row[4], mobile, mobile[-4:],
                                "hubei_aid", "on_duty", "", "", now, now))
        with raw.copy(
            "COPY registry_familymember (worker_id, name, name_key, relation, mobile, address, notes, is_primary, "
            "created_at, updated_at) FROM STDIN"
        ) as copy:
            for pk, row in zip(ids, rows, strict=True):
                copy.write_row((pk, row[6], row[6], "", str(row[7]), "", "", True, now, now))
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "rss_mb": maxrss_mb()}


def run_child(kind: str, *args: str, timeout: float | None = None) -> dict:
    try:
        out = subprocess.run(
            [sys.executable, "-m", "bench.import_tables", "--child", kind, *args],
            check=True,
            capture_output=True,
            text=True,
            cwd=str(Path(__file__).resolve().parent.parent),
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return {"timeout": timeout}
    return json.loads(out.stdout.strip().splitlines()[-1])


def print_phases(result: dict) -> None:
    """The phase table of a profiled import: exclusive wall and CPU seconds per phase."""
    print(
        f"phases of a profiled import ({result['seconds']:.2f} s wall, {result['cpu']:.2f} s CPU; "
        "the timer's own cost is in the per-row phases read and normalise):"
    )
    print(f"  {'phase':<22} {'wall s':>8} {'CPU s':>8} {'waiting':>8}  entered")
    for name, wall, cpu, calls in result["phases"]:
        print(f"  {name:<22} {wall:8.2f} {cpu:8.2f} {max(0.0, wall - cpu):8.2f}  {calls:,}")
    total_wall = sum(p[1] for p in result["phases"])
    total_cpu = sum(p[2] for p in result["phases"])
    print(f"  {'total':<22} {total_wall:8.2f} {total_cpu:8.2f} {max(0.0, total_wall - total_cpu):8.2f}")


# --- the database ------------------------------------------------------------------------------


def _server_url(url: str, dbname: str) -> str:
    from urllib.parse import urlsplit, urlunsplit

    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def create_database(url: str) -> str:
    import psycopg

    admin = _server_url(url, "postgres")
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')
        conn.execute(f'CREATE DATABASE "{BENCH_DB}"')
    bench_url = _server_url(url, BENCH_DB)
    run_child("migrate", bench_url)
    return bench_url


def child_migrate(url: str) -> dict:
    _django(url)
    from django.core.management import call_command

    from nuanxin.core.roles import Role
    from nuanxin.orgs import services
    from nuanxin.orgs.choices import OrgKind

    call_command("migrate", verbosity=0)
    root = services.create_organisation(actor=SYSTEM, code="BENCH", name="基准市总工会", kind=OrgKind.CITY_FEDERATION,
                                        parent=None)
    unit = services.create_organisation(
        actor=SYSTEM, code="BENCH-01", name="测试医院工会", kind=OrgKind.UNIT_UNION, parent=root
    )
    # the acting user of the page: an administrator of the unit's union
    services.create_user(actor=SYSTEM, username=BENCH_USER, organisation=unit, role=Role.ORG_ADMIN,
                         full_name="基准管理员")
    return {"ok": True}


def drop_database(url: str) -> None:
    import psycopg

    admin = _server_url(url, "postgres")
    with psycopg.connect(admin.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{BENCH_DB}"')


# --- main --------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench import_tables", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", default="10000,100000", help="comma-separated sizes (default 10000,100000)")
    parser.add_argument("--keep-db", action="store_true", help=f"keep the {BENCH_DB} database afterwards")
    parser.add_argument("--no-comparison", action="store_true", help="skip django-import-export")
    parser.add_argument(
        "--comparison-timeout", type=float, default=600, help="stop django-import-export after this many seconds"
    )
    parser.add_argument(
        "--profile", action="store_true", help="import each file once more with the phase timer and print the phases"
    )
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, rest = args.child[0], args.child[1:]
        result = {
            "read": child_read,
            "import": child_import,
            "reimport": child_reimport,
            "undo": child_undo,
            "import_export": child_import_export,
            "floor": child_floor,
            "migrate": child_migrate,
        }[kind](*rest)
        print(json.dumps(result))
        return 0

    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    if not url.startswith(("postgres://", "postgresql://")):
        print(f"import_tables: needs PostgreSQL; DATABASE_URL is {url.split(':', 1)[0]}; skipped")
        return 0
    sizes = [int(s) for s in args.rows.split(",") if s.strip()]
    print(f"import_tables: creating {BENCH_DB} on the server of DATABASE_URL …", flush=True)
    bench_url = create_database(url)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            for n in sizes:
                path = Path(tmp) / f"table1_{n}.xlsx"
                write_file(path, n)
                size_mb = path.stat().st_size / 1048576
                read = run_child("read", str(path))
                imp = run_child("import", str(path), bench_url)
                again = run_child("reimport", str(path), bench_url)
                load = os.getloadavg()[0]
                print(
                    f"\n== {n:,} rows (table 1, {size_mb:.1f} MB xlsx; "
                    f"load average {load:.1f} on {os.cpu_count()} CPUs) =="
                )
                print(f"bare python-calamine read   {read['seconds']:8.2f} s   peak {read['rss_mb']:6.0f} MB")
                print(
                    f"import (dry run + apply)    {imp['seconds']:8.2f} s   peak {imp['rss_mb']:6.0f} MB   "
                    f"{n / imp['seconds']:,.0f} rows/s   (dry run {imp['plan_seconds']:.2f} s, "
                    f"apply {imp['apply_seconds']:.2f} s)"
                )
                print(
                    f"  CPU of the importing process {imp['cpu']:.2f} s (dry run {imp['plan_cpu']:.2f} s, apply "
                    f"{imp['apply_cpu']:.2f} s)"
                )
                if imp["plan_server"] is not None:
                    server = imp["plan_server"] + imp["apply_server"]
                    print(
                        f"  CPU of its PostgreSQL backend {server:.2f} s (dry run {imp['plan_server']:.2f} s, apply "
                        f"{imp['apply_server']:.2f} s); the rest of the wall time is waiting (disk flushes, "
                        f"other processes on the CPUs)"
                    )
                print(
                    f"  → {imp['workers']:,} workers, {imp['family']:,} family members, {imp['history']:,} history "
                    f"rows, status {imp['status']}"
                )
                ratio = imp["seconds"] / read["seconds"]
                print(f"  ratio import / bare read  {ratio:8.1f} ×   (target ≤ 2.5 ×; peak target < 400 MB)")
                print(
                    f"re-import of the same file  {again['seconds']:8.2f} s   unchanged "
                    f"{again['counts'].get('unchanged', 0):,} of {again['counts'].get('total', 0):,}   "
                    f"(dry run only; CPU {again['cpu']:.2f} s, peak {again['rss_mb']:.0f} MB)"
                )
                undo = run_child("undo", bench_url)
                print(
                    f"undo of the import          {undo['seconds']:8.2f} s   peak {undo['rss_mb']:6.0f} MB   "
                    f"(CPU {undo['cpu']:.2f} s; {undo['workers']:,} workers left)"
                )
                floor = run_child("floor", str(path), bench_url)
                print(
                    f"floor: read + COPY only     {floor['seconds']:8.2f} s   ratio to bare read "
                    f"{floor['seconds'] / read['seconds']:.1f} ×   (workers and family members written as they "
                    f"come, with the tables' indexes; no checks, dedupe, plan or history)"
                )
                if args.profile:
                    prof = run_child("import", str(path), bench_url, "profile")
                    print_phases(prof)
                if not args.no_comparison:
                    other = run_child("import_export", str(path), bench_url, timeout=args.comparison_timeout)
                    if other.get("timeout"):
                        print(
                            f"django-import-export       did not finish within {other['timeout']:.0f} s "
                            f"(more than {other['timeout'] / read['seconds']:.0f} × the bare read)"
                        )
                    elif other.get("missing"):
                        print(
                            "django-import-export is not installed; for the comparison run "
                            "`.venv/bin/pip install -c requirements.lock -e '.[bench]'`"
                        )
                    else:
                        print(
                            f"django-import-export       {other['seconds']:8.2f} s   peak {other['rss_mb']:6.0f} MB   "
                            f"{n / other['seconds']:,.0f} rows/s   ratio to bare read "
                            f"{other['seconds'] / read['seconds']:.1f} ×   (workers only: no normalising, "
                            f"family, history or plan)"
                        )
    finally:
        if not args.keep_db:
            drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
