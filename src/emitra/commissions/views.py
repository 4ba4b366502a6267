"""Monthly commission statements: an operator's own (/wallet/commission/) and, for the state
admin and the auditor, any operator's (/commissions/<user_id>/) — as a page, CSV or PDF."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from emitra.accounts.access import allow
from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.commissions import statements
from emitra.core.errors import InvalidInput
from emitra.core.exports import csv_response
from emitra.ledger.statements import today_ist


def _statement_response(request: HttpRequest, operator: User) -> HttpResponse:
    """Parse the month, then answer in the asked format. A bad month is shown on the page
    (400) whatever the format, so a download link with a typo explains itself."""
    context: dict[str, object] = {"operator": operator, "raw_month": request.GET.get("month", "")}
    try:
        month = statements.parse_month(request.GET.get("month"), today=today_ist())
    except InvalidInput as error:
        context["error"] = error.message
        context["raw_month"] = str(context["raw_month"])[:20]
        return render(request, "commissions/statement.html", context, status=400)
    statement = statements.build_statement(operator, month=month)
    wanted = request.GET.get("format", "")
    if wanted == "csv":
        header, rows = statements.csv_table(statement)
        return csv_response(statements.file_name(statement, "csv"), header, rows)
    if wanted == "pdf":
        response = HttpResponse(statements.render_pdf(statement), content_type="application/pdf")
        response["Content-Disposition"] = (
            f'attachment; filename="{statements.file_name(statement, "pdf")}"'
        )
        return response
    context.update(raw_month=month.iso, statement=statement, query=f"month={month.iso}")
    return render(request, "commissions/statement.html", context)


@allow(Role.OPERATOR, reason="an operator sees the commission statement of their own kiosk only")
@require_safe
@never_cache
def own_statement(request: HttpRequest) -> HttpResponse:
    user = request.user
    assert isinstance(user, User)
    return _statement_response(request, user)


@allow(Role.STATE_ADMIN, Role.AUDITOR, reason="the state and its auditors read any operator's")
@require_safe
@never_cache
def operator_statement(request: HttpRequest, user_id: int) -> HttpResponse:
    operator = User.objects.filter(pk=user_id, role=Role.OPERATOR).first()
    if operator is None:
        raise Http404
    return _statement_response(request, operator)
