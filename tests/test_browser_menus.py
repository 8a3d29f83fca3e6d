"""Every role on a phone: signs in, finds exactly its menu entries, and every entry opens
(status < 400), without a console error or CSP violation, no wider than the screen.

Built on the ``personas`` of ``conftest.py`` and a little world made through the services (a
running campaign, two families assigned to the care contact, a visit, a difficulty, a
notification), so that no page is only its empty state. Uses the ``browser`` fixture of
``tests/browser.py``.
"""

from datetime import timedelta

import pytest

from tests.browser import PHONE, csp_violations, page_width, sign_in, watch

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ADMIN_MENU = [
    "/",
    "/register/",
    "/register/imports/",
    "/care/overview/",
    "/care/difficulties/",
    "/care/assignments/",
]
HOTLINE_ADMIN_MENU = ["/hotline/", "/hotline/rota/", "/hotline/figures/"]
# The measures' own areas: funds, commendations, the mutual-aid scheme, recuperation, labour
# protection, the produce supply, the fee waiver.
FUNDS_HONOURS_MENU = [
    "/funds/", "/reports/", "/honours/", "/welfare/", "/volunteers/", "/recuperation/", "/labour/", "/produce/",
    "/telecom/",
]  # fmt: skip
ACCOUNT_MENU = ["/notifications/", "/accounts/me/"]
MENUS = {
    "jia": [
        *ADMIN_MENU,
        "/care/campaigns/",
        *HOTLINE_ADMIN_MENU,
        *FUNDS_HONOURS_MENU,
        "/orgs/",
        "/users/",
        *ACCOUNT_MENU,
    ],
    "yi": [*ADMIN_MENU, *HOTLINE_ADMIN_MENU, *FUNDS_HONOURS_MENU, "/orgs/", "/users/", *ACCOUNT_MENU],
    "bing": [*ADMIN_MENU, *HOTLINE_ADMIN_MENU, *FUNDS_HONOURS_MENU, "/orgs/", "/users/", *ACCOUNT_MENU],
    "care": ["/", "/register/", "/care/week/", "/care/difficulties/", "/labour/", "/produce/", *ACCOUNT_MENU],
    "counsellor": [
        "/", "/hotline/calls/", "/hotline/callbacks/", "/hotline/crisis/", "/hotline/assessments/",
        "/hotline/rota/mine/", "/hotline/", "/hotline/figures/", *ACCOUNT_MENU,
    ],
    "auditor": ["/", "/hotline/", "/hotline/figures/", *FUNDS_HONOURS_MENU, "/audit/", *ACCOUNT_MENU],
    "viewer": ["/", "/care/overview/", "/hotline/", "/hotline/figures/", *FUNDS_HONOURS_MENU, *ACCOUNT_MENU],
}


@pytest.fixture
def world(personas):
    """Families of the 市南区 hospital in a running campaign, cared for by the care contact."""
    from django.utils import timezone

    from nuanxin.care import services as care
    from nuanxin.notify import services as notify
    from nuanxin.registry import services as registry

    today = timezone.localdate()
    campaign = care.create_campaign(
        actor=personas.jia, name="关爱抗疫一线医护人员及其家庭成员暖心行动", starts_on=today - timedelta(days=21)
    )
    families = []
    for i, (name, member) in enumerate([("王芳", "李强"), ("赵敏", "孙磊")]):
        worker = registry.create_worker(
            actor=personas.yi,
            organisation=personas.shinan_hospital,
            name=name,
            team="hubei_aid",
            mobile=f"1380000{i + 11:04d}",
        )
        registry.add_family_member(
            actor=personas.yi, worker=worker, name=member, relation="丈夫", mobile=f"1390000{i + 11:04d}"
        )
        families.append(worker)
    registry.create_worker(
        actor=personas.bing, organisation=personas.shibei_hospital, name="钱七", team="cdc", mobile="13800007777"
    )
    care.bulk_assign(actor=personas.yi, campaign=campaign, workers=families, contact=personas.care)
    care.record_visit(actor=personas.care, worker=families[0], on=today, mode="phone", state_of_mind="情绪稳定")
    care.open_difficulty(
        actor=personas.care, worker=families[1], description="孩子上网课无人辅导", category="childcare"
    )
    for user in (personas.jia, personas.yi, personas.care, personas.viewer):
        notify.notify(recipient=user, kind="test.menu", occasion="1", title="本周有 2 户家庭待走访", url="/care/week/")
    return personas


@pytest.mark.parametrize("username", list(MENUS))
def test_every_menu_entry_opens_cleanly_on_a_phone(live_server, browser, world, username):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, username, world.password)

    # The menu is folded on a phone: it opens, and holds exactly this role's entries.
    page.click(".navbar-toggler")
    page.wait_for_selector("#nx-nav.show")
    links = page.eval_on_selector_all("#nx-nav a.nav-link", "els => els.map(e => e.getAttribute('href'))")
    assert links == MENUS[username]
    assert page_width(page) <= PHONE["width"]

    for href in links:
        response = page.goto(f"{live_server.url}{href}")
        assert response.status < 400, href
        assert page_width(page) <= PHONE["width"], href
        assert (errors, csp_violations(page)) == ([], []), href
    context.close()


@pytest.mark.parametrize("username", ["jia", "care"])
def test_an_empty_register_says_what_to_do(live_server, browser, personas, username):
    """Before anything is imported: every menu entry still opens cleanly, and the register and
    the care contact's week say what comes next instead of showing an empty table."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors = watch(page)
    sign_in(page, live_server.url, username, personas.password)
    for href in MENUS[username]:
        response = page.goto(f"{live_server.url}{href}")
        assert response.status < 400, href
        assert page_width(page) <= PHONE["width"], href
    assert errors == []

    page.goto(f"{live_server.url}/register/")
    empty = page.locator("#nx-workers-empty")
    if username == "jia":
        # An administrator is pointed at the import page and the new-worker form.
        assert empty.locator("a").evaluate_all("els => els.map(e => e.getAttribute('href'))") == [
            "/register/imports/",
            "/register/new/",
        ]
    else:
        assert empty.locator("a").count() == 0
        page.goto(f"{live_server.url}/care/week/")
        assert page.locator("#nx-week-empty").count() == 1
    context.close()
