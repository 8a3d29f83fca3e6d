"""core/versioning.py: the one optimistic-concurrency mechanism of every edit page and PATCH."""

import pytest
from django.test import RequestFactory
from django.utils import timezone

from nuanxin.core import versioning
from nuanxin.core.errors import Conflict, ServiceError
from nuanxin.registry import services
from nuanxin.registry.tests.helpers import make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(english):
    return english


@pytest.mark.parametrize("given, expected", [(3, 3), ("3", 3), ('"3"', 3), ('W/"3"', 3), (" 12 ", 12), (None, None),
                                             ("", None)])
def test_parse_reads_a_form_body_or_header_version(given, expected):
    assert versioning.parse(given) == expected


@pytest.mark.parametrize("given", ["x", "0", "-1", '"a"', "*", True, 2**40, "1.5"])
def test_parse_refuses_what_is_not_a_version(given):
    with pytest.raises(ServiceError) as exc:
        versioning.parse(given)
    assert (exc.value.message, exc.value.field, exc.value.status) == (
        "The version must be a whole number of 1 or more.", "version", 400
    )


def test_check_version_names_who_changed_the_record_and_when(personas):
    worker = make_worker(personas.shinan_hospital, "张三")
    assert worker.version == 1
    services.update_worker(actor=personas.yi, worker=worker, version=1, post_title="主任医师")
    worker.refresh_from_db()
    assert worker.version == 2
    when = timezone.localtime(worker.history.order_by("-history_date").first().history_date).strftime("%Y-%m-%d %H:%M")
    versioning.check_version(worker, 2)  # the current version passes
    versioning.check_version(worker, None)  # an internal caller: no check
    with pytest.raises(Conflict) as exc:
        versioning.check_version(worker, 1)
    assert (exc.value.status, exc.value.code, exc.value.field) == (409, "conflict", "version")
    assert exc.value.message == (
        f"乙 changed this record at {when}, after you opened it. Your changes were not saved: "
        "reload it to see theirs, then make yours again."
    )


def test_the_conflict_message_without_a_known_author_or_time():
    class Bare:
        version = 5

    with pytest.raises(Conflict) as exc:
        versioning.check_version(Bare(), 4)
    assert exc.value.message == (
        "Someone else changed this record after you opened it. Your changes were not saved: "
        "reload it to see theirs, then make yours again."
    )


def test_version_from_request_takes_the_body_or_if_match_and_requires_one():
    factory = RequestFactory()
    assert versioning.version_from_request(factory.patch("/x"), 4) == 4
    assert versioning.version_from_request(factory.patch("/x", HTTP_IF_MATCH='"7"'), None) == 7
    assert versioning.version_from_request(factory.patch("/x", HTTP_IF_MATCH='"7"'), 7) == 7
    with pytest.raises(ServiceError) as differ:
        versioning.version_from_request(factory.patch("/x", HTTP_IF_MATCH='"7"'), 6)
    assert (differ.value.status, differ.value.message) == (
        400, "The version in the body and the If-Match header differ."
    )
    with pytest.raises(versioning.VersionRequired) as missing:
        versioning.version_from_request(factory.patch("/x"), None)
    assert (missing.value.status, missing.value.code, missing.value.field) == (428, "version_required", "version")
    assert missing.value.message == (
        "Send the version you read (the “version” of the GET answer, in the body or as the header "
        "If-Match: \"<version>\"), so that a change made since is not overwritten."
    )


def test_the_form_mixin_carries_the_version_hidden_and_shows_its_problems_above_the_form():
    from django import forms

    class Edit(versioning.VersionedForm):
        name = forms.CharField()

    unbound = Edit(version=3)
    assert unbound["version"].value() == 3
    assert 'type="hidden" name="version" value="3"' in str(unbound["version"])
    missing = Edit({"name": "x"})
    assert (missing.is_valid(), missing.non_field_errors()) == (
        False, ["The form is missing its version: reload the page and make your changes again."]
    )
    assert "version" not in missing.errors
    conflict = Edit({"name": "x", "version": "2"})
    assert conflict.is_valid() and conflict.cleaned_data == {"name": "x", "version": 2}
    conflict.add_error("version", "changed")
    assert conflict.non_field_errors() == ["changed"]
