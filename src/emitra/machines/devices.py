"""The machine's devices behind Protocols, and the simulated drivers used until real ones ship.

A real cash acceptor, card reader and printer sit in the machine and are reached through the
machine's local agent; the simulated drivers keep their state in files under
EMITRA_VAR_DIR/machines/<kiosk code>/ so that every request of the device bridge (views.py)
sees the same escrow, and tests can inject faults the way a jammed note would happen.
"""

from __future__ import annotations

import json
import os
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

NOTES = (10, 20, 50, 100, 200, 500)  # rupee notes the acceptor takes (₹2000 is withdrawn)
FAULTS = ("", "jam", "jam_after_one", "reject", "timeout")
CARD_FAULTS = ("", "decline", "fault", "timeout")


class CashFault(Exception):
    """A cash-acceptor fault; `stacked` paise reached the cash box, `returned` went back."""

    kind = "fault"

    def __init__(self, *, stacked: int = 0, returned: int = 0) -> None:
        super().__init__(self.kind)
        self.stacked = stacked
        self.returned = returned


class NoteJam(CashFault):
    kind = "jam"


class NoteRejected(CashFault):
    kind = "reject"


class AcceptorTimeout(CashFault):
    kind = "timeout"


class CashAcceptor(Protocol):
    def accept(self, note: int) -> int:
        """Take one note (rupees) into escrow; the escrow total in paise."""

    def escrow(self) -> int: ...

    def stack(self) -> int:
        """Move the escrow into the cash box; the paise stacked."""

    def return_escrow(self) -> int:
        """Give the escrow back through the bezel; the paise returned."""

    def status(self) -> str: ...


@dataclass(frozen=True)
class CardResult:
    approved: bool
    auth_code: str = ""
    reason: str = ""


class CardFault(Exception):
    """The reader failed mid-way (a fault, or no answer from the card in time). The driver
    guarantees the charge was not completed (a real terminal voids it by reference)."""

    kind = "fault"

    def __init__(self, kind: str = "fault") -> None:
        super().__init__(kind)
        self.kind = kind


class CardReader(Protocol):
    def charge(self, amount: int, *, reference: str) -> CardResult:
        """Charge `amount` paise once per `reference`: asked again with the same reference
        (a retried request), it answers the first result and charges nothing more."""

    def status(self) -> str: ...


class ReceiptPrinter(Protocol):
    def print_job(self, job: bytes, *, name: str) -> Path | None: ...

    def status(self) -> str: ...


# --- simulated drivers -----------------------------------------------------------------------


def device_dir(machine_code: str) -> Path:
    path = Path(settings.VAR_DIR) / "machines" / machine_code
    path.mkdir(parents=True, exist_ok=True)
    return path


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Atomically (rename), so a reader never sees half a state file."""
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-")
    with os.fdopen(handle, "w") as out:
        json.dump(data, out)
    os.replace(tmp, path)


class SimulatedCashAcceptor:
    """Escrow of notes in a JSON file; a fault set by `inject_fault` strikes once, at the next
    accept ("reject", "timeout") or stack ("jam", "jam_after_one")."""

    def __init__(self, machine_code: str) -> None:
        self.path = device_dir(machine_code) / "cash.json"

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"escrow": [], "box": 0, "fault": ""}
        data: dict[str, Any] = json.loads(self.path.read_text())
        return data

    def _save(self, data: dict[str, Any]) -> None:
        _write_json(self.path, data)

    def inject_fault(self, fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(fault)
        data = self._load()
        data["fault"] = fault
        self._save(data)

    def accept(self, note: int) -> int:
        data = self._load()
        fault = data["fault"]
        if fault == "reject" or note not in NOTES:
            data["fault"] = "" if fault == "reject" else fault
            self._save(data)
            raise NoteRejected(returned=note * 100)
        if fault == "timeout":
            returned = sum(data["escrow"]) * 100 + note * 100
            data.update(escrow=[], fault="")
            self._save(data)
            raise AcceptorTimeout(returned=returned)
        data["escrow"].append(note)
        self._save(data)
        return int(sum(data["escrow"])) * 100

    def escrow(self) -> int:
        return int(sum(self._load()["escrow"])) * 100

    def stack(self) -> int:
        data = self._load()
        notes: list[int] = data["escrow"]
        if data["fault"] in ("jam", "jam_after_one") and notes:
            # "jam": the first note sticks at the gate, all come back; "jam_after_one": the
            # first note reached the box before the jam, the rest come back.
            kept = 1 if data["fault"] == "jam_after_one" else 0
            stacked, back = notes[:kept], notes[kept:]
            data.update(escrow=[], fault="", box=data["box"] + sum(stacked) * 100)
            self._save(data)
            raise NoteJam(stacked=sum(stacked) * 100, returned=sum(back) * 100)
        total = sum(notes) * 100
        data.update(escrow=[], box=data["box"] + total)
        self._save(data)
        return int(total)

    def return_escrow(self) -> int:
        data = self._load()
        total = sum(data["escrow"]) * 100
        data["escrow"] = []
        self._save(data)
        return int(total)

    def box_total(self) -> int:
        return int(self._load()["box"])

    def status(self) -> str:
        return "fault" if self._load()["fault"] else "ok"


class SimulatedCardReader:
    """Charges kept in a JSON file by reference, so a replayed reference never charges twice.

    Approves, except amounts ending in 13 paise (a decline by the issuer). A fault set by
    `inject_fault` strikes once, at the next charge: "decline" (the issuer says no), "fault"
    (the reader fails mid-way) or "timeout" (the card was not presented in time); a fault
    leaves nothing charged."""

    def __init__(self, machine_code: str) -> None:
        self.path = device_dir(machine_code) / "card.json"

    def _load(self) -> dict[str, Any]:
        if not self.path.exists():
            return {"fault": "", "charges": {}}
        data: dict[str, Any] = json.loads(self.path.read_text())
        return data

    def _save(self, data: dict[str, Any]) -> None:
        _write_json(self.path, data)

    def inject_fault(self, fault: str) -> None:
        if fault not in CARD_FAULTS:
            raise ValueError(fault)
        data = self._load()
        data["fault"] = fault
        self._save(data)

    def charge(self, amount: int, *, reference: str) -> CardResult:
        data = self._load()
        known = data["charges"].get(reference)
        if known is not None:
            return CardResult(
                approved=known["approved"], auth_code=known["auth_code"], reason=known["reason"]
            )
        fault = data["fault"]
        if fault in ("fault", "timeout"):
            data["fault"] = ""
            self._save(data)
            raise CardFault(fault)
        if fault == "decline" or amount <= 0 or amount % 100 == 13:
            result = CardResult(approved=False, reason="declined by the issuer")
        else:
            result = CardResult(
                approved=True, auth_code=f"SIM{zlib.crc32(reference.encode()) % 1_000_000:06d}"
            )
        data["fault"] = ""
        data["charges"][reference] = {
            "amount": amount,
            "approved": result.approved,
            "auth_code": result.auth_code,
            "reason": result.reason,
        }
        self._save(data)
        return result

    def charged_total(self) -> int:
        """Paise approved on cards so far (what the acquirer will pay the machine's owner)."""
        charges = self._load()["charges"].values()
        return int(sum(c["amount"] for c in charges if c["approved"]))

    def status(self) -> str:
        return "fault" if self._load()["fault"] in ("fault", "timeout") else "ok"


class SimulatedPrinter:
    """Writes each job into a spool directory, one .escpos file per receipt."""

    def __init__(self, machine_code: str) -> None:
        self.spool = device_dir(machine_code) / "spool"
        self.spool.mkdir(exist_ok=True)

    def print_job(self, job: bytes, *, name: str) -> Path:
        path = self.spool / f"{name}.escpos"
        tmp = path.with_suffix(".part")
        tmp.write_bytes(job)
        os.replace(tmp, path)
        return path

    def status(self) -> str:
        return "ok"


@dataclass(frozen=True)
class Devices:
    cash: SimulatedCashAcceptor
    card: SimulatedCardReader
    printer: SimulatedPrinter

    def states(self) -> dict[str, str]:
        return {
            "cash": self.cash.status(),
            "card": self.card.status(),
            "printer": self.printer.status(),
        }


def devices_for(machine_code: str) -> Devices:
    """The drivers of one machine (simulated ones: no real driver ships yet)."""
    return Devices(
        cash=SimulatedCashAcceptor(machine_code),
        card=SimulatedCardReader(machine_code),
        printer=SimulatedPrinter(machine_code),
    )
