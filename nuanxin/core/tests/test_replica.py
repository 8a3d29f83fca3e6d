"""The optional read-replica router for the report pages (core/replica.py)."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory

from nuanxin.accounts.models import User
from nuanxin.care.models import Visit
from nuanxin.core import replica


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(replica, "enabled", lambda: True)


def test_reads_stay_on_the_primary_without_a_replica():
    router = replica.ReplicaRouter()
    with replica.replica_reads():
        assert router.db_for_read(Visit) is None


def test_reads_go_to_the_replica_only_inside_the_block(with_replica):
    router = replica.ReplicaRouter()
    assert router.db_for_read(Visit) is None
    with replica.replica_reads():
        assert router.db_for_read(Visit) == "replica"
        # a session or a user opened a moment ago may not be on the replica yet
        assert router.db_for_read(Session) is None
        assert router.db_for_read(User) is None
    assert router.db_for_read(Visit) is None


@pytest.mark.django_db(transaction=True)
def test_reads_inside_a_transaction_stay_on_the_primary(with_replica):
    router = replica.ReplicaRouter()
    with replica.replica_reads(), transaction.atomic():
        assert router.db_for_read(Visit) is None


def test_writes_and_migrations_go_to_the_primary(with_replica):
    router = replica.ReplicaRouter()
    with replica.replica_reads():
        assert router.db_for_write(Visit) == "default"
    assert router.allow_migrate("replica", "care") is False
    assert router.allow_migrate("default", "care") is True


@pytest.mark.parametrize(
    ("method", "path", "expected"),
    [
        ("GET", "/care/overview/", True),
        ("GET", "/reports/dashboard/", True),
        ("GET", "/reports/brief/xlsx/", True),
        ("GET", "/reports/rates/", True),
        # a report's own pages show what was just saved, approved or returned: from the primary
        ("GET", "/reports/", False),
        ("GET", "/reports/r/7/", False),
        ("GET", "/reports/review/", False),
        ("GET", "/reports/forms/3/", False),
        ("POST", "/care/overview/", False),
        ("GET", "/care/week/", False),
    ],
)
def test_the_middleware_marks_the_report_pages_reads(with_replica, method, path, expected):
    seen = []

    def view(request):
        seen.append(replica._reading.get())
        return HttpResponse("ok")

    middleware = replica.ReplicaReadsMiddleware(view)
    request = getattr(RequestFactory(), method.lower())(path)
    assert middleware(request).status_code == 200
    assert seen == [expected]
    assert replica._reading.get() is False
