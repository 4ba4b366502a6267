from emitra.ledger import chart
from emitra.ledger.models import AccountKind


def test_system_accounts_open_once_and_are_hot(db):
    first = chart.open_system_accounts()
    again = chart.open_system_accounts()
    assert [a.pk for a in first] == [a.pk for a in again]
    assert all(a.floor is None for a in first)


def test_revenue_heads_and_billers_are_hot_and_lsps_are_limited(db):
    head = chart.revenue_head(department="revenue", head="0029-00-800", name="Land revenue fees")
    biller = chart.biller_clearing(biller="JVVNL")
    lsp = chart.lsp_account(lsp_id=7, name="Jaipur Digital")
    assert (head.code, head.kind, head.floor) == (
        "revenue:revenue:0029-00-800",
        AccountKind.REVENUE_HEAD,
        None,
    )
    assert (biller.code, biller.floor) == ("biller:JVVNL:clearing", None)
    assert (lsp.kind, lsp.floor) == (AccountKind.LSP, 0)
