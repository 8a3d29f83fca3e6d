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
    SUPERVISOR = "supervisor", _("Hotline supervisor")
    COORDINATOR = "hotline_coordinator", _("Hotline coordinator")
    FUND_CLERK = "fund_clerk", _("Finance clerk")
    FUND_APPROVER = "fund_approver", _("Finance approver")
    LABOUR_OFFICER = "labour_officer", _("Labour-rights officer")
    POINT_KEEPER = "point_keeper", _("Pickup point keeper")
    TEAM_LEADER = "team_leader", _("Volunteer team leader")
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

# The psychological care hotline (measure 4). Counsellors (心理援助师), supervisors (督导) and
# coordinators (who make the rota) hold their role through a grant covering the hotline's
# organisation *and* are members of the hotline (``hotline.HotlineMember`` of the same kind):
# the role reaches only the hotlines they serve (the relations the hotline app adds).
# Psychological records (calls, assessments, crisis cases, callbacks): counsellors and
# supervisors of the hotline only; administrators, viewers and auditors see figures.
HOTLINE_ROLES: frozenset[str] = frozenset({Role.COUNSELLOR, Role.SUPERVISOR, Role.COORDINATOR})
HOTLINE_RECORDS: frozenset[str] = frozenset({Role.COUNSELLOR, Role.SUPERVISOR})
HOTLINE_SUPERVISORS: frozenset[str] = frozenset({Role.SUPERVISOR})
# The rota: coordinators of the hotline and the administrators of its organisation.
HOTLINE_ROTA: frozenset[str] = MANAGERS | frozenset({Role.COORDINATOR})
# The hotline itself (its numbers, hours, members, the duty rota): its staff and the
# organisation's administrators, viewers and auditors; figures only for the last three.
HOTLINE_VIEW: frozenset[str] = MANAGERS | HOTLINE_ROLES | frozenset({Role.VIEWER, Role.AUDITOR})
HOTLINE_FIGURES: frozenset[str] = HOTLINE_VIEW

# Special funds (measures 1 and 3). Finance clerks (经办人) record income, allocations,
# returns, expenditures and condolence rounds; approvers (审批人) of the same organisation
# approve or reject them (never what they recorded themselves: maker-checker), and above the
# organisation's threshold the parent's approver must approve too. The ledger's detail (payees,
# beneficiaries, receipts): the finance roles, administrators and auditors; viewers see the
# figures rolled up the tree (amounts by category and month), never a beneficiary's name.
FUND_RECORD: frozenset[str] = frozenset({Role.FUND_CLERK})
FUND_APPROVE: frozenset[str] = frozenset({Role.FUND_APPROVER})
FUND_DETAIL: frozenset[str] = MANAGERS | frozenset({Role.FUND_CLERK, Role.FUND_APPROVER, Role.AUDITOR})
FUND_FIGURES: frozenset[str] = FUND_DETAIL | frozenset({Role.VIEWER})
# A fund itself (name, period, categories) is opened by the organisation's administrators and
# finance clerks; the approval threshold of an organisation is set by the administrators above it.
FUND_MANAGE: frozenset[str] = MANAGERS | FUND_RECORD
FUND_THRESHOLD: frozenset[str] = MANAGERS

# Commendations (measures 1 and 8): unit unions nominate, each level above reviews within its
# quota, the city decides; administrators do all of it inside their scope. Viewers and auditors
# see the board's figures (counts by award and organisation, how many are frontline staff).
HONOURS_MANAGE: frozenset[str] = MANAGERS
HONOURS_VIEW: frozenset[str] = MANAGERS | frozenset({Role.AUDITOR})
HONOURS_FIGURES: frozenset[str] = MANAGERS | frozenset({Role.VIEWER, Role.AUDITOR})

# The aid-team health project (measure 3): the workers' mutual-aid scheme and recuperation.
# A scheme, a recuperation base, programme and batch belong to the whole tree (every union
# administrator sees them; a city administrator, at the root, manages them). Enrolments and
# candidates are the workers' personal data: the administrators of the worker's unit and of
# every level above (they enrol, nominate, answer offers), auditors read them; viewers get
# counts only. Contributions and the cost of places are charged to a fund by its finance
# clerks (``FUND_RECORD``), approved as any other expenditure.
WELFARE_MANAGE: frozenset[str] = MANAGERS
WELFARE_VIEW: frozenset[str] = MANAGERS | AUDITORS
WELFARE_FIGURES: frozenset[str] = MANAGERS | frozenset({Role.VIEWER, Role.AUDITOR})
# Anyone who may read a fund's ledger sees which enrolments or places it paid for.
WELFARE_CATALOGUE: frozenset[str] = WELFARE_FIGURES | frozenset({Role.FUND_CLERK, Role.FUND_APPROVER})

# The telecom fee waiver (measure 7): the numbers the aid-team members used in Hubei, listed
# per carrier and followed to the carrier's confirmation, by the administrators of the
# member's unit and above; auditors read the lists, viewers see counts per carrier.
TELECOM_MANAGE: frozenset[str] = MANAGERS
TELECOM_VIEW: frozenset[str] = MANAGERS | AUDITORS
TELECOM_FIGURES: frozenset[str] = MANAGERS | frozenset({Role.VIEWER, Role.AUDITOR})

# The labour-protection green channel (measure 5). Labour-rights officers (劳动保护干事: the
# women workers' committee, the legal-service desk) and the administrators of the worker's unit
# and above follow pregnancy and lactation arrangements, legal-aid cases and employment help.
# Pregnancy and lactation are sensitive (PIPL art. 28): only those two roles read an
# arrangement, every read is audited; a care contact may refer one of the families assigned to
# them (open it from a visit or a difficulty) but reads none back; auditors and viewers get
# counts. Legal-aid and employment cases are read by the same roles and by auditors; the
# family's care contact sees the cases of the families assigned to them.
LABOUR_MANAGE: frozenset[str] = MANAGERS | frozenset({Role.LABOUR_OFFICER})
LABOUR_SENSITIVE: frozenset[str] = LABOUR_MANAGE
LABOUR_REFER: frozenset[str] = LABOUR_MANAGE | CARE_CONTACTS
LABOUR_VIEW: frozenset[str] = LABOUR_MANAGE | AUDITORS | CARE_CONTACTS
LABOUR_FIGURES: frozenset[str] = LABOUR_MANAGE | frozenset({Role.VIEWER, Role.AUDITOR})

# The family produce supply (measure 6). Suppliers, pickup points and weekly offers are set up
# by the administrators; a care contact orders for the families assigned to them (the
# administrators for any family in their scope); pickup point keepers (提货点值守) check pickup
# codes and hand parcels over at the points of their organisation; the week's subsidy is
# charged to a fund by a finance clerk (``FUND_RECORD``). Viewers and auditors see figures.
PRODUCE_MANAGE: frozenset[str] = MANAGERS
PRODUCE_ORDER: frozenset[str] = MANAGERS | CARE_CONTACTS
PRODUCE_PICKUP: frozenset[str] = MANAGERS | frozenset({Role.POINT_KEEPER})
PRODUCE_VIEW: frozenset[str] = MANAGERS | frozenset(
    {Role.POINT_KEEPER, Role.CARE_CONTACT, Role.AUDITOR, Role.FUND_CLERK, Role.FUND_APPROVER}
)
PRODUCE_FIGURES: frozenset[str] = MANAGERS | frozenset({Role.POINT_KEEPER, Role.VIEWER, Role.AUDITOR})

# Reports up the tree (the reporting chain of notice 001; DHIS2's data sets as the model). A city
# administrator builds the report forms; the administrators of an obliged organisation fill and
# submit its report; the level above reviews it (approve, or return with comments) and an
# organisation's own administrators approve a report that rolls up children only once every
# child's is approved; an approved report is locked and only the level above unlocks it. Viewers
# and auditors read reports, rates and dashboards (figures and texts, never a person's name).
REPORTS_FORMS: frozenset[str] = CITY_ADMINS
REPORTS_FILL: frozenset[str] = MANAGERS
REPORTS_APPROVE: frozenset[str] = MANAGERS
REPORTS_VIEW: frozenset[str] = MANAGERS | frozenset({Role.VIEWER, Role.AUDITOR})

# Volunteer teams (工会志愿服务队). The administrators of the team's organisation and above keep
# teams, volunteers, tasks and shifts; a team leader (志愿服务队队长, granted on the team's
# organisation) reaches only the teams they lead (the "leads" relation the volunteers app adds):
# assigns volunteers, checks them in and out, enters the people served. Volunteers' names and
# mobiles are personal data: managers, the leader and auditors; viewers see figures only.
VOLUNTEER_MANAGE: frozenset[str] = MANAGERS | frozenset({Role.TEAM_LEADER})
VOLUNTEER_VIEW: frozenset[str] = VOLUNTEER_MANAGE | AUDITORS
VOLUNTEER_FIGURES: frozenset[str] = VOLUNTEER_MANAGE | frozenset({Role.VIEWER, Role.AUDITOR})

# Which roles a holder of each managing role may hand out (inside their own scope).
# Auditors and city admins are appointed by city admins only: separation of duties.
GRANTABLE_BY: dict[str, frozenset[str]] = {
    Role.CITY_ADMIN: ALL,
    Role.ORG_ADMIN: frozenset(
        {
            Role.ORG_ADMIN,
            Role.CARE_CONTACT,
            Role.COUNSELLOR,
            Role.SUPERVISOR,
            Role.COORDINATOR,
            Role.FUND_CLERK,
            Role.FUND_APPROVER,
            Role.LABOUR_OFFICER,
            Role.POINT_KEEPER,
            Role.TEAM_LEADER,
            Role.VIEWER,
        }
    ),
}
