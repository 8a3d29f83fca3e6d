"""What the care work asks of the apps above it (``nuanxin/core/hooks.py``).

Care imports none of them; they connect in their ``AppConfig.ready()``.
"""

from dataclasses import dataclass

from nuanxin.core.hooks import Hook

family_timeline = Hook(
    "care.family_timeline",
    """A family's timeline is being built for ``user``: ``user``, ``worker``. Each receiver
    returns a list of ``care.selectors.timeline.TimelineEntry`` with its own ``kind`` and a
    ``template`` (included with ``e`` = the entry), read inside ``user``'s scope (its own
    policy checks and audited reads are its business). E.g. funds: a condolence payment.""",
)


@dataclass(frozen=True)
class FollowUp:
    """A way to follow up a family's need in an app above care (e.g. "pregnancy arrangement",
    "legal aid"): ``label`` and ``url``, a page of that app taking ``?worker=<pk>``; care adds
    ``&visit=<pk>`` or ``&difficulty=<pk>`` when it is offered on a visit or a difficulty."""

    label: object
    url: str
    key: str = ""  # a stable name for tests and the page's data attribute


followups = Hook(
    "care.followups",
    """A family's care page or one of its difficulties is being shown to ``user``: ``user``,
    ``worker``. Each receiver returns a list of ``FollowUp`` that ``user`` may open for this family
    (its own policy checks). E.g. labour: a pregnancy arrangement, a legal-aid case.""",
)


def followup_links(user, worker) -> list[FollowUp]:
    """The follow-ups every connected app offers ``user`` for ``worker``'s family, in app order."""
    links: list[FollowUp] = []
    for result in followups.fire(user=user, worker=worker):
        links += result or []
    return links
