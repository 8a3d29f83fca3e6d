"""Hotlines, their lines and members: the services (details with a version, lines changed and
deactivated, members who must hold the role) and the pages (who sees which hotline, what the
hotline's page shows, the administrators' forms)."""

from datetime import time

import pytest
from django.test import Client
from django.urls import reverse

from nuanxin.core.errors import Conflict, NotAllowed, ServiceError
from nuanxin.core.models import AuditLog
from nuanxin.core.policy import SYSTEM
from nuanxin.core.roles import Role
from nuanxin.hotline.choices import Channel, MemberKind
from nuanxin.hotline.models import Hotline, HotlineLine, HotlineMember
from nuanxin.hotline.services import hotlines as services
from nuanxin.orgs import services as org_services

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    c = Client()
    c.cookies["nuanxin_language"] = "en"
    c.force_login(user)
    return c


# --- services ---------------------------------------------------------------------------------


def test_update_hotline_changes_the_details_and_counts_the_version(personas, h, english):
    hotline = services.update_hotline(
        actor=personas.jia,
        hotline=h.city,
        version=1,
        name="青岛市总工会心理健康服务基地",
        online_channel="微信公众号",
        always_open=False,
        opens_at=time(8, 0),
        closes_at=time(22, 0),
        min_seats=3,
        self_assessment_open=False,
    )
    hotline.refresh_from_db()
    assert (hotline.online_channel, hotline.always_open, hotline.min_seats) == ("微信公众号", False, 3)
    assert (hotline.opens_at, hotline.closes_at, hotline.self_assessment_open) == (time(8), time(22), False)
    assert hotline.version == 2
    row = AuditLog.objects.get(action="hotline.update")
    assert row.detail["changed"] == [
        "online_channel",
        "always_open",
        "opens_at",
        "closes_at",
        "min_seats",
        "self_assessment_open",
    ]
    assert row.detail["opens_at"] == "08:00"
    assert row.organisation_id == h.medical.pk
    # on the audit page the changed fields are named by their labels, not their codes
    from django.utils import translation

    from nuanxin.core.templatetags.nuanxin_audit import audit_detail

    with translation.override("en"):
        shown = audit_detail(row.detail, "hotline.update")
    assert (
        "Changed: [Online channel, Open round the clock, Opens at, Closes at, Minimum seats per shift, "
        "Public self-assessment open]"
    ) in shown
    assert "online_channel" not in shown and "self_assessment_open" not in shown


def test_update_hotline_from_an_old_version_is_a_conflict(personas, h, english):
    services.update_hotline(actor=personas.jia, hotline=h.city, version=1, name="新名称")
    with pytest.raises(Conflict):
        services.update_hotline(actor=personas.jia, hotline=h.city, version=1, name="另一个名称")
    h.city.refresh_from_db()
    assert (h.city.name, h.city.version) == ("新名称", 2)


def test_update_hotline_without_a_change_saves_nothing(personas, h):
    services.update_hotline(actor=personas.jia, hotline=h.city, version=1, name=h.city.name)
    h.city.refresh_from_db()
    assert h.city.version == 1
    assert AuditLog.objects.filter(action="hotline.update").count() == 0


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"name": "  "}, "name", "Enter the name."),
        ({"always_open": False}, "opens_at", "Give the opening and closing times, or tick “open round the clock”."),
        (
            {"always_open": False, "opens_at": time(8), "closes_at": time(8)},
            "closes_at",
            "The opening and closing times are the same: tick “open round the clock” instead.",
        ),
        ({"min_seats": 0}, "min_seats", "The minimum seats must be between 1 and 50."),
        ({"online_channel": "x" * 201}, "online_channel", "The online channel must be at most 200 characters."),
    ],
)
def test_update_hotline_refuses_bad_input(personas, h, english, values, field, message):
    with pytest.raises(ServiceError) as exc:
        services.update_hotline(actor=personas.jia, hotline=h.city, version=1, **{"name": "热线", **values})
    assert (exc.value.field, exc.value.message) == (field, message)
    h.city.refresh_from_db()
    assert h.city.version == 1


def test_only_the_organisations_administrators_change_a_hotline(personas, h):
    for outsider in (personas.bing, personas.yi, personas.viewer, personas.auditor, h.supervisor, h.coordinator):
        with pytest.raises(NotAllowed):
            services.update_hotline(actor=outsider, hotline=h.city, name="改名")
    with pytest.raises(NotAllowed):
        services.create_hotline(actor=personas.bing, organisation=h.medical, name="越权热线")
    assert Hotline.objects.count() == 2


def test_a_hotline_opened_overnight(personas, h):
    hotline = services.create_hotline(
        actor=personas.bing,
        organisation=personas.shibei,
        name="夜间热线",
        always_open=False,
        opens_at=time(20, 0),
        closes_at=time(8, 0),
    )
    assert (hotline.opens_at, hotline.closes_at, hotline.always_open) == (time(20), time(8), False)


def test_lines_are_changed_deactivated_and_put_back(personas, h, english):
    line = services.update_line(
        actor=personas.jia, line=h.line, version=1, label="心理援助热线", number="0532-85669120", order=2
    )
    line.refresh_from_db()
    assert (line.label, line.number, line.order, line.version) == ("心理援助热线", "0532-85669120", 2, 2)
    with pytest.raises(Conflict):
        services.update_line(actor=personas.jia, line=h.line, version=1, label="x", number="400")
    services.deactivate_line(actor=personas.jia, line=h.line, version=2)
    h.line.refresh_from_db()
    assert (h.line.active, h.line.version) == (False, 3)
    services.set_line_active(actor=personas.jia, line=h.line, active=True)
    h.line.refresh_from_db()
    assert h.line.active is True
    actions = list(AuditLog.objects.filter(action__startswith="hotline.line_").values_list("action", flat=True))
    assert actions.count("hotline.line_update") == 1
    assert actions.count("hotline.line_deactivate") == 1
    assert actions.count("hotline.line_activate") == 1
    with pytest.raises(NotAllowed):
        services.deactivate_line(actor=personas.bing, line=h.line)


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"label": ""}, "label", "Enter the label."),
        ({"number": ""}, "number", "Enter the number of a phone line."),
        ({"number": "热线"}, "number", "“热线” is not a phone number."),
        ({"number": "1" * 41}, "number", "The number must be at most 40 characters."),
        ({"channel": "fax"}, "channel", "Choose a channel."),
        ({"order": 1000}, "order", "The order must be between 0 and 999."),
    ],
)
def test_a_line_refuses_bad_input(personas, h, english, values, field, message):
    with pytest.raises(ServiceError) as exc:
        services.add_line(actor=personas.jia, hotline=h.city, **{"label": "热线", "number": "400-1", **values})
    assert (exc.value.field, exc.value.message) == (field, message)
    assert HotlineLine.objects.filter(hotline=h.city).count() == 2


def test_an_online_line_needs_no_number(personas, h):
    line = services.add_line(actor=personas.jia, hotline=h.city, label="微信", channel=Channel.ONLINE)
    assert (line.number, line.channel) == ("", Channel.ONLINE)


# --- pages ------------------------------------------------------------------------------------


def test_the_list_shows_each_user_their_hotlines(personas, h):
    page = client_for(h.counsellor).get(reverse("hotline:hotline_list"))
    assert page.status_code == 200
    assert [x.pk for x in page.context["hotlines"]] == [h.city.pk]
    html = page.content.decode()
    assert 'href="tel:4008692525"' in html
    assert "市北区职工心理服务中心" not in html
    page = client_for(h.stranger).get(reverse("hotline:hotline_list"))
    assert [x.pk for x in page.context["hotlines"]] == [h.other.pk]
    page = client_for(personas.jia).get(reverse("hotline:hotline_list"))
    assert [x.pk for x in page.context["hotlines"]] == [h.other.pk, h.city.pk] or [
        x.pk for x in page.context["hotlines"]
    ] == [h.city.pk, h.other.pk]
    assert page.context["may_create"] is True
    assert client_for(personas.care).get(reverse("hotline:hotline_list")).status_code == 403


def test_the_hotline_page(personas, h):
    page = client_for(h.counsellor).get(reverse("hotline:hotline_detail", kwargs={"pk": h.city.pk}))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="tel:4008692525"' in html
    assert "Round the clock" in html
    members = page.context["members"]
    assert [m.user for m in members.counsellors] == sorted(
        [h.counsellor, h.colleague], key=lambda u: (u.full_name, u.username)
    )
    assert [m.user for m in members.supervisors] == [h.supervisor]
    assert [m.user for m in members.coordinators] == [h.coordinator]
    assert page.context["manage"] is False
    assert page.context["staff"] is True
    assert reverse("hotline:hotline_edit", kwargs={"pk": h.city.pk}) not in html
    # A counsellor of another hotline: the same 404 as a missing one.
    assert client_for(h.stranger).get(reverse("hotline:hotline_detail", kwargs={"pk": h.city.pk})).status_code == 404
    assert client_for(personas.bing).get(reverse("hotline:hotline_detail", kwargs={"pk": h.city.pk})).status_code == 404
    admin = client_for(personas.jia).get(reverse("hotline:hotline_detail", kwargs={"pk": h.city.pk}))
    assert admin.context["manage"] is True
    assert reverse("hotline:hotline_edit", kwargs={"pk": h.city.pk}) in admin.content.decode()
    auditor = client_for(personas.auditor).get(reverse("hotline:hotline_detail", kwargs={"pk": h.city.pk}))
    assert (auditor.status_code, auditor.context["staff"], auditor.context["manage"]) == (200, False, False)
    assert 'id="nx-public-link"' not in auditor.content.decode()
    assert 'id="nx-public-link"' in html
    assert 'id="nx-on-duty"' in html


def labels(page) -> list[str]:
    return [str(label) for label, _url in page.context["links"]]


def test_the_hotline_page_links_to_the_pages_each_user_may_use(personas, h):
    url = reverse("hotline:hotline_detail", kwargs={"pk": h.city.pk})
    counsellor = client_for(h.counsellor).get(url)
    assert labels(counsellor) == [
        "Duty rota", "Log a call", "Calls", "Callbacks", "Crisis cases", "Assessments", "Hotline figures"
    ]
    links = dict(counsellor.context["links"])
    assert links["Calls"] == reverse("hotline:call_list") + f"?hotline={h.city.pk}"
    assert links["Duty rota"] == reverse("hotline:rota_week", kwargs={"pk": h.city.pk})
    assert links["Hotline figures"] == reverse("hotline:stats") + f"?org=YW&hotline={h.city.pk}"
    assert labels(client_for(h.coordinator).get(url)) == ["Duty rota", "Hours per counsellor", "Hotline figures"]
    # Administrators and auditors: the rota and the figures, never a record page.
    assert labels(client_for(personas.auditor).get(url)) == ["Duty rota", "Hotline figures"]
    assert labels(client_for(personas.jia).get(url)) == ["Duty rota", "Hours per counsellor", "Hotline figures"]


def test_create_a_hotline_on_the_page(personas, h):
    c = client_for(personas.bing)
    form = c.get(reverse("hotline:hotline_create"))
    assert [o.pk for o in form.context["form"].fields["organisation"].queryset] == [
        personas.shibei.pk,
        personas.shibei_hospital.pk,
    ]
    response = c.post(
        reverse("hotline:hotline_create"),
        {
            "organisation": personas.shibei_hospital.pk,
            "name": "市北区人民医院心理热线",
            "always_open": "on",
            "min_seats": "2",
        },
    )
    hotline = Hotline.objects.get(name="市北区人民医院心理热线")
    assert response.status_code == 302
    assert response["Location"] == reverse("hotline:hotline_detail", kwargs={"pk": hotline.pk})
    assert (hotline.organisation, hotline.created_by, hotline.always_open) == (
        personas.shibei_hospital,
        personas.bing,
        True,
    )
    # An organisation outside 丙's scope is not offered: the form says so and nothing is made.
    refused = c.post(reverse("hotline:hotline_create"), {"organisation": h.medical.pk, "name": "越权", "min_seats": 2})
    assert refused.status_code == 200
    assert "organisation" in refused.context["form"].errors
    assert not Hotline.objects.filter(name="越权").exists()


def test_edit_a_hotline_on_the_page(personas, h):
    c = client_for(personas.jia)
    url = reverse("hotline:hotline_edit", kwargs={"pk": h.city.pk})
    assert c.get(url).context["form"].initial["version"] == 1
    data = {"name": "心理健康服务基地", "min_seats": "3", "opens_at": "08:00", "closes_at": "20:00", "version": "1"}
    response = c.post(url, data)
    assert response.status_code == 302
    h.city.refresh_from_db()
    assert (h.city.name, h.city.min_seats, h.city.always_open, h.city.closes_at) == (
        "心理健康服务基地",
        3,
        False,
        time(20),
    )
    stale = c.post(url, {**data, "name": "旧页面"})
    assert stale.status_code == 200
    assert "after you opened it" in " ".join(stale.context["form"].non_field_errors())
    h.city.refresh_from_db()
    assert h.city.name == "心理健康服务基地"


def test_lines_on_the_page(personas, h):
    c = client_for(personas.jia)
    response = c.post(
        reverse("hotline:line_create", kwargs={"hotline_id": h.city.pk}),
        {"label": "心理援助热线", "number": "0532-83092325", "channel": "phone", "order": "2"},
    )
    assert response.status_code == 302
    line = HotlineLine.objects.get(hotline=h.city, number="0532-83092325")
    response = c.post(
        reverse("hotline:line_edit", kwargs={"pk": line.pk}),
        {"label": "心理援助热线（二）", "number": "0532-83092325", "channel": "phone", "order": "3", "version": "1"},
    )
    assert response.status_code == 302
    line.refresh_from_db()
    assert (line.label, line.order) == ("心理援助热线（二）", 3)
    response = c.post(reverse("hotline:line_active", kwargs={"pk": line.pk}), {"active": "0", "version": "2"})
    assert response.status_code == 302
    line.refresh_from_db()
    assert line.active is False
    page = c.get(reverse("hotline:hotline_detail", kwargs={"pk": h.city.pk}))
    assert "not in use" in page.content.decode()
    # A stale page: said on the hotline's page, nothing changed.
    response = c.post(reverse("hotline:line_active", kwargs={"pk": line.pk}), {"active": "1", "version": "2"})
    line.refresh_from_db()
    assert (response.status_code, line.active) == (302, False)
    assert (
        client_for(personas.bing)
        .post(reverse("hotline:line_active", kwargs={"pk": line.pk}), {"active": "1"})
        .status_code
        == 404
    )


def test_members_on_the_page(personas, h):
    c = client_for(personas.jia)
    url = reverse("hotline:member_create", kwargs={"hotline_id": h.city.pk})
    page = c.get(url)
    assert page.status_code == 200
    # One tab per kind; the picker offers the holders of the tab's role only.
    assert page.context["tabs"] == [("counsellor", "Counsellor", 2), ("supervisor", "Supervisor", 1),
                                    ("hotline_coordinator", "Coordinator", 1)]
    offered = {u.username for u in page.context["form"].fields["user"].queryset}
    assert offered == {"counsellor", "hotline-colleague"}
    page = c.get(url + "?kind=supervisor")
    assert {u.username for u in page.context["form"].fields["user"].queryset} == {"hotline-supervisor"}
    newcomer, _pw = org_services.create_user(
        actor=SYSTEM, username="newcomer", organisation=h.medical, role=Role.SUPERVISOR, full_name="新督导"
    )
    response = c.post(url, {"kind": MemberKind.SUPERVISOR, "user": newcomer.pk})
    assert response.status_code == 302
    member = HotlineMember.objects.get(hotline=h.city, user=newcomer)
    assert (member.kind, member.active, member.created_by) == (MemberKind.SUPERVISOR, True, personas.jia)
    # The counsellor holds no supervisor role: refused on the form, nothing added.
    refused = c.post(url, {"kind": MemberKind.SUPERVISOR, "user": h.counsellor.pk})
    assert refused.status_code == 200
    assert refused.context["form"].errors["user"] == [
        "This person does not hold the role “Supervisor” for the hotline's organisation: grant it first on the "
        "accounts page."
    ]
    assert not HotlineMember.objects.filter(hotline=h.city, user=h.counsellor, kind=MemberKind.SUPERVISOR).exists()
    # Removing: a confirmation page, then the membership ends.
    remove = reverse("hotline:member_remove", kwargs={"pk": member.pk})
    assert c.get(remove).status_code == 200
    assert c.post(remove).status_code == 302
    member.refresh_from_db()
    assert member.active is False


def test_the_member_page_says_who_must_be_granted_the_role_first(personas, h):
    hotline = services.create_hotline(actor=SYSTEM, organisation=personas.shinan, name="市南区热线")
    url = reverse("hotline:member_create", kwargs={"hotline_id": hotline.pk})
    page = client_for(personas.yi).get(url + "?kind=supervisor")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        "Nobody holds the role “Supervisor” for 市南区总工会 yet: grant it to the person first on the accounts page, "
        "then add them here." in html
    )
    assert 'id="nx-member-form"' not in html
    # A counsellor of 市南区 is then offered on the counsellors' tab, and only there.
    org_services.create_user(actor=SYSTEM, username="sn-counsellor", organisation=personas.shinan,
                             role=Role.COUNSELLOR)
    page = client_for(personas.yi).get(url)
    assert [u.username for u in page.context["form"].fields["user"].queryset] == ["sn-counsellor"]
    assert 'id="nx-member-form"' in page.content.decode()


def test_the_menu_entry(personas, h):
    from nuanxin.hotline.views.hotlines import MENU

    entry = MENU[0]
    assert entry.url_name == "hotline:hotline_list"
    assert [entry.visible(u) for u in (h.counsellor, personas.jia, personas.viewer, personas.care)] == [
        True,
        True,
        True,
        False,
    ]
