"""The organisation tree, cross-cutting groups and users' role grants."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from nuanxin.core import roles
from nuanxin.core.models import ScopedQuerySet
from nuanxin.core.policy import Policy
from nuanxin.core.roles import Role
from nuanxin.core.versioning import version_field
from nuanxin.orgs.choices import OrgKind


class OrganisationQuerySet(MP_NodeQuerySet, ScopedQuerySet):
    pass


class OrganisationManager(MP_NodeManager):
    def get_queryset(self):
        return OrganisationQuerySet(self.model, using=self._db).order_by("path")

    def for_user(self, user, action: str = "view"):
        return self.get_queryset().for_user(user, action)


class Organisation(MP_Node):
    """A union (or health body) in the tree. The materialised path gives subtree scoping:
    a grant on an organisation covers every row whose organisation path starts with it."""

    # Annotated: treebeard's MP_Node is untyped, so the stubs' plugin infers nothing here.
    code: models.CharField[str, str] = models.CharField(_("code"), max_length=64, unique=True)
    name: models.CharField[str, str] = models.CharField(_("name"), max_length=200)
    kind: models.CharField[str, str] = models.CharField(_("kind"), max_length=32, choices=OrgKind.choices)
    created_at: models.DateTimeField[Any, Any] = models.DateTimeField(_("created"), auto_now_add=True)
    version = version_field()  # optimistic concurrency (core/versioning.py)

    history = HistoricalRecords()
    objects = OrganisationManager()

    # "change_root": the root itself is changed by city administrators only.
    policy = Policy(
        path="path",
        actions={
            "view": roles.ALL,
            "change": roles.MANAGERS,
            "change_root": roles.CITY_ADMINS,
            "manage_users": roles.MANAGERS,
        },
        root_only={"change_root"},
    )
    node_order_by = ["code"]

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.name

    @property
    def change_action(self) -> str:
        """The policy action that changes this organisation: the root is ``change_root``."""
        return "change_root" if self.is_root() else "change"

    @property
    def parent_code(self) -> str:
        parent = Organisation.objects.get_parent(self)
        return parent.code if parent else ""


class OrganisationGroup(models.Model):
    """A cross-cutting set of organisations, e.g. every medical institution city-wide
    although each hospital sits under its district."""

    code = models.CharField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    members: models.ManyToManyField[Organisation, Any] = models.ManyToManyField(
        Organisation, verbose_name=_("members"), related_name="groups", blank=True
    )
    version = version_field()

    history = HistoricalRecords(m2m_fields=[members])

    # Groups cut across subtrees: only a city administrator covering the root manages them.
    policy = Policy(path=None, actions={"manage": roles.CITY_ADMINS}, root_only={"manage"})

    class Meta:
        verbose_name = _("organisation group")
        verbose_name_plural = _("organisation groups")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name


class GrantQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True)


class Grant(models.Model):
    """A role held by a user on an organisation (and all its descendants) or on a group
    (each member and its descendants)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
    )
    group = models.ForeignKey(
        OrganisationGroup,
        verbose_name=_("organisation group"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="grants",
    )
    created_at = models.DateTimeField(_("granted"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    history = HistoricalRecords()
    objects = GrantQuerySet.as_manager()

    # A grant is seen and revoked on its holder's page: it lies where its holder's account does.
    policy = Policy(path="user__organisation__path", actions={"view": roles.MANAGERS})

    class Meta:
        verbose_name = _("grant")
        verbose_name_plural = _("grants")
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(organisation__isnull=False, group__isnull=True)
                    | Q(organisation__isnull=True, group__isnull=False)
                ),
                name="grant_org_xor_group",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "organisation"],
                condition=Q(revoked_at__isnull=True, organisation__isnull=False),
                name="grant_unique_active_org",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "group"],
                condition=Q(revoked_at__isnull=True, group__isnull=False),
                name="grant_unique_active_group",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.target}"

    @property
    def target(self):
        return self.organisation or self.group
