"""Pages of the care work (精准关爱联系制度), one module per concept:

- ``week``: a care contact's week (phone first), a family's timeline, excusing a week;
- ``visits``: logging and editing a visit (one form, its rows, the edit conflict);
- ``reports``: the admins' weekly overview and the completion chart (viewers: figures only);
- ``difficulties``: the difficulty list, a difficulty's page and its actions;
- ``assignments``: the families to assign and the bulk action;
- ``campaigns``: campaigns, cadence and declared end (city administrators);
- ``common``: the posted data, ``next``, the week navigation and the one form flow (``submit``).

Thin: forms check shapes, services decide and write (through ``core.pages.run_service``),
every lookup goes through ``for_user`` (out of scope = 404) and every view carries its access
mark (wrong role = 403).
"""
