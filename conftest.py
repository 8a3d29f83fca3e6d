"""Shared test fixtures: the personas of CONVENTIONS.md, built through the services.

Tree:  CITY 青岛市总工会
        ├── SN  市南区总工会 ── SN-H1 市南区人民医院工会
        ├── SB  市北区总工会 ── SB-H1 市北区人民医院工会
        └── YW  青岛市医务工会
Group MED (all medical institutions) = SN-H1, SB-H1.
"""

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client, TransactionTestCase
from django.utils import translation

from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.orgs import services as org_services
from nuanxin.orgs.choices import OrgKind
from tests.snapshot import Snapshot, SnapshotRefused, TablesChanged, capture, put_back, rows_now

# The browser tests' fixtures (``browser``) and their Chromium skip/require rule.
pytest_plugins = ["tests.browser"]

PASSWORD = "Persona-pass-2020"


@dataclass
class Personas:
    city: object
    shinan: object
    shibei: object
    shinan_hospital: object
    shibei_hospital: object
    medical_union: object
    med_group: object
    jia: object  # city admin at the root
    yi: object  # 市南区 org admin
    bing: object  # 市北区 org admin (must see nothing of 市南区)
    care: object  # care contact at the 市南区 hospital
    counsellor: object  # counsellor at the medical union
    auditor: object  # auditor at the root
    viewer: object  # viewer on the medical group

    @property
    def password(self) -> str:
        return PASSWORD


def build_personas() -> Personas:
    """The personas, through the services the first time in a run and then from the run's
    snapshot of them (tests/snapshot.py) while the tables are as the snapshot found them."""
    snapshot = _SNAPSHOTS.get("personas")
    if snapshot is not None:
        try:
            return snapshot.restore()
        except TablesChanged:
            pass
    return build_personas_through_services()


def build_personas_through_services() -> Personas:
    create = org_services.create_organisation
    city = create(actor=SYSTEM, code="CITY", name="青岛市总工会", kind=OrgKind.CITY_FEDERATION, parent=None)
    shinan = create(actor=SYSTEM, code="SN", name="市南区总工会", kind=OrgKind.DISTRICT_FEDERATION, parent=city)
    shibei = create(actor=SYSTEM, code="SB", name="市北区总工会", kind=OrgKind.DISTRICT_FEDERATION, parent=city)
    medical = create(actor=SYSTEM, code="YW", name="青岛市医务工会", kind=OrgKind.INDUSTRY_UNION, parent=city)
    sn_h1 = create(actor=SYSTEM, code="SN-H1", name="市南区人民医院工会", kind=OrgKind.UNIT_UNION, parent=shinan)
    sb_h1 = create(actor=SYSTEM, code="SB-H1", name="市北区人民医院工会", kind=OrgKind.UNIT_UNION, parent=shibei)
    group = org_services.create_group(actor=SYSTEM, code="MED", name="全市医疗机构", members=[sn_h1, sb_h1])
    # Siblings are kept sorted by code, so adding 市北区 (SB) after 市南区 (SN) rewrote SN's
    # materialised path: read every organisation back so no persona carries a stale path.
    city, shinan, shibei, medical, sn_h1, sb_h1 = (
        type(org).objects.get(pk=org.pk) for org in (city, shinan, shibei, medical, sn_h1, sb_h1)
    )

    def user(username, org, role, full_name):
        u, _ = org_services.create_user(
            actor=SYSTEM, username=username, organisation=org, role=role, password=PASSWORD, full_name=full_name
        )
        return u

    viewer, _ = org_services.create_user(
        actor=SYSTEM, username="viewer", organisation=medical, role=Role.VIEWER, password=PASSWORD, full_name="卫健委"
    )
    # The viewer's real scope is the group; drop the organisation grant made at creation.
    org_services.revoke_grant(actor=SYSTEM, grant=viewer.grants.get())
    org_services.grant_role(actor=SYSTEM, user=viewer, role=Role.VIEWER, group=group)
    return Personas(
        city=city,
        shinan=shinan,
        shibei=shibei,
        shinan_hospital=sn_h1,
        shibei_hospital=sb_h1,
        medical_union=medical,
        med_group=group,
        jia=user("jia", city, Role.CITY_ADMIN, "甲"),
        yi=user("yi", shinan, Role.ORG_ADMIN, "乙"),
        bing=user("bing", shibei, Role.ORG_ADMIN, "丙"),
        care=user("care", sn_h1, Role.CARE_CONTACT, "联系人"),
        counsellor=user("counsellor", medical, Role.COUNSELLOR, "心理援助师"),
        auditor=user("auditor", city, Role.AUDITOR, "审计员"),
        viewer=viewer,
    )


def _flush_by_delete(connection) -> bool:
    """Empty every table of the models on PostgreSQL with DELETE, foreign keys and triggers off
    (``session_replication_role = replica``, which only a superuser may set: the tests connect as
    one); False, doing nothing, when that is not possible."""
    if connection.vendor != "postgresql":
        return False
    from django.db import transaction

    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('is_superuser') = 'on'")
        if not cursor.fetchone()[0]:
            return False
    tables = connection.introspection.django_table_names(only_existing=True, include_views=False)
    quote = connection.ops.quote_name
    with transaction.atomic(using=connection.alias, savepoint=False), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        # The table names are the models' own, quoted.
        cursor.execute("; ".join(f"DELETE FROM {quote(table)}" for table in tables))  # noqa: S608
    return True


def _fast_fixture_teardown(self):
    """``TransactionTestCase._fixture_teardown`` (what empties the database after every
    ``django_db(transaction=True)`` test, the browser tests' included) with a cheaper flush on
    PostgreSQL. Django's flush is one ``TRUNCATE`` of every table (about 150): PostgreSQL makes a
    new file for each table and its indexes, which took 6–8 s per test on the 2-core machine
    under the suite's load — a DELETE from every table takes 0.03 s. The semantics are flush's: every model's table
    empty afterwards (sequences are not reset: flush does not either, ``reset_sequences`` tests
    reset them at set-up), then the post_migrate signal (content types, permissions) unless Django
    would inhibit it. Only the usual case is replaced (no ``available_apps``, a superuser on
    PostgreSQL); anything else — SQLite, whose flush is already a DELETE per table — goes through
    Django's own flush."""
    from django.core.management import call_command
    from django.core.management.sql import emit_post_migrate_signal
    from django.db import connections

    if self.available_apps is not None:
        return _django_fixture_teardown(self)
    for alias in self._databases_names(include_mirrors=False):
        connection = connections[alias]
        inhibit_post_migrate = self.serialized_rollback and hasattr(connection, "_test_serialized_contents")
        if not _flush_by_delete(connection):
            call_command(
                "flush",
                verbosity=0,
                interactive=False,
                database=alias,
                reset_sequences=False,
                inhibit_post_migrate=inhibit_post_migrate,
            )
        elif not inhibit_post_migrate:
            emit_post_migrate_signal(verbosity=0, interactive=False, db=alias)
        if alias == "default" and _SEEDS and not inhibit_post_migrate:
            put_back(_SEEDS)  # what the migrations put there (Django's flush empties it too)


_SEEDS: list = []  # the rows the migrations left in the test database (tests/snapshot.rows_now)


def _setup_databases_once_per_run():
    """pytest-django makes each worker's test database with ``django.test.utils.setup_databases``:
    under pytest-xdist the first worker of a run migrates and keeps a template, the others copy
    it (``tests/dbtemplate.py``)."""
    import django.test.utils

    from tests import dbtemplate

    migrate_each = django.test.utils.setup_databases

    def setup_databases(**kwargs):
        if dbtemplate.wanted() and kwargs.get("aliases") == {"default"} and not kwargs.get("keepdb"):
            return dbtemplate.setup(migrate_each, **kwargs)
        return migrate_each(**kwargs)

    django.test.utils.setup_databases = setup_databases


_setup_databases_once_per_run()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database as pytest-django makes it, and the rows its migrations put there (the
    honours' award types, ...): every transactional test's flush puts them back, so that a test
    finds the database as migrated whatever ran before it in its process."""
    from tests import dbtemplate

    with django_db_blocker.unblock():
        _SEEDS[:] = rows_now()
    yield
    if dbtemplate.wanted():
        with django_db_blocker.unblock():
            dbtemplate.teardown()


def _shared_middleware_chain():
    """Every test client's handler builds Django's middleware chain on its first request, and
    WhiteNoise's middleware scans every static file when built (it serves them from the finders
    outside production): ~3 ms a client, thousands of clients a run. A handler now takes the
    chain the last one built, as one server process serves every request with one chain, and
    builds its own only when the settings are others (``override_settings`` puts another settings
    object in place) or the middleware list differs."""
    from django.test.client import AsyncClientHandler, ClientHandler

    for handler_class in (ClientHandler, AsyncClientHandler):
        built_by_django = handler_class.load_middleware
        kept: dict = {}

        def load_middleware(self, is_async=False, *, _build=built_by_django, _kept=kept):
            key = (settings._wrapped, tuple(settings.MIDDLEWARE), is_async)
            found = _kept.get("chain")
            if found is not None and found[0][0] is key[0] and found[0][1:] == key[1:]:
                (self._view_middleware, self._template_response_middleware, self._exception_middleware,
                 self._middleware_chain) = found[1]
                return
            _build(self, is_async)
            _kept["chain"] = (key, (self._view_middleware, self._template_response_middleware,
                                    self._exception_middleware, self._middleware_chain))

        handler_class.load_middleware = load_middleware


_shared_middleware_chain()

_django_fixture_teardown = TransactionTestCase._fixture_teardown
TransactionTestCase._fixture_teardown = _fast_fixture_teardown


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (Chinese): the language middleware activates
    the request's language for the thread, so a test client's English request would otherwise
    leave English active for the tests after it (an audit row's object name in English)."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


_SNAPSHOTS: dict[str, Snapshot] = {}


@pytest.fixture(scope="session")
def _personas_snapshot(django_db_setup, django_db_blocker):
    """Build the personas once per run, keep their rows (``NUANXIN_TEST_SNAPSHOTS=0``: build
    them through the services in every test)."""
    import os

    if os.environ.get("NUANXIN_TEST_SNAPSHOTS", "1") == "0":
        return
    with django_db_blocker.unblock():
        try:
            _SNAPSHOTS["personas"] = capture(build_personas_through_services)
        except SnapshotRefused as refused:
            import warnings

            warnings.warn(f"personas built through the services in every test: {refused}", stacklevel=1)


@pytest.fixture
def personas(_personas_snapshot, db) -> Personas:
    return build_personas()


@pytest.fixture
def english():
    """Messages compared in English (the default language is Chinese). An app's conftest makes it
    autouse with ``def english(english)``."""
    with translation.override("en"):
        yield


@pytest.fixture
def english_client():
    """A test client whose pages are in English (the language switch's cookie)."""
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    return c


def pytest_collection_modifyitems(config, items):
    """Under pytest-xdist (scripts/test-databases.sh) the heaviest files first. ``NUANXIN_TEST_SHARD=k/n``
    (by hand, e.g. on several machines) keeps the k-th of n shards of the suite: whole test files,
    dealt out greedily by weight, heaviest first, so that the shards take about the same time.
    Every file lands in exactly one shard, the same on every run."""
    import os

    if os.environ.get("PYTEST_XDIST_WORKER"):
        _heaviest_files_first(items)
        return
    shard = os.environ.get("NUANXIN_TEST_SHARD", "").strip()
    if not shard:
        return
    index, total = (int(part) for part in shard.split("/"))
    if not 1 <= index <= total:
        raise pytest.UsageError(f"NUANXIN_TEST_SHARD={shard!r}: use k/n with 1 <= k <= n")
    weights = _file_weights(items)
    loads = [0] * total
    placed: dict[str, int] = {}
    for path in sorted(weights, key=lambda p: (-weights[p], p)):
        lightest = loads.index(min(loads))
        placed[path] = lightest + 1
        loads[lightest] += weights[path]
    kept = [item for item in items if placed[item.nodeid.split("::")[0]] == index]
    config.hook.pytest_deselected(items=[item for item in items if placed[item.nodeid.split("::")[0]] != index])
    items[:] = kept


def _file_weights(items) -> dict[str, int]:
    """Each test file's weight: a test weighs 1, a browser test 15, or the file's whole weight as
    its module-level ``SHARD_WEIGHT`` (about its seconds on one core)."""
    from collections import defaultdict

    weights: dict[str, int] = defaultdict(int)
    declared: dict[str, int] = {}
    for item in items:
        path = item.nodeid.split("::")[0]
        weights[path] += 15 if item.get_closest_marker("browser") else 1
        module = getattr(item, "module", None)
        if isinstance(getattr(module, "SHARD_WEIGHT", None), int):
            declared[path] = module.SHARD_WEIGHT
    weights.update(declared)
    return weights


def _heaviest_files_first(items) -> None:
    """pytest-xdist (``--dist loadfile``) hands whole files to the next free worker in the order
    collected: the heaviest files go first, so that the run does not end with one worker alone
    on a long file. Every worker collects the same order; a file's tests keep theirs."""
    weights = _file_weights(items)
    order = {path: rank for rank, path in enumerate(sorted(weights, key=lambda p: (-weights[p], p)))}
    items.sort(key=lambda item: order[item.nodeid.split("::")[0]])


_FILE_SECONDS: dict[str, float] = {}


def pytest_runtest_logreport(report):
    path = report.nodeid.split("::")[0]
    _FILE_SECONDS[path] = _FILE_SECONDS.get(path, 0.0) + report.duration


def pytest_terminal_summary(terminalreporter):
    """A run of scripts/test-databases.sh (``NUANXIN_TEST_SUMMARY``) or a shard ends its log with
    its 20 slowest files (set-up, test and tear-down added; a worker's first file also carries its
    test database's creation): the figures to set a ``SHARD_WEIGHT`` by."""
    import os

    shard_or_summary = os.environ.get("NUANXIN_TEST_SHARD", "") or os.environ.get("NUANXIN_TEST_SUMMARY", "")
    if not shard_or_summary.strip() or not _FILE_SECONDS:
        return
    terminalreporter.section("slowest files of this run")
    total = sum(_FILE_SECONDS.values())
    for path, seconds in sorted(_FILE_SECONDS.items(), key=lambda kv: -kv[1])[:20]:
        terminalreporter.write_line(f"{seconds:8.1f}s {path}")
    terminalreporter.write_line(f"{total:8.1f}s in all {len(_FILE_SECONDS)} files")
