"""The sample files of docs/samples give exactly the outcomes their messiness calls for."""

import pytest

from nuanxin.care.models import CareAssignment, Difficulty
from nuanxin.registry.import_models import BatchStatus
from nuanxin.registry.imports import services
from nuanxin.registry.imports.messages import render_all
from nuanxin.registry.models import FamilyMember, Worker
from nuanxin.registry.tests.import_fixtures import import_path, outcomes, sample, world  # noqa: F401

pytestmark = pytest.mark.django_db


def test_table1_sample_dry_run(world):
    batch = import_path(world.p.yi, world.unit, sample("table1_aid_team.xlsx"))
    assert batch.status == BatchStatus.PLANNED
    for r in batch.rows.order_by("index"):
        print(r.line, r.outcome, render_all(r.reasons), r.changes, r.data)
    assert outcomes(batch) == [
        (5, "create"), (6, "create"), (7, "create"), (10, "create"), (11, "unchanged"), (12, "reject"), (13, "create"),
    ]
    assert Worker.objects.count() == 0
