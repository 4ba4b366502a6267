"""The back office lists billers, payments and fetched bills; payments cannot be edited."""

from __future__ import annotations

import pytest

from emitra.accounts.roles import Role
from emitra.billpay.tests.conftest import k_number

pytestmark = [pytest.mark.simulators, pytest.mark.django_db]


def test_the_back_office_lists_billpay_rows_read_only(biller, pay, client_as):
    payment = pay(k_number(0))
    admin_client = client_as(Role.STATE_ADMIN, is_superuser=True, is_staff=True)
    for url in (
        "/admin/billpay/biller/",
        "/admin/billpay/billpayment/",
        "/admin/billpay/fetchedbill/",
        f"/admin/billpay/billpayment/{payment.pk}/change/",
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url
    page = admin_client.get(f"/admin/billpay/billpayment/{payment.pk}/change/").content.decode()
    assert 'name="_save"' not in page
