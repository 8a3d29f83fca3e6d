"""The volunteers' demo on the organisations' demo tree: teams in three districts, a week of
shifts worked with one no-show, today's shifts for demo-leader, idempotent."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation

from nuanxin.core.demo import DEMO_PASSWORD
from nuanxin.orgs import demo as orgs_demo
from nuanxin.orgs.models import Organisation
from nuanxin.volunteers import demo
from nuanxin.volunteers.choices import TAKEN, CheckinStatus
from nuanxin.volunteers.models import Checkin, Shift, Team, Volunteer
from nuanxin.volunteers.selectors.report_figures import report_figures

pytestmark = pytest.mark.django_db


def test_the_demo_builds_teams_shifts_and_the_leader_once():
    lines: list[str] = []
    moment = datetime(2026, 12, 2, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    with translation.override("en"), time_machine.travel(moment, tick=False):
        orgs_demo.build(out=lines.append)
        demo.build(out=lines.append)
        assert Team.objects.count() == 4
        assert sorted(Team.objects.values_list("organisation__code", flat=True)) == [
            "QD-LC-02",
            "QD-SB-03",
            "QD-SN",
            "QD-SN-01",
        ]
        assert Volunteer.objects.count() == 17
        assert Team.objects.get(organisation__code="QD-SN").leader.username == "demo-leader"
        assert Checkin.objects.filter(status=CheckinStatus.NO_SHOW).count() == 1
        assert (
            Checkin.objects.filter(status=CheckinStatus.DONE).count() == 5 * 5 * 3 - 3 - 1
        )  # 李沧区 has 3 volunteers: 2 on its odd days
        assert Checkin.objects.filter(status=CheckinStatus.CHECKED_IN).count() == 5
        assert Shift.objects.count() == 5 * (5 + 3)
        city = Organisation.objects.get(code="QD")
        figures = report_figures([city.path], datetime(2026, 11, 27).date(), datetime(2026, 12, 1).date())[city.path]
        assert figures["volunteer_teams"] == 4 and figures["volunteers"] == 17
        assert figures["volunteer_hours"] > Decimal("200")
        # the teams were opened with their volunteers (60 days ago): a past month counts both
        october = report_figures([city.path], datetime(2026, 10, 1).date(), datetime(2026, 10, 31).date())[city.path]
        assert (october["volunteer_teams"], october["volunteers"]) == (4, 17)
        november = report_figures([city.path], datetime(2026, 11, 1).date(), datetime(2026, 11, 30).date())[city.path]
        assert (november["volunteer_teams"], november["volunteers"]) == (4, 17)
        # nobody holds places on two shifts at the same time
        places = list(
            Checkin.objects.filter(status__in=TAKEN).values_list("volunteer_id", "shift__starts_at", "shift__ends_at")
        )
        overlaps = [
            (a, b)
            for i, a in enumerate(places)
            for b in places[i + 1 :]
            if a[0] == b[0] and a[1] < b[2] and b[1] < a[2]
        ]
        assert overlaps == []
        assert (
            len(
                {
                    v
                    for v, _start, _end in Checkin.objects.filter(status=CheckinStatus.CHECKED_IN).values_list(
                        "volunteer_id", "shift__starts_at", "shift__ends_at"
                    )
                }
            )
            == 5
        )
        assert [login[0] for login in demo.logins()] == ["demo-leader"]
        assert demo.logins()[0][1] == DEMO_PASSWORD
        demo.build(out=lines.append)
        assert Shift.objects.count() == 40 and Team.objects.count() == 4
    assert lines[-2:] == ["volunteers: the demo teams exist (0 new)", "volunteers: the demo shifts exist (0 new)"]
