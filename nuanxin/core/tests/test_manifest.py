"""core/manifest.py: every app registers one manifest; the project reads them in app order."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from nuanxin.core import manifest
from nuanxin.core.manifest import Manifest, MenuEntry


def test_every_app_registers_its_manifest_in_installed_apps_order():
    assert [m.app for m in manifest.manifests()] == [
        "core", "accounts", "orgs", "registry", "care", "hotline", "funds", "honours", "welfare", "recuperation",
        "tables", "telecom", "labour", "produce", "volunteers", "reports", "notify",
    ]  # fmt: skip


def test_the_menu_is_sorted_by_order_and_the_current_entry_is_the_longest_prefix(personas):
    entries = manifest.menu_entries(personas.jia)
    assert [e.url_name for e in entries] == [
        "registry:worker_list", "tables:imports:list", "care:overview", "care:difficulty_list", "care:assignments",
        "care:campaign_list", "hotline:hotline_list", "hotline:rota", "hotline:stats", "funds:fund_list",
        "reports:home", "honours:call_list", "welfare:scheme_list", "volunteers:home", "recuperation:programme_list",
        "labour:home", "produce:home", "telecom:home", "orgs:tree", "orgs:user_list",
    ]  # fmt: skip
    assert manifest.current_entry("/register/imports/3/", entries).url_name == "tables:imports:list"
    assert manifest.current_entry("/register/12/", entries).url_name == "registry:worker_list"
    assert manifest.current_entry("/nowhere/", entries) is None
    assert manifest.menu_entries(personas.jia, "user")[0].url_name == "notify:list"


def test_a_manifest_is_checked_when_made():
    with pytest.raises(ImproperlyConfigured, match="go together"):
        Manifest(app="x", urls="x.urls")
    with pytest.raises(ImproperlyConfigured, match="end with"):
        Manifest(app="x", url_prefix="x", urls="x.urls")
    with pytest.raises(ValueError):
        MenuEntry("X", "x:y", visible=lambda u: True, section="side")


def test_the_system_check_finds_what_a_manifest_leaves_out():
    from django.apps import apps

    assert manifest.check_manifests() == []
    notify = manifest.get("notify")
    manifest.unregister("notify")
    try:
        errors = manifest.check_manifests([apps.get_app_config("notify")])
    finally:
        manifest.register(notify)
    assert sorted(e.msg.split(" ")[0] for e in errors) == [
        "nuanxin.notify.periodic", "nuanxin.notify.tests.authz_cases", "nuanxin.notify.urls",
    ]  # fmt: skip
    assert {e.id for e in errors} == {"nuanxin.E101"}
