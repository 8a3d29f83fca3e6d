"""The worker search is a button of the nomination form (create and edit): pressing it sends the
whole form, so the story and everything else typed come back with the workers found, and
nothing is saved; a worker chosen before stays chosen. The save button then saves as before."""

import re

import pytest
from django.urls import reverse

from nuanxin.honours.models import Nomination
from nuanxin.honours.tests.authz_pages import png
from nuanxin.honours.tests.fixtures import PERSON
from nuanxin.honours.tests.test_pages_flow import client_for, messages_of

pytestmark = pytest.mark.django_db

STORY = "驰援武汉六十余天，负责重症病房护理。\n返青后继续参加核酸检测。"


def checked_worker(html: str) -> list[str]:
    return re.findall(r'<input[^>]*name="worker" value="(\d+)"[^>]*checked', html)


def test_searching_on_the_new_nomination_page_keeps_the_story(hw):
    p = hw.p
    unit = client_for(hw.unit_admin)
    create = reverse("honours:nomination_create", args=[hw.call.pk])
    person = hw.type(PERSON)

    page = unit.get(create, {"award_type": person.pk})
    html = page.content.decode()
    # One form: the search box and its button are inside the nomination form, before the save button.
    form = html[html.index('id="nx-nomination-form"'):html.index("</form>", html.index('id="nx-nomination-form"'))]
    assert 'name="q"' in form
    assert form.index('name="action" value="search"') < form.index('name="action" value="save"')

    page = unit.post(create, {"award_type": person.pk, "organisation": p.shinan_hospital.pk, "story": STORY,
                              "q": "张援鄂", "action": "search", "uploads": png("合影.png")})
    assert page.status_code == 200
    assert [w.pk for w in page.context["found"]] == [hw.aid_worker.pk]
    form = page.context["form"]
    assert not form.is_bound  # nothing checked, no error shown
    html = page.content.decode()
    assert f">\n{STORY}</textarea>" in html
    assert 'value="张援鄂"' in html
    assert f'<option value="{p.shinan_hospital.pk}" selected>' in html
    assert messages_of(page) == ["Files you had chosen were not kept: choose the photos and documents again "
                                 "before saving."]
    assert Nomination.objects.count() == 0

    # The worker chosen, then another search: the choice and the story stay.
    page = unit.post(create, {"award_type": person.pk, "organisation": p.shinan_hospital.pk, "story": STORY,
                              "worker": hw.aid_worker.pk, "q": "李护士", "action": "search"})
    assert [w.pk for w in page.context["found"]] == [hw.aid_worker.pk, hw.nurse.pk]
    assert checked_worker(page.content.decode()) == [str(hw.aid_worker.pk)]
    assert page.context["form"]["story"].value() == STORY
    assert Nomination.objects.count() == 0

    # Saved with the save button: the draft has the story typed before the search.
    done = unit.post(create, {"award_type": person.pk, "organisation": p.shinan_hospital.pk, "story": STORY,
                              "worker": hw.aid_worker.pk, "q": "李护士", "action": "save"}, follow=True)
    n = Nomination.objects.get()
    assert done.redirect_chain == [(reverse("honours:nomination_detail", args=[n.pk]), 302)]
    assert (n.worker, n.story) == (hw.aid_worker, STORY)


def test_searching_on_the_edit_page_keeps_the_story_and_the_version(hw):
    p = hw.p
    unit = client_for(hw.unit_admin)
    create = reverse("honours:nomination_create", args=[hw.call.pk])
    person = hw.type(PERSON)
    unit.post(create, {"award_type": person.pk, "organisation": p.shinan_hospital.pk, "worker": hw.aid_worker.pk,
                       "story": "初稿。", "action": "save"})
    n = Nomination.objects.get()
    edit = reverse("honours:nomination_edit", args=[n.pk])
    opened = n.version

    page = unit.post(edit, {"worker": hw.aid_worker.pk, "story": STORY, "version": opened, "q": "李护士",
                            "action": "search"})
    assert page.status_code == 200
    assert [w.pk for w in page.context["found"]] == [hw.nurse.pk]
    html = page.content.decode()
    assert page.context["form"]["story"].value() == STORY
    assert f'name="version" value="{opened}"' in html
    assert checked_worker(html) == [str(hw.aid_worker.pk)]
    assert f'value="{hw.nurse.pk}"' in html
    n.refresh_from_db()
    assert (n.story, n.version) == ("初稿。", opened)

    # The nurse chosen from the results, then saved.
    done = unit.post(edit, {"worker": hw.nurse.pk, "story": STORY, "version": opened, "q": "李护士",
                            "action": "save"})
    assert done.status_code == 302
    n.refresh_from_db()
    assert n.worker == hw.nurse
    assert n.story == STORY

