"""Fixtures shared by the official tables' tests (``english`` comes from the root conftest)."""

from nuanxin.tables.tests.import_fixtures import world  # noqa: F401  (the importer's test world)
