"""The care pages offer the labour follow-ups (care.hooks.followups): at the top of a family's
page, under its visits of the last four weeks (not under every visit back to 2020), and on its
difficulties, each link naming the visit or difficulty it came from."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse

from nuanxin.care import services as care_services
from nuanxin.care.models import Campaign
from nuanxin.labour.tests.test_arrangements import world  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def _followups(html: str) -> list[tuple[str, str]]:
    return re.findall(r'data-followup="([a-z]+)" href="[^"]*\?worker=\d+(?:&amp;([a-z]+=\d+))?"', html)


def test_the_family_page_offers_them_at_the_top_and_under_recent_visits(client, world):  # noqa: F811
    p = world
    Campaign.objects.update(starts_on=p.today - timedelta(days=60))  # the campaign ran then too
    old = care_services.record_visit(actor=p.care, worker=p.worker, on=p.today - timedelta(days=40), mode="phone")
    client.force_login(p.care)
    html = client.get(reverse("care:family", args=[p.worker.pk])).content.decode()
    found = _followups(html)
    # The care contact may refer all three (and order produce): at the top without a source, and
    # under today's visit with it; nothing under the visit of 40 days ago.
    assert ("arrangement", "") in found
    assert ("arrangement", f"visit={p.visit.pk}") in found
    assert ("legal", f"visit={p.visit.pk}") in found
    assert ("employment", f"visit={p.visit.pk}") in found
    assert not [f for f in found if f[1] == f"visit={old.pk}"]
