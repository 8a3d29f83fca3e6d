"""The roles and every set of roles, in one module.

A role is held through a grant on an organisation (covering its subtree) or on a group of
organisations (``orgs.models.Grant``). Which role may do what to which model is declared by
the model's ``policy`` (``core/policy.py``) with the sets below; no other module spells a
role set, and templates ask the policy (``Model.policy.may``), never a role name.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CITY_ADMIN = "city_admin", _("City administrator")
    ORG_ADMIN = "org_admin", _("Organisation administrator")
    CARE_CONTACT = "care_contact", _("Care contact")
    COUNSELLOR = "counsellor", _("Hotline counsellor")
    VIEWER = "viewer", _("Report viewer")
    AUDITOR = "auditor", _("Auditor")


ALL: frozenset[str] = frozenset(Role.values)
# Administrators: the tree, accounts and grants, the register, care assignments.
MANAGERS: frozenset[str] = frozenset({Role.CITY_ADMIN, Role.ORG_ADMIN})
CITY_ADMINS: frozenset[str] = frozenset({Role.CITY_ADMIN})
AUDITORS: frozenset[str] = frozenset({Role.AUDITOR})
CARE_CONTACTS: frozenset[str] = frozenset({Role.CARE_CONTACT})

# The register's personal data. Care contacts see only the families assigned to them (the
# "assigned" relation care adds to the policies); viewers and counsellors see none.
REGISTER_VIEW: frozenset[str] = frozenset({Role.CITY_ADMIN, Role.ORG_ADMIN, Role.CARE_CONTACT})
REGISTER_CHANGE: frozenset[str] = MANAGERS
# Sensitive personal data (PIPL art. 28): ID numbers, pregnancy, health.
SENSITIVE: frozenset[str] = MANAGERS
# Aggregate figures of the care work (counts per unit), no personal detail.
CARE_REPORT: frozenset[str] = frozenset({Role.CITY_ADMIN, Role.ORG_ADMIN, Role.VIEWER})
# Whose own-account page offers API tokens: every role but the care contact's alone (volunteers
# who log visits on the pages; a care contact who was given a token still sees it to revoke it).
API_USERS: frozenset[str] = ALL - CARE_CONTACTS
# Who may own a difficulty (be the one who follows it up).
CASE_OWNERS: frozenset[str] = REGISTER_VIEW

# Which roles a holder of each managing role may hand out (inside their own scope).
# Auditors and city admins are appointed by city admins only: separation of duties.
GRANTABLE_BY: dict[str, frozenset[str]] = {
    Role.CITY_ADMIN: ALL,
    Role.ORG_ADMIN: frozenset({Role.ORG_ADMIN, Role.CARE_CONTACT, Role.COUNSELLOR, Role.VIEWER}),
}
