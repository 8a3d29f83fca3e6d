"""The assessments part of the demo: every band of GAD-7 and PHQ-9 on both demo hotlines, the
callbacks of those who consented, a crisis answer's crisis case, a SAS during a call; a second
run changes nothing."""

from datetime import UTC, datetime

import pytest
import time_machine

from nuanxin.core import demo as core_demo
from nuanxin.hotline.demo import assessments as demo
from nuanxin.hotline.models import Assessment, Callback, CrisisCase, Hotline
from tests.snapshot import built_once

NOW = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)


@pytest.fixture
def built(db):
    """The whole demo at the test's instant: built by the first test, put back for the others
    (tests/snapshot.py)."""
    with time_machine.travel(NOW, tick=False):
        built_once(core_demo.build, out=lambda line: None)
        yield


def bands(hotline: Hotline, scale: str) -> set[str]:
    return set(Assessment.objects.filter(hotline=hotline, scale=scale).values_list("band", flat=True))


def test_every_band_on_both_hotlines(built):
    city = Hotline.objects.get(name=demo.CITY)
    laixi = Hotline.objects.get(name=demo.LAIXI)
    assert bands(city, "GAD-7") == {"minimal", "mild", "moderate", "severe"}
    assert bands(city, "PHQ-9") == {"minimal", "mild", "moderate", "mod_severe", "severe"}
    assert bands(laixi, "GAD-7") == {"minimal", "mild", "moderate", "severe"}
    assert Assessment.objects.filter(hotline=city).count() == 4 + 5 + 7 + 1  # bands, more, the SAS
    assert Assessment.objects.filter(hotline=laixi).count() == 4 + 5
    assert Assessment.objects.filter(source="public", callback_consent=False).exclude(mobile="").count() == 0


def test_consent_callbacks_and_crisis_cases(built):
    city = Hotline.objects.get(name=demo.CITY)
    consented = Assessment.objects.filter(hotline=city, callback_consent=True).order_by("pk")
    assert [a.mobile for a in consented] == [f"+861370000010{n}" for n in range(1, 6)]
    severities = dict(Callback.objects.filter(assessment__in=consented).values_list("assessment__mobile", "severity"))
    assert severities == {
        "+8613700000101": "moderate",
        "+8613700000102": "severe",
        "+8613700000103": "mod_severe",
        "+8613700000104": "mild",
        "+8613700000105": "crisis",
    }
    assert CrisisCase.objects.filter(assessment__hotline=city).count() == 1
    assert CrisisCase.objects.filter(assessment__hotline__name=demo.LAIXI, contact_number="").count() == 1
    sas = Assessment.objects.get(scale="SAS")
    assert (sas.source, sas.call.hotline, sas.created_by.username, sas.standard_score, sas.band) == (
        "call",
        city,
        "demo-counsellor",
        58,
        "mild",
    )


def test_a_second_run_changes_nothing(built):
    before = (Assessment.objects.count(), Callback.objects.count(), CrisisCase.objects.count())
    with time_machine.travel(NOW, tick=False):
        lines: list[str] = []
        demo.build(out=lines.append)
    assert lines == []
    assert (Assessment.objects.count(), Callback.objects.count(), CrisisCase.objects.count()) == before
