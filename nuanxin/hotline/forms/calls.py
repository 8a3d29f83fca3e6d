"""Forms of the call pages: the call record (phone-first: defaults for the common case,
checkboxes and big toggles), the list's filters, a referral and the supervisor's export."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from nuanxin.care.choices import DifficultyCategory, Urgency
from nuanxin.core.forms import BootstrapForm
from nuanxin.core.versioning import VersionedForm
from nuanxin.hotline.choices import (
    AgeBand,
    CallerKind,
    CallOutcome,
    Channel,
    Gender,
    Intervention,
    ReferralTarget,
    RiskLevel,
    Topic,
)
from nuanxin.hotline.models import Call, Hotline

MAX_MINUTES = 12 * 60
LOCAL_INPUT = "%Y-%m-%dT%H:%M"


class LocalDateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format=LOCAL_INPUT, **kwargs)


def _choices(choices: Any) -> list[tuple[str, Any]]:
    return list(choices.choices)


class CallForm(BootstrapForm):
    """The call record: start and minutes (empty: the call goes on), the line, the caller, the
    topics, what was done, the risk, the callback, the outcome and notes."""

    started_at = forms.DateTimeField(
        label=_("Started"),
        required=False,
        widget=LocalDateTimeInput(),
        input_formats=[LOCAL_INPUT],
        help_text=_("Leave empty for a call that just ended (counted back from now by its minutes)."),
    )
    minutes = forms.IntegerField(
        label=_("Minutes"),
        required=False,
        min_value=0,
        max_value=MAX_MINUTES,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        help_text=_("Leave empty while the call goes on."),
    )
    line = forms.TypedChoiceField(label=pgettext_lazy("hotline", "Line"), required=False, coerce=int, empty_value=None)
    channel = forms.ChoiceField(label=_("Channel"), choices=_choices(Channel), widget=forms.RadioSelect)
    caller_kind = forms.ChoiceField(label=_("Caller"), choices=_choices(CallerKind), widget=forms.RadioSelect)
    gender = forms.ChoiceField(label=_("Gender"), choices=_choices(Gender), required=False, widget=forms.RadioSelect)
    age_band = forms.ChoiceField(label=_("Age"), choices=_choices(AgeBand), required=False)
    topics = forms.MultipleChoiceField(
        label=_("Topics"), choices=_choices(Topic), required=False, widget=forms.CheckboxSelectMultiple
    )
    topic_note = forms.CharField(label=_("Other topic"), required=False)
    interventions = forms.MultipleChoiceField(
        label=_("What was done"), choices=_choices(Intervention), required=False, widget=forms.CheckboxSelectMultiple
    )
    technique = forms.CharField(label=_("Technique"), required=False)
    risk = forms.ChoiceField(
        label=pgettext_lazy("hotline", "Risk"), choices=_choices(RiskLevel), widget=forms.RadioSelect
    )
    callback_consent = forms.BooleanField(label=_("The caller agrees to a callback"), required=False)
    callback_number = forms.CharField(
        label=_("Number to call back"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
        help_text=_("Kept only with the caller's consent."),
    )
    same_counsellor = forms.BooleanField(label=_("The caller asks for the same counsellor again"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=_choices(CallOutcome))
    link = forms.BooleanField(label=_("The caller agrees to be linked to the register"), required=False)
    link_mobile = forms.CharField(
        label=_("Their mobile in the register"),
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
    )
    notes = forms.CharField(
        label=pgettext_lazy("hotline", "Notes"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, hotline: Hotline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        lines = list(hotline.lines.filter(active=True).order_by("order", "id"))
        line_choices = [(str(line.pk), str(line)) for line in lines]
        cast(forms.ChoiceField, self.fields["line"]).choices = [("", _("No particular line")), *line_choices]
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs["class"] = "form-check-input"
        for name in ("minutes", "callback_number", "link_mobile"):
            self.fields[name].widget.attrs["class"] += " form-control-lg"
        if not self.is_bound and not self.initial.get("channel"):
            self.initial.update(
                {
                    "line": str(lines[0].pk) if lines else "",
                    "channel": Channel.PHONE,
                    "caller_kind": CallerKind.WORKER,
                    "gender": Gender.UNKNOWN,
                    "interventions": [Intervention.LISTENING],
                    "risk": RiskLevel.NONE,
                    "outcome": CallOutcome.SUPPORTED,
                }
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("link") and not (data.get("link_mobile") or "").strip():
            self.add_error("link_mobile", _("Enter the mobile the caller is registered with."))
        return data

    def service_values(self) -> dict[str, Any]:
        """The service's keyword arguments (without the link, which the view resolves)."""
        data = self.cleaned_data
        minutes = data.get("minutes")
        start = data.get("started_at")
        end = None
        if start is None:  # the common case: logged as the call ends (or as it starts)
            now = timezone.localtime().replace(second=0, microsecond=0)
            start = now - timedelta(minutes=minutes or 0)
            end = now if minutes is not None else None
        elif minutes is not None:
            end = start + timedelta(minutes=minutes)
        return {
            "started_at": start,
            "ended_at": end,
            "line": data.get("line"),
            "channel": data["channel"],
            "caller_kind": data["caller_kind"],
            "gender": data.get("gender") or "",
            "age_band": data.get("age_band") or "",
            "topics": data.get("topics") or [],
            "topic_note": data.get("topic_note") or "",
            "interventions": data.get("interventions") or [],
            "technique": data.get("technique") or "",
            "risk": data["risk"],
            "callback_consent": bool(data.get("callback_consent")),
            "callback_number": data.get("callback_number") or "",
            "same_counsellor": bool(data.get("same_counsellor")),
            "outcome": data["outcome"],
            "notes": data.get("notes") or "",
        }


class CallEditForm(VersionedForm, CallForm):
    """The call record's edit: the same fields, the version it was opened at, and unlinking."""

    unlink = forms.BooleanField(label=_("Remove the link to the register"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["started_at"].required = True  # the record's start stays as it was unless changed
        self.fields["started_at"].help_text = ""

    @staticmethod
    def initial_for(call: Call) -> dict[str, Any]:
        minutes = None
        if call.ended_at is not None:
            minutes = round((call.ended_at - call.started_at).total_seconds() / 60)
        return {
            "started_at": timezone.localtime(call.started_at).replace(second=0, microsecond=0),
            "minutes": minutes,
            "line": str(call.line_id or ""),
            "channel": call.channel,
            "caller_kind": call.caller_kind,
            "gender": call.gender,
            "age_band": call.age_band,
            "topics": list(call.topics),
            "topic_note": call.topic_note,
            "interventions": list(call.interventions),
            "technique": call.technique,
            "risk": call.risk,
            "callback_consent": call.callback_consent,
            "callback_number": call.callback_number,
            "same_counsellor": call.same_counsellor,
            "outcome": call.outcome,
            "notes": call.notes,
        }


class CallFilter(BootstrapForm):
    hotline = forms.TypedChoiceField(label=_("Hotline"), required=False, coerce=int, empty_value=None)
    start = forms.DateField(
        label=pgettext_lazy("hotline", "From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=pgettext_lazy("hotline", "To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    risk = forms.ChoiceField(
        label=pgettext_lazy("hotline", "Risk"), required=False, choices=[("", _("Any risk")), *_choices(RiskLevel)]
    )
    counsellor = forms.TypedChoiceField(label=_("Counsellor"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, hotlines: list[Hotline], counsellors: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        hotline_choices = [(str(h.pk), h.name) for h in hotlines]
        cast(forms.ChoiceField, self.fields["hotline"]).choices = [("", _("All my hotlines")), *hotline_choices]
        cast(forms.ChoiceField, self.fields["counsellor"]).choices = [("", _("Anyone"))] + [
            (str(u.pk), getattr(u, "display_name", "") or u.get_username()) for u in counsellors
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The last day is before the first."))
        return data

    def values(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        return dict(self.cleaned_data)


class ReferralForm(BootstrapForm):
    target = forms.ChoiceField(
        label=_("Refer to"),
        choices=[("", _("— choose where to refer the caller —")), *_choices(ReferralTarget)],
        error_messages={"required": _("Choose where the caller is referred to.")},
    )
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    consent = forms.BooleanField(
        label=_("The caller agrees to share this summary with the union's care work"), required=False
    )
    shared_summary = forms.CharField(
        label=_("Summary the caller agreed to share"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only this text reaches the care work: never the call's notes, topics or risk."),
    )
    category = forms.ChoiceField(label=_("Kind of difficulty"), choices=_choices(DifficultyCategory), required=False)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=_choices(Urgency), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("category", DifficultyCategory.OTHER)
        self.initial.setdefault("urgency", Urgency.NORMAL)

    def service_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "target": data["target"],
            "note": data.get("note") or "",
            "consent": bool(data.get("consent")),
            "shared_summary": data.get("shared_summary") or "",
            "category": data.get("category") or DifficultyCategory.OTHER,
            "urgency": data.get("urgency") or Urgency.NORMAL,
        }


class ExportForm(BootstrapForm):
    hotline = forms.TypedChoiceField(label=_("Hotline"), coerce=int)
    start = forms.DateField(label=pgettext_lazy("hotline", "From"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=pgettext_lazy("hotline", "To"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        label=_("Reason for the export"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit log with the number of rows exported."),
    )

    def __init__(self, *args: Any, hotlines: list[Hotline], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["hotline"]).choices = [(str(h.pk), h.name) for h in hotlines]
        today = timezone.localdate()
        self.initial.setdefault("start", today.replace(day=1))
        self.initial.setdefault("end", today)
