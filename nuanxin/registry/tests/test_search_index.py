"""The register's search at scale: on PostgreSQL the name, pinyin and mobile substrings are read
from trigram indexes (migration 0009), and the list counts its rows only up to a cap."""

import pytest
from django.db import connection
from django.urls import reverse

from nuanxin.registry import selectors, views
from nuanxin.registry.models import Worker
from nuanxin.registry.tests.helpers import make_worker
from nuanxin.registry.tests.test_views import client_for, listed, people  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _plan(qs) -> str:
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        # a handful of rows: the planner would read the table anyway; forbid that to see which
        # index serves the condition at all (as it does at 1,000,000 workers)
        cursor.execute("SET LOCAL enable_seqscan = off")
        # nor walk another index in the list's order filtering every row (a few rows make that
        # cheap): a GIN index is read by a bitmap scan, which is what is asked for here
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.skipif(connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's")
@pytest.mark.parametrize(
    ("q", "index"),
    [
        ("zhang", "registry_worker_pinyin_trgm"),
        ("张三丰", "registry_worker_name_trgm"),
        ("三丰", "registry_worker_name_grams"),
        ("丰", "registry_worker_name_grams"),
        ("1234567", "registry_worker_mobile_trgm"),
    ],
)
def test_a_substring_search_reads_a_trigram_index(personas, q, index):
    make_worker(personas.shinan_hospital, "张三丰", mobile="13812345678")
    plan = _plan(selectors.search_workers(Worker.objects.all(), q).order_by().values("pk"))
    assert index in plan, plan
    assert "Seq Scan on registry_worker" not in plan, plan


@pytest.mark.parametrize("q", ["张", "三丰", "张三丰", "丰张", "zhang", "sanfeng", "zsf", "5678", "·"])
def test_the_indexed_search_finds_what_the_plain_comparison_finds(personas, q):
    for name in ("张三丰", "李丰", "王张", "赵六"):
        make_worker(personas.shinan_hospital, name)
    found = set(selectors.search_workers(Worker.objects.all(), q).values_list("name", flat=True))
    key = selectors.normalise.name_key(q)
    if q.isascii() and q.isalpha():
        expected = {w.name for w in Worker.objects.all() if q in w.name_pinyin or w.name_initials.startswith(q)}
    elif q.isdigit():
        expected = {w.name for w in Worker.objects.all() if w.mobile_tail == q}
    else:
        expected = {w.name for w in Worker.objects.all() if key in w.name_key}
    assert found == expected


def test_the_list_counts_up_to_the_cap(personas, people, monkeypatch):  # noqa: F811
    client = client_for(personas.jia)
    monkeypatch.setattr(views, "COUNT_CAP", 2)
    with_cap = client.get(reverse("registry:worker_list"))
    assert with_cap.context["page"].paginator.capped
    assert with_cap.context["page"].paginator.count == 2
    assert "nx-worker-count" in with_cap.content.decode()
    monkeypatch.setattr(views, "COUNT_CAP", 1000)
    exact = client.get(reverse("registry:worker_list"), {"q": "zhang"})
    assert not exact.context["page"].paginator.capped
    assert listed(exact) == ["张三"] and exact.context["page"].paginator.count == 1
