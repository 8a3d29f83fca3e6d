"""The funds' models: funds, entries (what a clerk records and approvers approve), postings
(the immutable ledger lines an approved entry writes), beneficiaries, condolence rounds, the
approval thresholds and the totals rolled up the tree.

- A **fund** belongs to an organisation. Its balance is the sum of its postings (kept in
  ``Fund.balance`` by the ledger as it writes them, and checked against them).
- An **entry** (凭证) is recorded by a finance clerk: income, an allocation down the tree (to a
  fund of a descendant), a return up (to a fund of an ancestor), an expenditure, or the
  reversal of an approved entry. Its amounts never change after it is recorded; only its
  approval moves on (``EntryStatus``). An approved entry writes its postings; a rejected one
  writes none. A mistake is corrected by a reversal entry, never by editing or deleting.
- A **posting** is one line of the ledger: a signed amount on one fund. Postings are never
  updated or deleted (the ORM refuses; database triggers refuse too).
- **Subtree totals** add every posting to its organisation's row (``own``) and to the rows of
  the organisation and each ancestor (the subtree's), by month, kind and category, in the
  same transaction: the roll-ups read a handful of rows whatever the ledger's size.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from nuanxin.core import roles
from nuanxin.core.models import AppendOnlyError, ScopedQuerySet
from nuanxin.core.policy import Policy
from nuanxin.core.versioning import version_field
from nuanxin.funds.choices import (
    EntryKind,
    EntryStatus,
    FundSource,
    IncomeKind,
    PayeeKind,
    PostingKind,
)

CENT = Decimal("0.01")

# The actions on a fund's money, for every model of the ledger:
# "view": the fund, its balance and its figures (viewers too: amounts, never names);
# "detail": its entries with payees, beneficiaries and receipts; "record": record entries
# (finance clerks); "approve": approve or reject them (finance approvers, maker-checker);
# "manage": open and change funds; "export": statements and lists to a file (audited).
FUND_ACTIONS = {
    "view": roles.FUND_FIGURES,
    "detail": roles.FUND_DETAIL,
    "record": roles.FUND_RECORD,
    "approve": roles.FUND_APPROVE,
    "manage": roles.FUND_MANAGE,
    "export": roles.FUND_DETAIL,
}


class Fund(models.Model):
    """A fund of an organisation (e.g. 疫情防控专项资金): where its money comes from, its period
    and the spending categories it allows (``Category`` values)."""

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="funds"
    )
    name = models.CharField(_("name"), max_length=100)
    source = models.CharField(_("source"), max_length=16, choices=FundSource.choices, default=FundSource.OWN_BUDGET)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    categories = models.JSONField(_("spending categories"), default=list)
    # The fund it was opened from by an allocation (None: opened by hand).
    allocated_from = models.ForeignKey(
        "self", verbose_name=_("allocated from"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    active = models.BooleanField(_("open"), default=True)
    # The sum of the fund's postings, added to by the ledger in the transaction that writes them,
    # under the fund's row lock (so reading a balance costs the same at any size of the ledger);
    # `nuanxin funds verify-totals` compares it with the postings, `rebuild-totals` recomputes it.
    balance = models.DecimalField(
        _("balance"), max_digits=14, decimal_places=2, default=Decimal("0"), editable=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords(excluded_fields=["balance"])
    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="organisation__path", actions=FUND_ACTIONS)

    class Meta:
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        ordering = ["organisation__path", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="funds_fund_unique_name"),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="funds_fund_period",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApprovalRule(models.Model):
    """An organisation's approval threshold: an entry (or a batch recorded at once) above it
    needs the parent organisation's approver too. No row: ``NUANXIN_FUNDS_THRESHOLD``. Set by
    the administrators above the organisation (an organisation does not set its own)."""

    organisation = models.OneToOneField(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.CASCADE, related_name="fund_rule"
    )
    threshold = models.DecimalField(
        _("threshold"), validators=[MinValueValidator(Decimal("0"))], max_digits=14, decimal_places=2
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = version_field()

    history = HistoricalRecords()
    objects = ScopedQuerySet.as_manager()
    # "change" is refined in apps.py: the user's grant must cover the parent organisation.
    policy = Policy(path="organisation__path", actions={"view": roles.FUND_DETAIL, "change": roles.FUND_THRESHOLD})

    class Meta:
        verbose_name = _("approval threshold")
        verbose_name_plural = _("approval thresholds")

    def __str__(self) -> str:
        return f"{self.organisation} ≤ {self.threshold}"


class CondolenceRound(models.Model):
    """A condolence round (慰问): a fixed sum to each person on a list, paid from one fund in
    one approval (its entry). Nobody is paid twice in the same round."""

    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="rounds")
    name = models.CharField(_("name"), max_length=100)
    amount_per_person = models.DecimalField(
        _("amount per person"), validators=[MinValueValidator(CENT)], max_digits=14, decimal_places=2
    )
    on = models.DateField(_("date"))
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="organisation__path", actions=FUND_ACTIONS)

    class Meta:
        verbose_name = _("condolence round")
        verbose_name_plural = _("condolence rounds")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return self.name


class Entry(models.Model):
    """What a finance clerk records (a voucher): it moves money only once approved.

    ``fund`` is the fund the money leaves (or, for income, enters); ``to_fund`` the fund of a
    descendant (allocation) or of an ancestor (return). ``amount`` is positive; the postings
    carry the signs. ``batch`` joins the entries recorded in one action (an allocation to five
    streets): the threshold applies to the batch's total. ``reverses``: the approved entry a
    reversal cancels (at most one reversal each)."""

    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="entries")
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=EntryKind.choices)
    income_kind = models.CharField(_("income kind"), max_length=16, choices=IncomeKind.choices, blank=True)
    to_fund = models.ForeignKey(
        Fund, verbose_name=_("to fund"), null=True, blank=True, on_delete=models.PROTECT, related_name="received"
    )
    amount = models.DecimalField(_("amount"), validators=[MinValueValidator(CENT)], max_digits=14, decimal_places=2)
    category = models.CharField(_("category"), max_length=16, blank=True)  # a Category value (expenditures)
    on = models.DateField(_("date"))
    payee = models.CharField(_("payee"), max_length=100, blank=True)
    payee_kind = models.CharField(_("payee kind"), max_length=16, choices=PayeeKind.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    quantity = models.DecimalField(_("quantity"), null=True, blank=True, max_digits=14, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=16, blank=True)
    reverses = models.ForeignKey(
        "self", verbose_name=_("reverses"), null=True, blank=True, on_delete=models.PROTECT, related_name="reversals"
    )
    round = models.ForeignKey(
        CondolenceRound,
        verbose_name=_("condolence round"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="entries",
    )
    batch = models.UUIDField(_("batch"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=EntryStatus.choices, default=EntryStatus.PENDING, db_index=True
    )
    needs_parent = models.BooleanField(_("needs the parent's approval"), default=False)
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    parent_approved_at = models.DateTimeField(_("approved by the parent"), null=True, blank=True)
    parent_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("parent's approver"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejected_at = models.DateTimeField(_("rejected"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rejected by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    version = version_field()

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="organisation__path", actions=FUND_ACTIONS)
    attachments_action = "detail"  # receipts: the finance roles, administrators and auditors

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        ordering = ["-on", "-id"]
        indexes = [
            models.Index(fields=["organisation", "status"], name="funds_entry_unit_status_idx"),
            models.Index(fields=["fund", "on"], name="funds_entry_fund_on_idx"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_entry_amount_positive"),
            # An approved entry is reversed at most once (a rejected reversal does not count).
            models.UniqueConstraint(
                fields=["reverses"], condition=~Q(status="rejected"), name="funds_entry_reversed_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in (EntryStatus.PENDING, EntryStatus.PARENT)


class Beneficiary(models.Model):
    """A person an expenditure pays: a registered worker (the family's head in the register),
    optionally the family member who received it. ``round`` repeats the entry's condolence
    round so that the database refuses a second payment to the same worker in the same round
    while the first stands (``active``: false once its entry is rejected)."""

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="beneficiaries")
    worker = models.ForeignKey(
        "registry.Worker", verbose_name=_("worker"), on_delete=models.PROTECT, related_name="+"
    )
    family_member = models.ForeignKey(
        "registry.FamilyMember",
        verbose_name=_("family member"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    amount = models.DecimalField(_("amount"), validators=[MinValueValidator(CENT)], max_digits=14, decimal_places=2)
    round = models.ForeignKey(
        CondolenceRound, null=True, blank=True, on_delete=models.PROTECT, related_name="beneficiaries"
    )
    active = models.BooleanField(default=True)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="entry__organisation__path", actions=FUND_ACTIONS)

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        constraints = [
            models.UniqueConstraint(
                fields=["round", "worker"],
                condition=Q(active=True, round__isnull=False),
                name="funds_beneficiary_once_per_round",
            ),
            models.UniqueConstraint(fields=["entry", "worker"], name="funds_beneficiary_once_per_entry"),
        ]

    def __str__(self) -> str:
        return f"{self.worker} {self.amount}"


class PostingQuerySet(ScopedQuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The ledger is append-only: correct a mistake with a reversing entry.")

    def delete(self):
        raise AppendOnlyError("The ledger is append-only: correct a mistake with a reversing entry.")


class Posting(models.Model):
    """One line of the ledger: ``amount`` (signed: + into the fund, − out of it) on one fund,
    written when its entry is approved and never changed. ``organisation`` and ``category``
    repeat the fund's and the entry's for the figures."""

    entry = models.ForeignKey(Entry, verbose_name=_("entry"), on_delete=models.PROTECT, related_name="postings")
    fund = models.ForeignKey(Fund, verbose_name=_("fund"), on_delete=models.PROTECT, related_name="postings")
    organisation = models.ForeignKey(
        "orgs.Organisation", verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=PostingKind.choices)
    category = models.CharField(_("category"), max_length=16, blank=True)
    on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    reversal = models.BooleanField(_("reversal"), default=False)
    posted_at = models.DateTimeField(_("posted"), auto_now_add=True)

    objects = PostingQuerySet.as_manager()
    policy = Policy(path="organisation__path", actions=FUND_ACTIONS)

    class Meta:
        verbose_name = _("posting")
        verbose_name_plural = _("postings")
        ordering = ["on", "id"]
        indexes = [
            # A fund's balance and statement: its postings by date, the amounts in the index.
            models.Index(fields=["fund", "on", "amount"], name="funds_posting_fund_on_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise AppendOnlyError("The ledger is append-only: correct a mistake with a reversing entry.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The ledger is append-only: correct a mistake with a reversing entry.")


class SubtreeTotal(models.Model):
    """The sum of the postings of one month, kind and category: of the organisation itself
    (``own``) or of its whole subtree (not ``own``). Kept by the ledger service in the same
    transaction as the postings; ``nuanxin funds rebuild-totals`` recomputes them (after an
    organisation moved in the tree)."""

    organisation = models.ForeignKey(
        "orgs.Organisation", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    own = models.BooleanField()
    month = models.DateField()  # the first day of the month
    kind = models.CharField(max_length=16, choices=PostingKind.choices)
    category = models.CharField(max_length=16, blank=True)
    amount = models.DecimalField(default=Decimal("0"), max_digits=14, decimal_places=2)

    objects = ScopedQuerySet.as_manager()
    policy = Policy(path="organisation__path", actions=FUND_ACTIONS)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "own", "month", "kind", "category"], name="funds_subtreetotal_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id} {self.month:%Y-%m} {self.kind} {self.category} {self.amount}"
