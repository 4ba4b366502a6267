"""A citizen can rate or complain about the kiosk from an application's acknowledgement."""

from __future__ import annotations

import pytest

from emitra.kiosks import services as kiosks
from emitra.kiosks.receipts import find_receipt
from emitra.kiosks.selectors import kiosk_of_operator

pytestmark = pytest.mark.django_db


def test_an_acknowledgement_number_is_a_receipt_for_feedback(submit, operator):
    application = submit()

    found = find_receipt(application.number.lower())
    assert found is not None
    assert found.operator_id == operator.pk
    assert found.amount == application.amount_paid

    complaint = kiosks.submit_complaint(receipt_number=application.number, category="overcharging")
    assert complaint.kiosk == kiosk_of_operator(operator)
