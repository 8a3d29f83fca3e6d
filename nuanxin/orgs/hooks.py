"""What the organisations app announces to the apps above it (``nuanxin/core/hooks.py``).

Fired by ``orgs.services`` inside their own transaction, after their writes and audit rows;
apps above (care today: a care contact who may no longer see a family stops being its
contact) connect in their ``AppConfig.ready()``. orgs imports no domain app.
"""

from nuanxin.core.hooks import Hook

grants_narrowed = Hook(
    "orgs.grants_narrowed",
    """Some users' grants now cover less than before: a grant revoked, an account disabled,
    or the members of a group they hold a grant on changed. ``actor``, ``users`` (a list),
    ``reason`` ("grant_revoked", "user_disabled" or "group_members").""",
)
unit_moved = Hook(
    "orgs.unit_moved",
    """An organisation (with its subtree) moved under another parent: ``actor``,
    ``organisation`` (read back after the move), ``previous_parent``. Grants above the old
    place may no longer cover it.""",
)
