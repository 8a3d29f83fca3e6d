"""``nuanxin care ...``: operators act before the pages exist."""

from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from nuanxin.care.models import Campaign, VisitDuty
from nuanxin.care.tests.helpers import W1, at, build_world
from nuanxin.core.models import AuditLog


def run(*args) -> str:
    out = StringIO()
    call_command("care", *args, stdout=out)
    return out.getvalue()


def test_create_list_cadence(db, english):
    out = run("create", "--name", "新行动", "--start", "2021-03-01", "--cadence", "cdc=fortnightly")
    campaign = Campaign.objects.get(name="新行动")
    assert out == f"Created campaign {campaign.pk}: 新行动.\n"
    assert campaign.cadence == {"cdc": "fortnightly"}
    assert run("set-cadence", "--campaign", str(campaign.pk), "ambulance=weekly") == (
        f"Cadence of campaign {campaign.pk} changed.\n"
    )
    assert Campaign.objects.get(pk=campaign.pk).cadence == {"cdc": "fortnightly", "ambulance": "weekly"}
    listing = run("list")
    assert listing.startswith(f"{campaign.pk}\t新行动\tstarts 2021-03-01\tno end declared\t{{")
    assert '"hubei_aid": "weekly"' in listing and '"ambulance": "weekly"' in listing
    with pytest.raises(CommandError) as exc:
        run("set-cadence", "--campaign", str(campaign.pk), "cdc=daily")
    assert str(exc.value) == (
        "“cdc=daily” is not TEAM=CADENCE with TEAM one of hubei_aid, designated_hospital, cdc, ambulance, other "
        "and CADENCE one of weekly, fortnightly, none."
    )
    with pytest.raises(CommandError) as exc:
        run("set-cadence", "--campaign", "999", "cdc=weekly")
    assert str(exc.value) == "No campaign has the id 999."
    with pytest.raises(CommandError) as exc:
        run("create", "--name", "又一个", "--start", "2021-3-1")
    assert str(exc.value) == "Error: argument --start: “2021-3-1” is not a date: write YYYY-MM-DD."
    assert AuditLog.objects.filter(action__startswith="campaign.", actor__isnull=True).count() == 2


def test_the_command_speaks_the_default_language(db):
    """No language activated, as from a shell: the output is in LANGUAGE_CODE (Chinese)."""
    assert translation.get_language() == settings.LANGUAGE_CODE == "zh-hans"
    out = run("create", "--name", "新行动", "--start", "2021-03-01")
    with pytest.raises(CommandError) as exc:
        run("set-cadence", "--campaign", "999", "cdc=weekly")
    campaign = Campaign.objects.get(name="新行动")
    with translation.override(settings.LANGUAGE_CODE):
        created = translation.gettext("Created campaign %(id)s: %(name)s.") % {"id": campaign.pk, "name": "新行动"}
        missing = translation.gettext("No campaign has the id %(id)s.") % {"id": 999}
    assert (out, str(exc.value)) == (created + "\n", missing)


def test_open_duties_and_declare_end(personas, english):
    w = build_world(personas)
    with at(W1 + timedelta(days=7), 1):
        assert run("open-duties") == "Opened 4 duties, marked 4 missed.\n"
        out = run("declare-end", "--campaign", str(w.campaign.pk), "--on", "2020-02-05")
    assert out == f"Campaign {w.campaign.pk} ends on 2020-02-05: no duties after week 2020-W06.\n"
    with at(W1 + timedelta(days=21), 1):
        assert run("open-duties") == "Opened 0 duties, marked 4 missed.\n"
        assert run("remind-week") == "Reminded 0 care contacts.\n"
        assert run("remind-unvisited") == "Reminded 0 admins.\n"
        assert run("escalate") == "Escalated 0 difficulties.\n"
    assert VisitDuty.objects.count() == 8
    assert run("declare-end", "--campaign", str(w.campaign.pk), "--clear") == (
        f"Declared end of campaign {w.campaign.pk} withdrawn.\n"
    )
    with pytest.raises(CommandError):
        run("declare-end", "--campaign", str(w.campaign.pk), "--on", "2019-01-01")


def test_sync_unassigned(personas, english):
    from nuanxin.care.models import UnassignedFamily

    w = build_world(personas)
    assert run("sync-unassigned") == "Unassigned families: 0 added, 0 removed.\n"
    UnassignedFamily.objects.create(campaign=w.campaign, worker=w.a1, organisation=w.a1.organisation)
    assert run("sync-unassigned") == "Unassigned families: 0 added, 1 removed.\n"
    assert UnassignedFamily.objects.count() == 0
