"""What the care work asks of the apps above it (``nuanxin/core/hooks.py``).

Care imports none of them; they connect in their ``AppConfig.ready()``.
"""

from nuanxin.core.hooks import Hook

family_timeline = Hook(
    "care.family_timeline",
    """A family's timeline is being built for ``user``: ``user``, ``worker``. Each receiver
    returns a list of ``care.selectors.timeline.TimelineEntry`` with its own ``kind`` and a
    ``template`` (included with ``e`` = the entry), read inside ``user``'s scope (its own
    policy checks and audited reads are its business). E.g. funds: a condolence payment.""",
)
