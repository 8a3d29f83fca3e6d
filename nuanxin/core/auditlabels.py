"""Labels of the audit trail: what an auditor reads instead of the codes the services write.

The audit rows keep their codes (``worker.mobile_reveal``, ``registry.worker``,
``{"from": "resolved", "to": "closed"}``): the export has them, the filters match them, and a
code never changes its meaning. Each app registers, from its ``AppConfig.ready()``, a label for
every action it records, every object type it writes and the keys of its details, plus the
labels of coded values (a difficulty's status, a visit's mode)::

    # nuanxin/care/audit_labels.py
    LABELS = auditlabels.Labels(
        actions={"visit.record": _("Visit recorded")},
        object_types={"care.visit": _("Visit")},
        detail_keys={"mode": _("Mode")},
        values={"mode": VisitMode},                       # for every action
        action_values={"difficulty.transition": {"from": DifficultyStatus, "to": DifficultyStatus}},
    )
    # CareConfig.ready():  auditlabels.register(LABELS)

Labels are lazy, so the page and the export read in the auditor's language. Anything without a
label is shown by its code: a new action is readable (as its code) before it has one, and a
test lists the actions the code records without a label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

SYSTEM = "system"  # the actor name of the system (``system`` or ``system:<channel>``)

CHANNELS = {
    "web": gettext_lazy("web"),
    "api": gettext_lazy("API"),
    "cli": gettext_lazy("command line"),
    "task": gettext_lazy("scheduled task"),
    "import": gettext_lazy("import"),
}


def _as_map(values) -> dict[str, Any]:
    """A TextChoices class, a list of (code, label) pairs or a dict, as a dict."""
    if isinstance(values, Mapping):
        return dict(values)
    choices = getattr(values, "choices", values)
    return {str(code): label for code, label in choices}


@dataclass
class Labels:
    """One app's labels. ``values`` maps a detail key to its coded values' labels (a
    TextChoices class, pairs or a dict) for every action; ``action_values`` does the same for
    one action only (``from``/``to`` are statuses in one action and organisation codes in
    another)."""

    actions: Mapping[str, Any] = field(default_factory=dict)
    object_types: Mapping[str, Any] = field(default_factory=dict)
    detail_keys: Mapping[str, Any] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)
    action_values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


class Registry:
    def __init__(self) -> None:
        self.actions: dict[str, Any] = {}
        self.object_types: dict[str, Any] = {}
        self.detail_keys: dict[str, Any] = {}
        self.values: dict[str, dict[str, Any]] = {}
        self.action_values: dict[str, dict[str, dict[str, Any]]] = {}

    def register(self, labels: Labels) -> None:
        """Add one app's labels. Registering the same code twice with another label is a
        mistake (two apps naming one action): it raises."""
        for mine, theirs in ((self.actions, labels.actions), (self.object_types, labels.object_types),
                             (self.detail_keys, labels.detail_keys)):
            for code, label in theirs.items():
                if code in mine and str(mine[code]) != str(label):
                    raise ValueError(f"audit label {code!r} registered twice ({mine[code]!r}, {label!r})")
                mine[code] = label
        for key, values in labels.values.items():
            self.values.setdefault(key, {}).update(_as_map(values))
        for action, keys in labels.action_values.items():
            for key, values in keys.items():
                self.action_values.setdefault(action, {}).setdefault(key, {}).update(_as_map(values))


registry = Registry()


def register(labels: Labels) -> None:
    registry.register(labels)


# --- reading ---------------------------------------------------------------------------------


def action_label(code: str) -> str:
    label = registry.actions.get(code)
    return str(label) if label is not None else code


def object_type_label(code: str) -> str:
    label = registry.object_types.get(code)
    return str(label) if label is not None else code


def detail_key_label(key: str) -> str:
    label = registry.detail_keys.get(key)
    return str(label) if label is not None else key


def value_label(action: str, key: str, value) -> str | None:
    """The label of a coded value (``resolved`` → 已解决), or None when it has none."""
    if not isinstance(value, str):
        return None
    for table in (registry.action_values.get(action, {}).get(key), registry.values.get(key)):
        if table and value in table:
            return str(table[value])
    return None


def actor_label(actor_name: str) -> str:
    """``system:cli`` → 系统（命令行）; a user's name stays as it is."""
    if actor_name == SYSTEM:
        return _("System")
    if actor_name.startswith(SYSTEM + ":"):
        channel = actor_name.split(":", 1)[1]
        return _("System (%(channel)s)") % {"channel": CHANNELS.get(channel, channel)}
    return actor_name


def text_length(count: int) -> str:
    """What the trail keeps of a free text (``audit.text_marker``), read aloud."""
    return ngettext("%(count)s character", "%(count)s characters", count) % {"count": count}


def action_choices() -> list[tuple[str, str]]:
    """Every labelled action as (code, label), by label in the current language."""
    return sorted(((code, str(label)) for code, label in registry.actions.items()), key=lambda pair: pair[1])


def matching_actions(text: str) -> set[str]:
    """The actions whose code or label (Chinese or English) contains ``text``, ignoring case:
    ``手机号`` and ``mobile_reveal`` both find ``worker.mobile_reveal``."""
    needle = text.strip().casefold()
    if not needle:
        return set()
    found = set()
    for code, label in registry.actions.items():
        if needle in code.casefold():
            found.add(code)
            continue
        for language in ("zh-hans", "en"):
            with translation.override(language):
                if needle in str(label).casefold():
                    found.add(code)
                    break
    return found


def unlabelled_actions(actions: Iterable[str]) -> list[str]:
    return sorted(a for a in actions if a not in registry.actions)
