"""Cases: a record about a worker's family that someone follows from opened to closed.

A domain app declares a concrete model on the abstract ``models.Case`` (and its timeline on
``models.CaseNote``), describes its ``lifecycle.LifeCycle`` (statuses, which are active, the
transitions and the policy action each needs, which need a reason, due days by urgency), and
calls the generic ``services``: ``open``/``open_many``, ``transition``, ``note``, ``update``/
``reassign`` and ``escalate_overdue``. Difficulties (care) are the first such case.
"""
