"""On the nomination's page every action that needs a comment (withdraw, return, reject, not
award) is a button (a filled ``<summary>``, no text box look-alike) that opens its labelled,
required comment box with its own confirm button; the actions without a comment are plain
buttons. Works without script (``<details>``)."""

import re

import pytest
from django.urls import reverse

from nuanxin.honours.tests.fixtures import nomination
from nuanxin.honours.tests.test_pages_flow import client_for

pytestmark = pytest.mark.django_db


def test_the_withdraw_control_is_a_button_opening_a_labelled_comment_box(hw):
    n = nomination(hw)
    page = client_for(hw.unit_admin).get(reverse("honours:nomination_detail", args=[n.pk]))
    html = page.content.decode()
    actions = html[html.index('id="nx-actions"'):html.index("</section>", html.index('id="nx-actions"'))]

    assert re.findall(r'<summary class="([^"]*)" id="nx-open-(\w+)">([^<]*)</summary>', actions) == [
        ("btn btn-secondary w-100", "withdraw", "Withdraw (a comment is needed)")]
    block = actions[actions.index('<details class="nx-action-note">'):actions.index("</details>")]
    assert '<label class="form-label" for="nx-note-withdraw">Why it is withdrawn</label>' in block
    assert re.search(r'<textarea class="form-control" name="note" rows="3" required id="nx-note-withdraw">', block)
    assert '<button type="submit" class="btn btn-secondary" id="nx-do-withdraw">Confirm: Withdraw</button>' in block
    # Submitting needs no comment: a plain button, no box.
    assert '<button type="submit" class="btn btn-primary" id="nx-do-submit">Submit for review</button>' in actions
    assert "nx-note-submit" not in actions


def test_a_refused_comment_comes_back_with_its_box_open(hw):
    n = nomination(hw)
    page = client_for(hw.unit_admin).post(reverse("honours:nomination_action", args=[n.pk]),
                                          {"action": "withdraw", "note": "", "version": n.version})
    html = page.content.decode()
    assert '<details class="nx-action-note" open>' in html
    assert "Say why: this step needs a comment or a reason." in html
    n.refresh_from_db()
    assert n.status == "draft"
