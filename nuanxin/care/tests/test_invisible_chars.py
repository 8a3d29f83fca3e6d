"""Care's text inputs follow the shared rule of core/plaintext.py (issue 10): a control or
direction-reversing character is refused with the field's name, zero-width characters are
dropped from a single line, and nothing is saved."""

import json
from datetime import date

import pytest
from django.test import Client

from nuanxin.accounts.services import create_api_token
from nuanxin.care import services
from nuanxin.care.models import Campaign, Difficulty, Visit
from nuanxin.care.tests.pages_fixtures import WED, page_world
from nuanxin.core.errors import ServiceError
from nuanxin.core.policy import SYSTEM

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.fixture
def world(personas):
    with page_world(personas) as w:
        yield w


def refusal(label: str, chars: str) -> str:
    return (
        f"{label} contains invisible control characters ({chars}), such as ones that reverse the "
        "direction of the text: type it again rather than pasting it."
    )


def test_a_visit_whose_notes_reverse_the_text_is_refused_on_the_api(personas, world):
    _token, secret = create_api_token(actor=SYSTEM, user=personas.care, expires_days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")
    visits = Visit.objects.count()
    body = {"worker": world.a1.pk, "on": "2020-02-04", "mode": "phone", "notes": "一切\u202e安好"}
    answer = client.post("/api/v1/visits", json.dumps(body), content_type="application/json")
    assert answer.status_code == 400
    assert answer.json() == {"code": "invalid", "message": refusal("notes", "U+202E"), "field": "notes"}
    assert Visit.objects.count() == visits


def test_a_necessity_with_a_bell_character_is_refused(personas, world):
    with pytest.raises(ServiceError) as refused:
        services.record_visit(
            actor=personas.care, worker=world.a1, on=WED, items=[{"item": "口\u0007罩", "quantity": 1}]
        )
    assert (refused.value.message, refused.value.field) == (refusal("Item", "U+0007"), "items.0.item")


def test_difficulty_texts_refuse_direction_characters_and_keep_line_breaks(personas, world):
    with pytest.raises(ServiceError) as refused:
        services.open_difficulty(actor=personas.care, worker=world.a1, description="缺\u2066口罩")
    assert refused.value.message == refusal("Description", "U+2066")
    difficulty = services.open_difficulty(actor=personas.care, worker=world.a1, description="缺口罩\n缺消毒液")
    assert Difficulty.objects.get(pk=difficulty.pk).description == "缺口罩\n缺消毒液"
    with pytest.raises(ServiceError) as refused:
        services.add_difficulty_note(actor=personas.care, difficulty=difficulty, text="已\u200f联系")
    assert refused.value.message == refusal("Note", "U+200F")


def test_a_campaign_name_loses_its_zero_width_spaces(personas):
    campaign = services.create_campaign(actor=personas.jia, name="暖心\u200b行动二期", starts_on=date(2020, 3, 2))
    assert Campaign.objects.get(pk=campaign.pk).name == "暖心行动二期"

