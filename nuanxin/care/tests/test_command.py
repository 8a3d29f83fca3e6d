"""``nuanxin care ...``: operators act before the pages exist."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from nuanxin.care.models import Campaign, VisitDuty
from nuanxin.care.tests.helpers import W1, at, build_world
from nuanxin.core.models import AuditLog


def run(*args) -> str:
    out = StringIO()
    call_command("care", *args, stdout=out)
    return out.getvalue()


def test_create_list_cadence(db):
    assert run("create", "--name", "新行动", "--start", "2021-03-01", "--cadence", "cdc=fortnightly").startswith(
        "Created campaign"
    )
    campaign = Campaign.objects.get(name="新行动")
    assert campaign.cadence == {"cdc": "fortnightly"}
    run("set-cadence", "--campaign", str(campaign.pk), "ambulance=weekly")
    assert Campaign.objects.get(pk=campaign.pk).cadence == {"cdc": "fortnightly", "ambulance": "weekly"}
    listing = run("list")
    assert '"hubei_aid": "weekly"' in listing and '"ambulance": "weekly"' in listing
    with pytest.raises(CommandError):
        run("set-cadence", "--campaign", str(campaign.pk), "cdc=daily")
    with pytest.raises(CommandError):
        run("set-cadence", "--campaign", "999", "cdc=weekly")
    assert AuditLog.objects.filter(action__startswith="campaign.", actor__isnull=True).count() == 2


def test_open_duties_and_declare_end(personas):
    w = build_world(personas)
    with at(W1 + timedelta(days=7), 1):
        assert run("open-duties") == "Opened 4 duties, marked 4 missed.\n"
        out = run("declare-end", "--campaign", str(w.campaign.pk), "--on", "2020-02-05")
    assert out == f"Campaign {w.campaign.pk} ends on 2020-02-05: no duties after week 2020-W06.\n"
    with at(W1 + timedelta(days=21), 1):
        assert run("open-duties") == "Opened 0 duties, marked 4 missed.\n"
        assert run("remind-week") == "Reminded 0 care contacts.\n"
        assert run("escalate") == "Escalated 0 difficulties.\n"
    assert VisitDuty.objects.count() == 8
    with pytest.raises(CommandError):
        run("declare-end", "--campaign", str(w.campaign.pk), "--on", "2019-01-01")


def test_sync_unassigned(personas):
    from nuanxin.care.models import UnassignedFamily

    w = build_world(personas)
    assert run("sync-unassigned") == "Unassigned families: 0 rows added, 0 removed.\n"
    UnassignedFamily.objects.create(campaign=w.campaign, worker=w.a1, organisation=w.a1.organisation)
    assert run("sync-unassigned") == "Unassigned families: 0 rows added, 1 removed.\n"
    assert UnassignedFamily.objects.count() == 0
