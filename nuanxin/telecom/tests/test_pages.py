"""The fee-waiver pages as a unit's administrator uses them on a phone: the lists per carrier
(flagged first, counts), a flagged number settled, a list sent and its document downloaded,
a reply imported (and a bad one refused with a message, nothing written), numbers confirmed by
hand, "update from table 3"; viewers get the figures only."""

import io
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from nuanxin.core.policy import SYSTEM
from nuanxin.registry.choices import Carrier
from nuanxin.telecom.choices import WaiverStatus
from nuanxin.telecom.models import CarrierReply, Dispatch, Waiver
from nuanxin.telecom.services import lists, transitions
from nuanxin.telecom.tests.fixtures import MOBILE, UNICOM, line_of, member, number, record_return
from nuanxin.telecom.tests.test_services_replies import workbook

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.cookies["nuanxin_language"] = "en"
    c.force_login(user)
    return c


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


@pytest.fixture
def world(personas):
    deps = {
        "ported": member(personas.shinan_hospital, "张携号", MOBILE, carrier=Carrier.UNICOM),
        "m2": member(personas.shinan_hospital, "李移动", number(2)),
        "m3": member(personas.shinan_hospital, "王移动", number(3)),
        "u1": member(personas.shinan_hospital, "赵联通", UNICOM),
        "b": member(personas.shibei_hospital, "钱市北", number(9)),
    }
    lists.sync(actor=SYSTEM)
    return deps


def test_the_lists_show_each_carrier_with_flagged_lines_first(personas, world):
    c = client_for(personas.yi)
    assert c.get(reverse("telecom:home"))["Location"] == reverse("telecom:waiver_list")
    page = c.get(reverse("telecom:waiver_list") + "?carrier=unicom")
    html = page.content.decode()
    assert page.status_code == 200
    ported, u1 = line_of(world["ported"]), line_of(world["u1"])
    assert html.index(f'data-line="{ported.pk}"') < html.index(f'data-line="{u1.pk}"')
    assert 'data-count="unicom">2<' in html and 'data-count="mobile">2<' in html
    assert 'data-flagged="unicom">1<' in html
    assert "钱市北" not in html  # 市北区's member
    assert "139****0001" in html and "13900010001" not in html  # numbers masked
    flagged_only = c.get(reverse("telecom:waiver_list") + "?carrier=unicom&flagged=1").content.decode()
    assert f'data-line="{ported.pk}"' in flagged_only and f'data-line="{u1.pk}"' not in flagged_only


def test_a_flagged_number_is_settled_on_its_page(personas, world):
    c = client_for(personas.yi)
    line = line_of(world["ported"])
    page = c.get(reverse("telecom:waiver_detail", args=[line.pk]))
    assert page.status_code == 200
    assert b'id="nx-line-flagged"' in page.content and b'data-step="confirm_carrier"' in page.content
    response = c.post(reverse("telecom:waiver_transition", args=[line.pk]),
                      {"transition": "confirm_carrier", "version": line.version})
    assert response.status_code == 200
    assert "Choose the stated carrier or the carrier of the number segment." in response.content.decode()
    response = c.post(reverse("telecom:waiver_transition", args=[line.pk]),
                      {"transition": "confirm_carrier", "choice": "segment", "version": line.version})
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.carrier, line.carrier_flagged) == (Carrier.MOBILE, False)
    stale = c.post(reverse("telecom:waiver_transition", args=[line.pk]),
                   {"transition": "end", "version": line.version - 1})
    assert stale.status_code == 200 and b"after you opened it" in stale.content
    assert line_of(world["ported"]).status == WaiverStatus.LISTED
    record_return(world["ported"], date(2020, 3, 20))
    line = transitions.end(actor=personas.yi, line=line_of(world["ported"]))
    refused = c.post(reverse("telecom:waiver_transition", args=[line.pk]),
                     {"transition": "confirm", "version": line.version})
    assert refused.status_code == 200
    assert messages_of(refused) == ["Only a listed or sent number can be confirmed; this one is “Ended (returned)”."]
    unknown = c.post(reverse("telecom:waiver_transition", args=[line.pk]), {"transition": "undo", "version": "x"})
    assert unknown.status_code == 200 and len(messages_of(unknown)) == 2


def test_send_download_import_and_confirm_by_hand(personas, world):
    c = client_for(personas.yi)
    form = c.get(reverse("telecom:dispatch_create") + "?carrier=mobile")
    assert form.status_code == 200
    response = c.post(reverse("telecom:dispatch_create"),
                      {"carrier": "mobile", "organisation": personas.shinan.pk})
    dispatch = Dispatch.objects.get()
    assert response["Location"] == reverse("telecom:dispatch_detail", args=[dispatch.pk])
    assert dispatch.lines == 2  # the flagged one waits
    file = c.get(reverse("telecom:dispatch_download", args=[dispatch.pk]))
    assert file.status_code == 200 and "attachment" in file["Content-Disposition"]
    rows = CalamineWorkbook.from_filelike(io.BytesIO(file.content)).get_sheet_by_index(0).to_python()
    assert [r[3] for r in rows[3:]] == ["13900010002", "13900010003"]
    bad = c.post(reverse("telecom:reply_create"), {"carrier": "mobile", "organisation": personas.shinan.pk,
                                                    "file": workbook([["x"]], name="reply.txt")})
    assert bad.status_code == 200
    assert "“reply.txt” is not a table file this importer reads (xlsx, xls, ods or csv)." in bad.content.decode()
    assert CarrierReply.objects.count() == 0
    response = c.post(reverse("telecom:reply_create"), {
        "carrier": "mobile", "organisation": personas.shinan.pk, "file": workbook([["号码"], ["13900010002"]])})
    reply = CarrierReply.objects.get()
    assert response["Location"] == reverse("telecom:reply_detail", args=[reply.pk])
    assert c.get(response["Location"]).status_code == 200
    assert line_of(world["m2"]).status == WaiverStatus.CONFIRMED
    m3 = line_of(world["m3"])
    response = c.post(reverse("telecom:confirm_many"), {"lines": [m3.pk], "back": "carrier=mobile"})
    assert response.status_code == 302 and messages_of(response) == ["Numbers confirmed: 1."]
    assert line_of(world["m3"]).status == WaiverStatus.CONFIRMED
    b = line_of(world["b"])
    assert c.post(reverse("telecom:confirm_many"), {"lines": [b.pk]}).status_code == 404
    assert line_of(world["b"]).status == WaiverStatus.LISTED


def test_update_from_table_3(personas, world):
    member(personas.shinan_hospital, "孙新来", number(5))
    member(personas.shibei_hospital, "周市北新", number(6))
    c = client_for(personas.yi)
    hint = c.get(reverse("telecom:waiver_list")).content.decode()
    assert "1 number of table 3 is not on the lists yet (they are updated every 15 minutes)." in hint
    response = c.post(reverse("telecom:sync"))
    assert response.status_code == 302
    assert messages_of(response) == [
        "Lists updated from table 3: 1 numbers listed, 0 changed numbers, 0 lines updated, 0 ended."]
    assert not Waiver.objects.filter(worker__name="周市北新").exists()
    assert 'id="nx-telecom-not-listed"' not in c.get(reverse("telecom:waiver_list")).content.decode()


def test_viewers_see_the_figures_only(personas, world):
    c = client_for(personas.viewer)
    assert c.get(reverse("telecom:home"))["Location"] == reverse("telecom:figures")
    assert c.get(reverse("telecom:waiver_list")).status_code == 403
    assert c.get(reverse("telecom:waiver_detail", args=[line_of(world["m2"]).pk])).status_code == 403
    page = c.get(reverse("telecom:figures"))
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-figure="numbers">5<' in html and "张携号" not in html
    assert 'data-row="unicom"' in html and 'id="nx-telecom-data"' in html
    assert c.get(reverse("telecom:waiver_list")).status_code == 403


def test_the_worker_page_shows_the_members_numbers(personas, world):
    ported = line_of(world["ported"])
    worker_url = reverse("registry:worker_detail", kwargs={"pk": ported.worker_id})
    html = client_for(personas.yi).get(worker_url).content.decode()
    assert 'id="nx-worker-waivers"' in html and f'data-line="{ported.pk}"' in html and "139****0001" in html
    assert 'id="nx-worker-waivers"' not in client_for(personas.care).get(worker_url).content.decode()
    other = reverse("registry:worker_detail", kwargs={"pk": world["u1"].worker_id})
    assert f'data-line="{ported.pk}"' not in client_for(personas.yi).get(other).content.decode()
