"""Forms of the nomination pages: a new nomination (the nominee as the award type's recipient
kind says, the story, photos and documents), its edit, the review actions, an objection and
its answer, a note. They check shapes; the services (``services/nominations.py``) decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nuanxin.core.forms import BootstrapForm, OrganisationField
from nuanxin.core.versioning import VersionedForm
from nuanxin.honours.choices import RecipientKind
from nuanxin.honours.models import STORY_MAX
from nuanxin.registry.models import Worker

MAX_FILES = 10


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several photos or documents in one field (checked by content by the service)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg,.webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        if len(items) > MAX_FILES:
            raise forms.ValidationError(_("At most %(count)d files at once.") % {"count": MAX_FILES})
        return [super(MultipleFileField, self).clean(item, initial) for item in items]


def story_field() -> forms.CharField:
    return forms.CharField(
        label=_("Story"),
        max_length=STORY_MAX,
        widget=forms.Textarea(attrs={"rows": 10, "data-nx-count": STORY_MAX}),
        help_text=_("What the nominee did, in at most %(max)d characters.") % {"max": STORY_MAX},
    )


class WorkerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} · {obj.organisation.name}"


# The nominee's fields a recipient kind does not use, and the one it needs (with its message).
UNUSED: dict[str, tuple[str, ...]] = {
    str(RecipientKind.PERSON): ("nominee_organisation", "team_name"),
    str(RecipientKind.UNIT): ("worker", "team_name"),
    str(RecipientKind.COLLECTIVE): ("worker", "nominee_organisation"),
}
NEEDED: dict[str, tuple[str, Any]] = {
    str(RecipientKind.PERSON): ("worker", _("Choose the worker you nominate (search by name).")),
    str(RecipientKind.UNIT): ("nominee_organisation", _("Choose the unit you nominate.")),
    str(RecipientKind.COLLECTIVE): ("team_name", _("Give the team's name.")),
}


class NomineeFields(BootstrapForm):
    """The nominee, as ``recipient`` (the award type's kind) says: a registered worker, an
    organisation or a team."""

    worker = WorkerChoice(label=_("Nominee"), queryset=Worker.objects.none(), required=False,
                          widget=forms.RadioSelect, empty_label=None)
    nominee_organisation = OrganisationField(label=_("Nominated unit"), required=False)
    team_name = forms.CharField(label=_("Team"), max_length=100, required=False,
                                help_text=_("E.g. 青岛大学附属医院援鄂医疗队."))
    story = story_field()

    def __init__(self, *args: Any, recipient: str, workers: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recipient = recipient
        worker: Any = self.fields["worker"]
        worker.queryset = workers
        unit: Any = self.fields["nominee_organisation"]
        unit.queryset = organisations
        for name in UNUSED.get(str(recipient), ()):
            del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        needed = NEEDED.get(str(self.recipient))
        if needed and needed[0] in self.fields and not data.get(needed[0]) and needed[0] not in self.errors:
            self.add_error(needed[0], needed[1])
        return data

    def nominee_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"worker": data.get("worker"), "nominee_organisation": data.get("nominee_organisation"),
                "team_name": data.get("team_name") or ""}


class NominationCreateForm(NomineeFields):
    organisation = OrganisationField(label=_("Nominating unit"))
    uploads = MultipleFileField(label=_("Photos and documents"), required=False,
                              help_text=_("PDF, PNG, JPEG or WebP, checked by their content."))
    field_order = ["organisation", "worker", "nominee_organisation", "team_name", "story", "uploads"]

    def __init__(self, *args: Any, units: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field: Any = self.fields["organisation"]
        field.queryset = units


class NominationEditForm(VersionedForm, NomineeFields):
    pass


class FileForm(BootstrapForm):
    uploads = MultipleFileField(label=_("Photos and documents"),
                              help_text=_("PDF, PNG, JPEG or WebP, checked by their content."))


class ActionForm(VersionedForm, BootstrapForm):
    """One of the review actions (``services.nominations.ACTIONS``) with its comment or reason."""

    action = forms.CharField(widget=forms.HiddenInput)
    note = forms.CharField(label=_("Comment or reason"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class NoteForm(BootstrapForm):
    text = forms.CharField(label=_("Note"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class ObjectionForm(BootstrapForm):
    received_on = forms.DateField(label=_("Received on"), required=False, widget=DateInput(),
                                  help_text=_("Within the public notice; today when left empty."))
    raised_by = forms.CharField(label=_("Raised by"), required=False, max_length=100,
                                help_text=_("Leave empty for an anonymous objection."))
    text = forms.CharField(label=_("Objection"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(VersionedForm, BootstrapForm):
    upheld = forms.TypedChoiceField(
        label=_("Outcome"), choices=[("0", _("Dismissed")), ("1", _("Upheld"))], coerce=lambda v: v == "1",
        widget=forms.RadioSelect, initial="0",
    )
    answer = forms.CharField(label=_("Answer"), max_length=3000, widget=forms.Textarea(attrs={"rows": 3}))
