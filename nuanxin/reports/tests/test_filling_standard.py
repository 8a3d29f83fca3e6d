"""The standard forms (seeds) through the pages: every filled form's report opens, shows and
saves for a unit, the home lists them, the builder shows them (in Chinese, the default)."""

from __future__ import annotations

from datetime import date

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from nuanxin.care import services as care_services
from nuanxin.core.policy import SYSTEM
from nuanxin.reports.choices import FormSource
from nuanxin.reports.models import Report
from nuanxin.reports.services import obligations, periods, seeds


def _client(user):
    c = Client()
    c.force_login(user)
    return c


@pytest.mark.django_db
@time_machine.travel("2026-03-09 09:00 +08:00", tick=False)
def test_the_standard_forms_open_and_show(personas):
    p = personas
    campaign = care_services.create_campaign(actor=SYSTEM, name="暖心行动", starts_on=date(2026, 2, 2))
    forms = seeds.ensure_standard_forms(actor=SYSTEM, root=p.city, campaign=campaign, starts_on=date(2026, 2, 2))
    tables = [f for f in forms if f.source == FormSource.TABLES]
    assert len(tables) == 1
    yi, jia = _client(p.yi), _client(p.jia)
    home = yi.get(reverse("reports:home"))
    assert home.status_code == 200
    opened = 0
    for form in forms:
        assert jia.get(reverse("reports:form_detail", args=[form.pk])).status_code == 200
        if form.source != FormSource.FILLED:
            continue
        start, _end = periods.periods(form, until=date(2026, 3, 9))[0]
        for org in (p.shinan_hospital, p.shinan):
            if not obligations.is_obliged(form, org):
                continue
            url = f"{reverse('reports:report_open')}?form={form.pk}&period={start.isoformat()}&org={org.pk}"
            response = yi.get(url)
            assert response.status_code == 302, (form.name, org.name)
            page = yi.get(response["Location"])
            assert page.status_code == 200 and "nx-report-form" in page.content.decode(), (form.name, org.name)
            opened += 1
    assert opened == Report.objects.count() and opened >= 3
    assert 'id="nx-reports-none"' not in home.content.decode()
    # the official tables are sent by import: not on the home page nor in the review list
    assert f'data-form="{tables[0].pk}"' not in home.content.decode()
    assert yi.get(f"{reverse('reports:review')}?form={tables[0].pk}").status_code == 404
