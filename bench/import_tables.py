"""Import of the official tables, end to end, into PostgreSQL.

    make bench BENCH_ARGS="import_tables"                  # 10,000 and 100,000 rows
    .venv/bin/python -m bench import_tables -- --rows 10000

For each size it writes a table-1 .xlsx (title row, 填报单位 row, line-broken headers, one
family member per worker, a few difficulties), then measures, each in a fresh process:

- the bare read: python-calamine opening the file and reading every row;
- the import: upload checks + dry run (parse, validate, dedupe, plan stored as ImportRows)
  + apply (workers, family members, history rows, difficulties), into an empty register;
- django-import-export importing the same rows into the same Worker model (bulk mode,
  matching existing rows on name and mobile), when it is installed
  (``pip install -c requirements.lock -e '.[bench]'``).

It prints rows per second, the peak memory (ru_maxrss of the measuring process) and the
ratios to the bare read. It never fails on timings. The database is a throwaway one
(``nuanxin_bench``) created on the server of DATABASE_URL (default
postgres://postgres@127.0.0.1:5432/test) and dropped at the end unless --keep-db.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DB = "nuanxin_bench"
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


def child_import(path: str, url: str) -> dict:
    _django(url)
    from nuanxin.registry.import_models import ImportBatch
    from nuanxin.registry.imports import services

    unit = _reset_register()
    start = time.perf_counter()
    with open(path, "rb") as fh:
        batch = services.create_batch(
            actor=None, organisation=unit, upload=fh, filename=os.path.basename(path), background=False
        )
    planned = time.perf_counter()
    batch = services.apply_batch(actor=None, batch=batch)
    done = time.perf_counter()
    from nuanxin.registry.models import FamilyMember, Worker

    batch = ImportBatch.objects.get(pk=batch.pk)
    return {
        "seconds": done - start,
        "plan_seconds": planned - start,
        "apply_seconds": done - planned,
        "status": batch.status,
        "counts": batch.counts,
        "workers": Worker.objects.count(),
        "family": FamilyMember.objects.count(),
        "rss_mb": maxrss_mb(),
    }


def child_reimport(path: str, url: str) -> dict:
    """The same file again (after child_import): every row must be unchanged."""
    _django(url)
    from nuanxin.orgs.models import Organisation
    from nuanxin.registry.imports import services

    unit = Organisation.objects.get(code="BENCH-01")
    start = time.perf_counter()
    with open(path, "rb") as fh:
        batch = services.create_batch(
            actor=None, organisation=unit, upload=fh, filename=os.path.basename(path), background=False
        )
    return {"seconds": time.perf_counter() - start, "counts": batch.counts, "rss_mb": maxrss_mb()}


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

    from nuanxin.orgs import services
    from nuanxin.orgs.choices import OrgKind

    call_command("migrate", verbosity=0)
    root = services.create_organisation(actor=None, code="BENCH", name="基准市总工会", kind=OrgKind.CITY_FEDERATION,
                                        parent=None)
    services.create_organisation(actor=None, code="BENCH-01", name="测试医院工会", kind=OrgKind.UNIT_UNION, parent=root)
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
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, rest = args.child[0], args.child[1:]
        result = {
            "read": child_read,
            "import": child_import,
            "reimport": child_reimport,
            "import_export": child_import_export,
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
                print(f"\n== {n:,} rows (table 1, {size_mb:.1f} MB xlsx) ==")
                print(f"bare python-calamine read   {read['seconds']:8.2f} s   peak {read['rss_mb']:6.0f} MB")
                print(
                    f"import (dry run + apply)    {imp['seconds']:8.2f} s   peak {imp['rss_mb']:6.0f} MB   "
                    f"{n / imp['seconds']:,.0f} rows/s   (dry run {imp['plan_seconds']:.2f} s, "
                    f"apply {imp['apply_seconds']:.2f} s)"
                )
                print(f"  → {imp['workers']:,} workers, {imp['family']:,} family members, status {imp['status']}")
                ratio = imp["seconds"] / read["seconds"]
                print(f"  ratio import / bare read  {ratio:8.1f} ×   (target ≤ 2.5 ×; peak target < 400 MB)")
                print(
                    f"re-import of the same file  {again['seconds']:8.2f} s   unchanged "
                    f"{again['counts'].get('unchanged', 0):,} of {again['counts'].get('total', 0):,}"
                )
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
