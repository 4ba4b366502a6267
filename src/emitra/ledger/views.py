"""Wallet statements: an operator's own (/wallet/statement/) and, for the state admin and the
auditor, any wallet's (/ledger/accounts/<code>/statement/) — as a page, CSV or PDF."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from emitra.accounts.access import allow
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.core.errors import InvalidInput
from emitra.core.exports import csv_response
from emitra.ledger import selectors, statements
from emitra.ledger.models import Account, AccountKind
from emitra.ledger.services import OPERATOR_WALLET_OWNER

# Accounts that are someone's wallet; hot accounts (revenue heads, clearing) have no statement
# page: their volume is the MIS's business, not a page's.
WALLET_KINDS = (AccountKind.KIOSK_WALLET, AccountKind.LSP)


def _holder(account: Account) -> str:
    """The owner's name as it is now; the name the account was opened with otherwise."""
    if account.owner_type == OPERATOR_WALLET_OWNER and account.owner_id.isdigit():
        name = (
            User.objects.filter(pk=int(account.owner_id))
            .values_list("full_name", flat=True)
            .first()
        )
        if name:
            return name
    return account.name


def _statement_response(
    request: HttpRequest, account: Account | None, *, holder: str
) -> HttpResponse:
    """Parse the period, then answer in the asked format. A bad period is shown on the page
    (400) whatever the format, so a download link with a typo explains itself."""
    today = statements.today_ist()
    wanted = request.GET.get("format", "")
    context: dict[str, object] = {
        "account": account,
        "holder": holder,
        "max_days": statements.MAX_DAYS,
        "raw_from": request.GET.get("from", "")[:20],
        "raw_to": request.GET.get("to", "")[:20],
    }
    try:
        period = statements.parse_period(
            request.GET.get("from"), request.GET.get("to"), today=today
        )
    except InvalidInput as error:
        context["error"] = error.message
        return render(request, "ledger/statement.html", context, status=400)
    context.update(raw_from=period.first.isoformat(), raw_to=period.last.isoformat())
    if account is None:
        if wanted:
            raise Http404
        return render(request, "ledger/statement.html", context)

    statement = statements.build_statement(account, holder=holder, period=period)
    if wanted == "csv":
        header, rows = statements.csv_table(statement)
        return csv_response(statements.file_name(statement, "csv"), header, rows)
    if wanted == "pdf":
        response = HttpResponse(statements.render_pdf(statement), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{statements.file_name(statement, "pdf")}"'
        )
        return response
    context.update(
        statement=statement,
        chart=statements.balance_chart(statements.daily_closing(statement, today=today)),
        query=f"from={period.first.isoformat()}&to={period.last.isoformat()}",
    )
    return render(request, "ledger/statement.html", context)


@allow(Role.OPERATOR, reason="an operator sees the statement of their own wallet only")
@require_safe
@never_cache
def wallet_statement(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    account = selectors.wallet_of(user.pk)
    return _statement_response(request, account, holder=user.full_name)


@allow(Role.STATE_ADMIN, Role.AUDITOR, reason="the state and its auditors read any wallet")
@require_safe
@never_cache
def account_statement(request: HttpRequest, code: str) -> HttpResponse:
    account = Account.objects.filter(code=code, kind__in=WALLET_KINDS).first()
    if account is None:
        raise Http404
    return _statement_response(request, account, holder=_holder(account))
