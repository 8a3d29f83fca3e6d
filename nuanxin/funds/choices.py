"""The funds' coded values."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class FundSource(models.TextChoices):
    """Where a fund's money comes from."""

    OWN_BUDGET = "own_budget", _("Own budget")
    ALLOCATION = "allocation", _("Allocation from above")
    DONATION = "donation", _("Donation")


class Category(models.TextChoices):
    """What money may be spent on (a fund allows some of them)."""

    PROTECTIVE = "protective", _("Protective supplies")
    CONDOLENCE = "condolence", _("Condolence money")
    LIVING = "living", _("Living allowance")
    COMFORT = "comfort", _("Comfort supplies (food etc.)")
    RECUPERATION = "recuperation", _("Recuperation")
    MUTUAL_AID = "mutual_aid", _("Mutual-aid insurance")
    VOLUNTEER = "volunteer", _("Volunteer service")
    OTHER = "other", _("Other")


class EntryKind(models.TextChoices):
    """What an entry (a voucher recorded by a clerk and approved) does."""

    INCOME = "income", _("Income")
    ALLOCATION = "allocation", _("Allocation down")
    RETURN = "return", _("Return up")
    EXPENDITURE = "expenditure", _("Expenditure")
    REVERSAL = "reversal", _("Reversal")


class IncomeKind(models.TextChoices):
    APPROPRIATION = "appropriation", _("Appropriation from the union's budget")
    DONATION = "donation", _("Donation")
    OTHER = "other", _("Other income")


class PayeeKind(models.TextChoices):
    SUPPLIER = "supplier", _("Supplier")
    PERSON = "person", _("Person")


class EntryStatus(models.TextChoices):
    """An entry moves money only once approved: by an approver of its organisation and, above
    the organisation's threshold, by an approver of the parent organisation too."""

    PENDING = "pending", _("Awaiting approval")
    PARENT = "parent", _("Awaiting the parent's approval")
    APPROVED = "approved", _("Approved")
    # Its own context: the registry's import shares the plain msgid "Rejected" (拒收).
    REJECTED = "rejected", pgettext_lazy("fund entry", "Rejected")


OPEN_STATUSES = frozenset({EntryStatus.PENDING, EntryStatus.PARENT})


class PostingKind(models.TextChoices):
    """A ledger line: money into or out of one fund. A reversal's lines keep the kind of the
    lines they reverse, with the opposite sign (so the figures by kind stay right)."""

    INCOME = "income", _("Income")
    ALLOCATION_OUT = "allocation_out", _("Allocated down")
    ALLOCATION_IN = "allocation_in", _("Allocation received")
    RETURN_OUT = "return_out", _("Returned up")
    RETURN_IN = "return_in", _("Return received")
    EXPENDITURE = "expenditure", _("Spent")
