"""The double-entry ledger: accounts, journal transactions, entries and holds (DESIGN.md §4).

Only `ledger.services` writes these tables, and the database defends the rules on its own
(see migrations/0002): a transaction's entries sum to zero, entries are never changed, a
limited account never drops below its floor, and a hold is resolved at most once.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AccountKind(models.TextChoices):
    KIOSK_WALLET = "kiosk_wallet", _("Kiosk wallet")
    LSP = "lsp", _("LSP account")
    REVENUE_HEAD = "revenue_head", _("Department revenue head")
    STATE_COMMISSION = "state_commission", _("State commission")
    GATEWAY_CLEARING = "gateway_clearing", _("Payment gateway clearing")
    BILLER_CLEARING = "biller_clearing", _("Biller clearing")
    SUSPENSE = "suspense", _("Suspense")
    DEPARTMENT_PAYABLE = "department_payable", _("Department settlement payable")


class Account(models.Model):
    """A ledger account. Accounts with a floor (wallets) keep a balance row, locked per posting;
    accounts without one (hot accounts: revenue heads, the commission pool, clearing) are only
    appended to, and their balance is the sum of their entries."""

    code = models.CharField(_("code"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=24, choices=AccountKind.choices)
    name = models.CharField(_("name"), max_length=150)
    owner_type = models.CharField(_("owner type"), max_length=40, blank=True)
    owner_id = models.CharField(_("owner id"), max_length=40, blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="INR")
    floor = models.BigIntegerField(
        _("floor (paise)"),
        null=True,
        blank=True,
        help_text=_("Lowest allowed available balance; empty for accounts without a limit."),
    )
    balance = models.BigIntegerField(_("posted balance (paise)"), default=0)
    held = models.BigIntegerField(_("held (paise)"), default=0)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("ledger account")
        verbose_name_plural = _("ledger accounts")
        constraints = [
            models.CheckConstraint(
                condition=Q(floor__isnull=True)
                | Q(balance__gte=models.F("held") + models.F("floor")),
                name="ledger_account_above_floor",
            ),
            models.CheckConstraint(
                condition=Q(held__gte=0), name="ledger_account_held_nonnegative"
            ),
            models.CheckConstraint(
                condition=Q(floor__isnull=False) | (Q(balance=0) & Q(held=0)),
                name="ledger_account_hot_has_no_balance_row",
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_limited(self) -> bool:
        return self.floor is not None

    @property
    def available(self) -> int:
        return self.balance - self.held


class JournalTransaction(models.Model):
    """One balanced act of the ledger. Its id is chosen before its entries are written. On
    SQLite the row is inserted after them and its insert trigger checks they sum to zero; on
    PostgreSQL it is inserted first and each INSERT of its entries is checked (migration 0008)."""

    id = models.BigIntegerField(primary_key=True)
    kind = models.CharField(_("kind"), max_length=40)
    scope = models.CharField(_("idempotency scope"), max_length=60)
    key = models.CharField(_("idempotency key"), max_length=100)
    request_hash = models.CharField(max_length=64)
    # SQLite keeps the real (deferred) foreign key; PostgreSQL checks it by a trigger that
    # fires only for reversals, not a deferred event per journal row (migration 0009).
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("reverses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reversed_by",
        db_constraint=False,
    )
    cause_type = models.CharField(_("cause type"), max_length=60, blank=True)
    cause_id = models.CharField(_("cause id"), max_length=64, blank=True)
    memo = models.CharField(_("memo"), max_length=200, blank=True)
    actor_id = models.BigIntegerField(_("actor"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("journal transaction")
        verbose_name_plural = _("journal")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="ledger_txn_idempotency"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}"


class Entry(models.Model):
    """One leg: a signed amount on one account (credit > 0, debit < 0). Append-only."""

    # A foreign key for the ORM. The database checks it differently per vendor: SQLite keeps
    # its real (deferred) foreign key from migration 0001 — entries come before their row
    # there; on PostgreSQL the row comes first and the entry trigger checks each INSERT's
    # transactions at once instead of one locking query per entry at COMMIT (migration 0008).
    transaction = models.ForeignKey(
        JournalTransaction,
        on_delete=models.PROTECT,
        related_name="entries",
        db_index=True,
        db_constraint=False,
    )
    # No per-row foreign-key check (1 query per entry): the entry trigger checks all of an
    # INSERT's accounts at once, accounts can never be deleted (trigger), and the
    # (account, transaction) index serves every lookup by account.
    account = models.ForeignKey(
        Account,
        on_delete=models.PROTECT,
        related_name="entries",
        db_constraint=False,
        db_index=False,
    )
    amount = models.BigIntegerField(_("amount (paise)"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="ledger_entry_nonzero")]
        indexes = [models.Index(fields=["account", "transaction"], name="ledger_entry_account_idx")]

    def __str__(self) -> str:
        return f"{self.account_id}: {self.amount}"


class HoldState(models.TextChoices):
    OPEN = "open", _("Open")
    POSTED = "posted", _("Posted")
    VOIDED = "voided", _("Voided")
    EXPIRED = "expired", _("Expired")


class Hold(models.Model):
    """Money reserved on a limited account, later posted (whole or part) or voided — once."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="holds")
    amount = models.BigIntegerField(_("amount (paise)"))
    state = models.CharField(
        _("state"), max_length=10, choices=HoldState.choices, default=HoldState.OPEN
    )
    expires_at = models.DateTimeField(_("expires at"))
    scope = models.CharField(_("idempotency scope"), max_length=60)
    key = models.CharField(_("idempotency key"), max_length=100)
    request_hash = models.CharField(max_length=64)
    posted_amount = models.BigIntegerField(_("posted amount (paise)"), default=0)
    # SQLite keeps the real (deferred) foreign key; PostgreSQL's hold triggers check it when
    # it is written, not with a locking query at COMMIT (migration 0009).
    resolved_by = models.OneToOneField(
        JournalTransaction,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posted_hold",
        db_constraint=False,
    )
    cause_type = models.CharField(_("cause type"), max_length=60, blank=True)
    cause_id = models.CharField(_("cause id"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("hold")
        verbose_name_plural = _("holds")
        constraints = [
            models.UniqueConstraint(fields=["scope", "key"], name="ledger_hold_idempotency"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="ledger_hold_positive"),
            models.CheckConstraint(
                condition=Q(posted_amount__gte=0) & Q(posted_amount__lte=models.F("amount")),
                name="ledger_hold_posted_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["state", "expires_at"], name="ledger_hold_expiry_idx")]

    def __str__(self) -> str:
        return f"hold #{self.pk} {self.amount} ({self.state})"
