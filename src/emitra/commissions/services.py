"""Posting a kiosk's payment for a service: the Quote turned into ledger legs, posted from the
wallet hold in one `post_hold`, with its `CommissionLine` in the same database transaction.

Legs (DESIGN.md §4 rules 6 and 7; hot accounts are only appended to):

Citizen pays the service charge (applications, fee collection, most bills):
    wallet → revenue:<dept>:<head>        each revenue_head line (fees, the collected amount)
    wallet → state:commission             service charge + tax
    state:commission → wallet             kiosk share
    state:commission → commission:lsp-pool  LSP share          (the state keeps the rest)

The department pays it (electricity and water bills, free to the citizen):
    wallet → revenue:<dept>:<head>        the bill amount (the hold is exactly that)
    revenue:<dept>:commission → wallet    kiosk share
    revenue:<dept>:commission → commission:lsp-pool   LSP share
    revenue:<dept>:commission → state:commission      state share + tax

`revenue:<dept>:commission` is a hot account per department whose balance runs negative: what
the department owes e-Mitra in commission. The bill's revenue head keeps the gross amount the
citizens paid (it matches the biller's report); the daily settlement nets the two.
"""

from __future__ import annotations

from django.db import transaction

from emitra.accounts.models import User
from emitra.catalog.models import ServiceType
from emitra.catalog.pricing import DEPARTMENT, Quote
from emitra.commissions.errors import HoldDoesNotMatch, NothingToPay, WrongWallet
from emitra.commissions.models import CommissionLine, Payer
from emitra.core.money import format_inr
from emitra.ledger import chart
from emitra.ledger.models import Account, Hold
from emitra.ledger.services import OPERATOR_WALLET_OWNER, Cause, Leg, post_hold

DEPARTMENT_COMMISSION_HEAD = "commission"


def department_commission_account(department: str) -> Account:
    """The hot account a department pays kiosk, LSP and state shares from."""
    return chart.revenue_head(
        department=department,
        head=DEPARTMENT_COMMISSION_HEAD,
        name=f"{department} commission payable",
    )


def journal_kind(quote: Quote) -> str:
    service_type = quote.service.service_type
    if service_type == ServiceType.BILL:
        return "bill_payment"
    if service_type in (ServiceType.G2C, ServiceType.G2B):
        return "application_fee"
    return "pay"


def _share(quote: Quote, kind: str) -> int:
    return sum(line.amount for line in quote.lines if line.kind == kind)


def legs_for(quote: Quote, wallet: Account) -> list[Leg]:
    """The ledger legs of a quote paid from `wallet` (see the module's docstring)."""
    department = quote.service.department.code
    legs = [
        Leg(
            wallet,
            chart.revenue_head(department=department, head=line.code, name=line.label_en),
            line.amount,
        )
        for line in quote.lines
        if line.kind == "revenue_head" and line.amount
    ]
    kiosk = _share(quote, "commission_kiosk")
    lsp = _share(quote, "commission_lsp")
    state = _share(quote, "commission_state")
    tax = _share(quote, "tax")
    charge = quote.service_charge
    if not charge and not tax:
        return legs
    state_account = chart.state_commission()
    pool = chart.lsp_commission_pool()
    if quote.charge_payer == DEPARTMENT:
        payer = department_commission_account(department)
        shares = [(wallet, kiosk), (pool, lsp), (state_account, state + tax)]
        return legs + [Leg(payer, account, amount) for account, amount in shares if amount]
    legs.append(Leg(wallet, state_account, charge + tax))
    shares = [(wallet, kiosk), (pool, lsp)]
    return legs + [Leg(state_account, account, amount) for account, amount in shares if amount]


def _check(*, operator: User, wallet: Account, hold: Hold, quote: Quote) -> None:
    if hold.account_id != wallet.pk or (
        wallet.owner_type == OPERATOR_WALLET_OWNER and wallet.owner_id != str(operator.pk)
    ):
        raise WrongWallet()
    if quote.total_citizen <= 0:
        raise NothingToPay()
    if hold.amount != quote.total_citizen:
        raise HoldDoesNotMatch(held=format_inr(hold.amount), total=format_inr(quote.total_citizen))


def post_service_payment(
    *,
    operator: User,
    wallet: Account,
    hold: Hold,
    quote: Quote,
    scope: str,
    key: str,
    cause: Cause,
) -> CommissionLine:
    """Post `hold` (exactly `quote.total_citizen`, reserved on `wallet`) as the payment that
    `quote` prices, crediting revenue heads, the kiosk, the LSP pool and the state, and record
    its `CommissionLine`. Idempotent on (scope, key): a replay returns the first line.

    Raises `WrongWallet`, `NothingToPay`, `HoldDoesNotMatch` before anything is written, and
    the ledger's refusals (`KeyReused`, `HoldResolved`, `HoldExpired` …) from `post_hold`."""
    _check(operator=operator, wallet=wallet, hold=hold, quote=quote)
    legs = legs_for(quote, wallet)

    with transaction.atomic():
        txn = post_hold(
            hold=hold,
            legs=legs,
            scope=scope,
            key=key,
            kind=journal_kind(quote),
            cause=cause,
            actor_id=operator.pk,
        )

        earlier = CommissionLine.objects.filter(transaction_id=txn.pk).first()
        if earlier is not None:
            return earlier
        return CommissionLine.objects.create(
            transaction=txn,
            scope=scope,
            key=key,
            operator=operator,
            wallet=wallet,
            service=quote.service,
            service_code=quote.service.code,
            version=quote.version,
            kiosk_category=quote.kiosk_category,
            channel=quote.channel,
            payer=Payer.DEPARTMENT if quote.charge_payer == DEPARTMENT else Payer.CITIZEN,
            amount=quote.total_citizen,
            service_charge=quote.service_charge,
            tax=_share(quote, "tax"),
            kiosk_share=_share(quote, "commission_kiosk"),
            lsp_share=_share(quote, "commission_lsp"),
            state_share=_share(quote, "commission_state"),
            priced_at=quote.at,
            at=txn.created_at,
        )
