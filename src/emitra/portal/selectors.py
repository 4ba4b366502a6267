"""What a citizen sees of their own: online bills, receipts, applications, certificates and
complaints. Everything is filtered by the signed-in citizen; another's is as unknown as a
missing one (404)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from emitra.accounts.models import User
from emitra.accounts.roles import Role
from emitra.applications import selectors as application_selectors
from emitra.applications.models import Application
from emitra.billpay.models import BillPayment
from emitra.catalog.models import Service
from emitra.kiosks.models import Complaint
from emitra.portal.models import OnlineBill, OnlineFee

RECENT = 20


def online_bills_of(citizen: User) -> QuerySet[OnlineBill]:
    return OnlineBill.objects.filter(citizen=citizen).select_related("biller", "bill_payment")


def online_bill_for(citizen: User, number: str) -> OnlineBill:
    found = online_bills_of(citizen).filter(number=number).first()
    if found is None:
        raise Http404(number)
    return found


def online_fees_of(citizen: User) -> QuerySet[OnlineFee]:
    return OnlineFee.objects.filter(citizen=citizen).select_related("service", "application")


def online_fee_for(citizen: User, number: str) -> OnlineFee:
    found = online_fees_of(citizen).filter(number=number).first()
    if found is None:
        raise Http404(number)
    return found


def receipts_of(citizen: User) -> QuerySet[BillPayment]:
    """The citizen's online bill receipts (their payments have the citizen as payer)."""
    return BillPayment.objects.filter(operator=citizen).select_related("biller")


def receipt_for(citizen: User, number: str) -> BillPayment:
    found = receipts_of(citizen).select_related("operator").filter(number=number).first()
    if found is None:
        raise Http404(number)
    return found


def applications_of(citizen: User) -> QuerySet[Application]:
    """Applications made for the citizen, or with the mobile number they proved by OTP."""
    mine = Q(citizen=citizen)
    if citizen.mobile:
        mine |= Q(mobile=citizen.mobile)
    return Application.objects.filter(mine).select_related("service").order_by("-id")


def certificates_of(citizen: User) -> QuerySet[Application]:
    """Applications of the citizen that ended in a certificate (downloadable from there)."""
    return applications_of(citizen).exclude(certificate_number="")


def complaints_of(citizen: User) -> QuerySet[Complaint]:
    """Complaints filed about the citizen's own receipts (bills or applications)."""
    numbers = list(receipts_of(citizen).values_list("number", flat=True)[:500])
    numbers += list(applications_of(citizen).values_list("number", flat=True)[:500])
    if not numbers:
        return Complaint.objects.none()
    return Complaint.objects.filter(receipt_number__in=numbers).order_by("-id")


def services_citizens_apply_for(query: str = "") -> QuerySet[Service]:
    rows = application_selectors.applicable_by(Role.CITIZEN)
    if query:
        rows = rows.filter(Q(name_en__icontains=query) | Q(name_hi__icontains=query))
    return rows
