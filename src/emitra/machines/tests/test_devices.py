"""The simulated drivers: ESC/POS bytes that decode back, cash faults, card decisions."""

from __future__ import annotations

from typing import Any

import pytest

from emitra.machines.devices import (
    AcceptorTimeout,
    NoteJam,
    NoteRejected,
    SimulatedCardReader,
    SimulatedCashAcceptor,
    SimulatedPrinter,
)
from emitra.machines.escpos import INIT, Receipt, decode


@pytest.fixture(autouse=True)
def _var(settings: Any, tmp_path: Any) -> None:
    settings.VAR_DIR = tmp_path


def test_an_escpos_receipt_starts_with_init_ends_with_a_cut_and_decodes_back():
    job = (
        Receipt()
        .align("center")
        .bold(True)
        .text("e-Mitra Plus")
        .bold(False)
        .text("Receipt: BPR-2026-27-000000001")
        .qr("https://emitra.example/receipts/verify/?p=abc")
        .cut()
        .build()
    )

    assert job.startswith(INIT)
    assert job.endswith(b"\x1dVB\x00")
    assert b"\x1d(k" in job  # the QR function family
    ops = decode(job)
    assert ops[0] == ("init", "")
    assert ("text", "Receipt: BPR-2026-27-000000001") in ops
    assert ("qr", "https://emitra.example/receipts/verify/?p=abc") in ops
    assert ("qr_print", "") in ops
    assert ops[-1] == ("cut", "")


def test_text_outside_ascii_is_replaced_not_sent_as_garbage():
    ops = decode(Receipt().text("₹ 100").build())
    assert ("text", "? 100") in ops


def test_notes_go_into_escrow_and_are_stacked_into_the_box():
    cash = SimulatedCashAcceptor("M-1")

    assert cash.accept(500) == 500_00
    assert cash.accept(100) == 600_00
    assert cash.stack() == 600_00
    assert cash.escrow() == 0
    assert cash.box_total() == 600_00


def test_returning_the_escrow_leaves_the_box_untouched():
    cash = SimulatedCashAcceptor("M-1")
    cash.accept(200)

    assert cash.return_escrow() == 200_00
    assert cash.escrow() == 0
    assert cash.box_total() == 0


def test_an_unknown_note_or_an_injected_reject_is_refused_without_touching_the_escrow():
    cash = SimulatedCashAcceptor("M-1")
    cash.accept(100)

    with pytest.raises(NoteRejected):
        cash.accept(2000)
    cash.inject_fault("reject")
    with pytest.raises(NoteRejected):
        cash.accept(500)
    assert cash.escrow() == 100_00
    assert cash.accept(500) == 600_00  # the fault struck once


def test_a_timeout_returns_the_whole_escrow():
    cash = SimulatedCashAcceptor("M-1")
    cash.accept(100)
    cash.inject_fault("timeout")

    with pytest.raises(AcceptorTimeout) as fault:
        cash.accept(500)
    assert fault.value.returned == 600_00
    assert cash.escrow() == 0
    assert cash.box_total() == 0


def test_a_jam_at_the_gate_returns_every_note_and_a_later_jam_keeps_what_was_stacked():
    cash = SimulatedCashAcceptor("M-1")
    cash.accept(500)
    cash.accept(200)
    cash.inject_fault("jam")
    with pytest.raises(NoteJam) as first:
        cash.stack()
    assert (first.value.stacked, first.value.returned) == (0, 700_00)
    assert cash.box_total() == 0

    cash.accept(500)
    cash.accept(200)
    cash.inject_fault("jam_after_one")
    with pytest.raises(NoteJam) as second:
        cash.stack()
    assert (second.value.stacked, second.value.returned) == (500_00, 200_00)
    assert cash.box_total() == 500_00
    assert cash.status() == "ok"


def test_an_injected_fault_shows_in_the_status_until_it_strikes():
    cash = SimulatedCashAcceptor("M-1")
    cash.inject_fault("jam")
    assert cash.status() == "fault"
    with pytest.raises(ValueError):
        cash.inject_fault("fire")


def test_the_card_reader_approves_and_declines():
    reader = SimulatedCardReader("M-1")
    approved = reader.charge(500_00, reference="R1")
    declined = reader.charge(500_13, reference="R2")

    assert approved.approved and approved.auth_code.startswith("SIM")
    assert not declined.approved and declined.reason


def test_the_printer_spools_one_file_per_job():
    printer = SimulatedPrinter("M-1")
    path = printer.print_job(Receipt().text("hello").cut().build(), name="BPR-1")

    assert path.name == "BPR-1.escpos"
    assert ("text", "hello") in decode(path.read_bytes())
