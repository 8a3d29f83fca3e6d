"""What a new user stumbled on in a care contact's pages (issue 11, item 10): the campaign
named once, not on every card; Chinese punctuation; the home page's scope and the account page
fitting a volunteer care contact."""

import re

import pytest
from django.urls import reverse

from nuanxin.accounts import services as account_services
from nuanxin.care import services
from nuanxin.care.models import CareAssignment, VisitDuty
from nuanxin.care.tests.pages_fixtures import W2, client_for, page_world
from nuanxin.core.policy import SYSTEM


@pytest.fixture
def world(personas):
    with page_world(personas) as w:
        yield w


def cards(html: str) -> list[str]:
    return re.findall(r'<li class="list-group-item py-3" data-duty=.*?</li>', html, re.S)


def test_the_campaign_is_named_once_above_the_cards(personas, world):
    html = client_for(personas.care).get(reverse("care:my_week")).content.decode()
    assert html.count(world.campaign.name) == 1
    assert '<p class="small text-secondary mb-2" id="nx-week-campaign">Campaign: 暖心行动</p>' in html
    assert len(cards(html)) == 3 and not any("data-campaign" in card for card in cards(html))


def test_with_two_campaigns_each_card_names_its_own(personas, world):
    other = services.create_campaign(actor=SYSTEM, name="夏送清凉", starts_on=W2)
    CareAssignment.objects.filter(worker=world.a1).update(campaign=other)
    VisitDuty.objects.filter(worker=world.a1, week=W2).update(campaign=other)
    html = client_for(personas.care).get(reverse("care:my_week")).content.decode()
    assert 'id="nx-week-campaign"' not in html
    assert sorted(re.findall(r"<span data-campaign>(.*?)</span>", html)) == ["夏送清凉", "暖心行动", "暖心行动"]


def test_the_week_reads_with_chinese_punctuation(personas, world):
    html = client_for(personas.care, "zh-hans").get(reverse("care:my_week")).content.decode()
    assert "上次走访：<span data-last-visit>2020-01-29</span>" in html
    assert re.search(r"\d{4}-\d{2}-\d{2} 已走访（上门）", html)
    assert "上次走访:" not in html and "(上门)" not in html
    assert '<p class="small text-secondary mb-2" id="nx-week-campaign">行动：暖心行动</p>' in html
    english = client_for(personas.care).get(reverse("care:my_week")).content.decode()
    assert "Last visit: <span data-last-visit>2020-01-29</span>" in english
    assert re.search(r"Visited on \d{4}-\d{2}-\d{2} \(Home visit\)", english)


def test_a_care_contacts_home_says_they_see_their_families(personas, world):
    html = client_for(personas.care, "zh-hans").get("/").content.decode()
    assert '<span class="text-secondary small" data-assigned-only>（指派给您的家庭）</span>' in html
    assert "及其全部下级组织" not in html
    # an administrator's grant still covers the organisations under it
    assert "（及其全部下级组织）" in client_for(personas.yi, "zh-hans").get("/").content.decode()


def test_a_volunteer_care_contact_is_not_offered_api_tokens(personas, world):
    html = client_for(personas.care).get(reverse("accounts:profile")).content.decode()
    assert 'id="nx-tokens"' not in html and "API tokens" not in html
    # once given one (by an administrator), they see it, to revoke it
    account_services.create_api_token(actor=SYSTEM, user=personas.care, expires_days=30, name="app")
    html = client_for(personas.care).get(reverse("accounts:profile")).content.decode()
    assert 'id="nx-tokens"' in html
    # the other roles keep the section
    for user in (personas.yi, personas.viewer, personas.auditor):
        assert 'id="nx-tokens"' in client_for(user).get(reverse("accounts:profile")).content.decode()


def test_chinese_punctuation_on_the_family_the_difficulty_and_the_account_pages(personas, world):
    from django.utils import timezone

    visit = services.record_visit(
        actor=personas.care, worker=world.a3, on=W2, mode="home", state_of_mind="平稳",
        items=[{"item": "大米", "quantity": "10", "unit": "斤", "value": "50"}],
        difficulties=[{"description": "孩子网课没有电脑", "category": "childcare"}],
    )
    client = client_for(personas.care, "zh-hans")
    html = client.get(reverse("care:family", args=[world.a3.pk])).content.decode()
    assert "生活用品：大米 × 10斤（¥50.00）" in html
    assert "思想动态：平稳" in html
    difficulty = visit.difficulties.get()
    html = client.get(reverse("care:difficulty_detail", args=[difficulty.pk])).content.decode()
    assert f"走访中提出{W2.isoformat()}（" not in html  # no bracket glued to the wrong side
    assert f"走访中提出（{W2.isoformat()}）" in html
    personas.care.password_changed_at = timezone.now()
    personas.care.save(update_fields=["password_changed_at"])
    html = client.get(reverse("accounts:profile")).content.decode()
    assert "密码：" in html and "密码:" not in html
    assert "两步登录：" in html
    english = client_for(personas.care).get(reverse("care:family", args=[world.a3.pk])).content.decode()
    assert "Necessities: 大米 × 10斤 (¥50.00)" in english
