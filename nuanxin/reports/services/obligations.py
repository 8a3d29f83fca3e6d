"""Which organisations must report a form: inside the form's organisation's subtree, those of
one of ``obliged_kinds``, at one of ``obliged_depths`` (root = 1) or listed in ``obliged``."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from nuanxin.orgs.models import Organisation


def _q(form: Any) -> Q | None:
    q = Q(pk__in=[])
    any_rule = False
    if form.obliged_kinds:
        q |= Q(kind__in=list(form.obliged_kinds))
        any_rule = True
    if form.obliged_depths:
        q |= Q(depth__in=[int(d) for d in form.obliged_depths])
        any_rule = True
    if form.pk:
        listed = list(form.obliged.values_list("pk", flat=True))
        if listed:
            q |= Q(pk__in=listed)
            any_rule = True
    return q if any_rule else None


def obliged(form: Any) -> QuerySet[Organisation]:
    """The organisations that must report ``form``, by path (tree order)."""
    q = _q(form)
    if q is None:
        return Organisation.objects.none()
    return Organisation.objects.filter(q, path__startswith=form.organisation.path).order_by("path")


def is_obliged(form: Any, organisation: Any) -> bool:
    return obliged(form).filter(pk=organisation.pk).exists()


def nearest(paths_below: list[Any], top_path: str) -> list[Any]:
    """Of organisations under ``top_path`` (sorted by path), those with no other one between them
    and the top: the nearest ones."""
    kept: list[Any] = []
    for org in paths_below:
        if org.path == top_path or not org.path.startswith(top_path):
            continue
        if kept and org.path.startswith(kept[-1].path):
            continue
        kept.append(org)
    return kept


def obliged_children(form: Any, organisation: Any) -> list[Organisation]:
    """The nearest obliged descendants of ``organisation`` (the reports its own rolls up)."""
    below = list(obliged(form).filter(path__startswith=organisation.path).exclude(pk=organisation.pk))
    return nearest(below, organisation.path)


def obliged_parent(form: Any, organisation: Any) -> Organisation | None:
    """The nearest obliged ancestor of ``organisation`` (whose report rolls up this one's)."""
    step = Organisation.steplen
    prefixes = [organisation.path[:end] for end in range(step, len(organisation.path), step)]
    if not prefixes:
        return None
    return obliged(form).filter(path__in=prefixes).order_by("-depth").first()
