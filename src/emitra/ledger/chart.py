"""The chart of accounts (issue 4 §3): every account e-Mitra posts to, by a stable code.

System accounts are opened on first use. Hot accounts (no floor) are only appended to;
wallets and LSP accounts have floors and balance rows.

    wallet:user:<id>            kiosk operator's prepaid wallet (floor 0, or LSP credit)
    lsp:<id>                    an LSP's account (floor 0)
    revenue:<dept>:<head>       a department's revenue head (hot)
    state:commission            the state's share of service charges (hot)
    commission:lsp-pool         LSP commissions before the monthly payout (hot)
    gateway:clearing            money arriving through the payment gateway (hot)
    biller:<code>:clearing      money owed to a biller (hot)
    suspense                    unexplained money awaiting reconciliation (hot)
    settlement:<dept>:bank      what a department is owed after the daily settlement (hot)
"""

from __future__ import annotations

from emitra.ledger.models import Account, AccountKind
from emitra.ledger.services import open_account

GATEWAY_CLEARING = "gateway:clearing"
STATE_COMMISSION = "state:commission"
LSP_COMMISSION_POOL = "commission:lsp-pool"
SUSPENSE = "suspense"


def gateway_clearing() -> Account:
    return open_account(
        code=GATEWAY_CLEARING, kind=AccountKind.GATEWAY_CLEARING, name="Payment gateway clearing"
    )


def state_commission() -> Account:
    return open_account(
        code=STATE_COMMISSION, kind=AccountKind.STATE_COMMISSION, name="State share"
    )


def lsp_commission_pool() -> Account:
    """LSP shares are credited here (hot) rather than to each LSP's locked account per payment;
    a monthly payout moves them to the LSPs (DESIGN.md §4 rule 6)."""
    return open_account(
        code=LSP_COMMISSION_POOL, kind=AccountKind.STATE_COMMISSION, name="LSP commission pool"
    )


def suspense() -> Account:
    return open_account(code=SUSPENSE, kind=AccountKind.SUSPENSE, name="Suspense")


def revenue_head(*, department: str, head: str, name: str = "") -> Account:
    return open_account(
        code=f"revenue:{department}:{head}",
        kind=AccountKind.REVENUE_HEAD,
        name=name or f"{department} {head}",
        owner_type="catalog.revenuehead",
        owner_id=f"{department}:{head}",
    )


def biller_clearing(*, biller: str, name: str = "") -> Account:
    return open_account(
        code=f"biller:{biller}:clearing",
        kind=AccountKind.BILLER_CLEARING,
        name=name or f"{biller} clearing",
        owner_type="billpay.biller",
        owner_id=biller,
    )


def lsp_account(*, lsp_id: int, name: str) -> Account:
    return open_account(
        code=f"lsp:{lsp_id}",
        kind=AccountKind.LSP,
        name=name,
        floor=0,
        owner_type="kiosks.lsp",
        owner_id=str(lsp_id),
    )


def department_payable(*, department: str, name: str = "") -> Account:
    """What a department is owed after the daily settlement, until its bank transfer."""
    return open_account(
        code=f"settlement:{department}:bank",
        kind=AccountKind.DEPARTMENT_PAYABLE,
        name=name or f"{department} settlement payable",
        owner_type="catalog.department",
        owner_id=department,
    )


def open_system_accounts() -> list[Account]:
    """The accounts every installation has (run by `emitra demo` and on first use)."""
    return [gateway_clearing(), state_commission(), lsp_commission_pool(), suspense()]
