"""The employment demo: partner employers with leads, families helped into work, one still
seeking, one referred, one closed; a second run changes nothing."""

from datetime import date

import pytest

from nuanxin.care import demo as care_demo
from nuanxin.care.tests.helpers import at
from nuanxin.labour.demo import employment as demo
from nuanxin.labour.models import EmploymentCase, JobLead, PartnerEmployer, Referral
from nuanxin.orgs import demo as orgs_demo
from nuanxin.registry import demo as registry_demo

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 25)


def _state() -> dict:
    return {
        "employers": sorted(PartnerEmployer.objects.values_list("name", "active")),
        "leads": JobLead.objects.count(),
        "cases": sorted(EmploymentCase.objects.values_list("status", "employer_name")),
        "referrals": sorted(Referral.objects.values_list("outcome", flat=True)),
    }


def test_the_demo_has_families_helped_into_work_and_runs_twice(english):
    with at(TODAY, 10):
        orgs_demo.build(out=lambda line: None)
        registry_demo.build(out=lambda line: None)
        care_demo.build(out=lambda line: None)
        lines: list[str] = []
        demo.build(out=lines.append)
        state = _state()
        assert state == {
            "employers": [
                ("市南区旧货市场", False),
                ("市南区海岸物业服务有限公司", True),
                ("青大附院职工餐厅", True),
                ("青岛利群便民超市", True),
            ],
            "leads": 5,
            "cases": [
                ("closed", ""),
                ("employed", "市南区海岸物业服务有限公司"),
                ("employed", "青岛利群便民超市"),
                ("referred", ""),
                ("seeking", ""),
            ],
            "referrals": ["employed", "employed", "not_employed", "pending"],
        }
        assert lines == [
            "employment help: 4 partner employers (one inactive), 5 job leads, 5 employment cases at QD-SN-01"
        ]
        # opened by the care contact for the families assigned to them, else by the district's officer
        openers = set(EmploymentCase.objects.values_list("created_by__username", flat=True))
        assert "demo-care" in openers and openers <= {"demo-care", "demo-district"}
        demo.build(out=lines.append)
        assert _state() == state and lines[-1] == "employment help: already there"
