"""ESC/POS: the byte language of thermal receipt printers (Epson's, spoken by most clones).

`Receipt` builds a job — initialise, text lines, bold/centre, a QR code, feed and cut — and
`decode` reads a job back into operations, so tests (and a support engineer looking at a
spool file) can see what the printer was told. Text is sent as ASCII: a stock 80 mm printer
has no Devanagari font, so machine receipts are printed in English (the screen is Hindi).
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC = 0x1B
GS = 0x1D
LF = 0x0A

INIT = bytes([ESC, 0x40])
CUT = bytes([GS, 0x56, 0x42, 0x00])  # feed to the cutter, then a full cut


def _qr_command(fn: int, data: bytes) -> bytes:
    """GS ( k pL pH cn fn data — the 2D-code function family, cn 49 = QR."""
    length = len(data) + 2
    return bytes([GS, 0x28, 0x6B, length & 0xFF, length >> 8, 0x31, fn]) + data


@dataclass
class Receipt:
    """One print job, built line by line."""

    parts: list[bytes] = field(default_factory=lambda: [INIT])

    def text(self, line: str) -> Receipt:
        self.parts.append(line.encode("ascii", "replace") + bytes([LF]))
        return self

    def bold(self, on: bool) -> Receipt:
        self.parts.append(bytes([ESC, 0x45, 1 if on else 0]))
        return self

    def align(self, where: str) -> Receipt:
        self.parts.append(bytes([ESC, 0x61, {"left": 0, "center": 1, "right": 2}[where]]))
        return self

    def qr(self, data: str, *, size: int = 6) -> Receipt:
        payload = data.encode("ascii")
        self.parts.append(_qr_command(0x41, bytes([0x32, 0x00])))  # model 2
        self.parts.append(_qr_command(0x43, bytes([size])))  # module size
        self.parts.append(_qr_command(0x45, bytes([0x31])))  # error correction M
        self.parts.append(_qr_command(0x50, bytes([0x30]) + payload))  # store the data
        self.parts.append(_qr_command(0x51, bytes([0x30])))  # print it
        self.parts.append(bytes([LF]))
        return self

    def cut(self) -> Receipt:
        self.parts.append(bytes([ESC, 0x64, 3]))  # feed 3 lines
        self.parts.append(CUT)
        return self

    def build(self) -> bytes:
        return b"".join(self.parts)


class DecodeError(ValueError):
    pass


def decode(job: bytes) -> list[tuple[str, str]]:
    """The operations of a job: ("init", ""), ("text", line), ("qr", data), ("cut", "") …"""
    ops: list[tuple[str, str]] = []
    line = bytearray()
    i = 0
    while i < len(job):
        byte = job[i]
        if byte == ESC:
            command = job[i + 1 : i + 2]
            if command == b"\x40":
                ops.append(("init", ""))
                i += 2
            elif command in (b"\x45", b"\x61", b"\x64"):
                name = {b"\x45": "bold", b"\x61": "align", b"\x64": "feed"}[command]
                ops.append((name, str(job[i + 2])))
                i += 3
            else:
                raise DecodeError(f"unknown ESC command at {i}")
        elif byte == GS:
            if job[i + 1 : i + 3] == b"\x28\x6b":
                length = job[i + 3] | (job[i + 4] << 8)
                fn = job[i + 6]
                data = job[i + 7 : i + 5 + length]
                if fn == 0x50:
                    ops.append(("qr", data[1:].decode("ascii")))
                elif fn == 0x51:
                    ops.append(("qr_print", ""))
                i += 5 + length
            elif job[i + 1 : i + 2] == b"\x56":
                ops.append(("cut", ""))
                i += 4
            else:
                raise DecodeError(f"unknown GS command at {i}")
        elif byte == LF:
            if line:
                ops.append(("text", line.decode("ascii")))
                line.clear()
            i += 1
        else:
            line.append(byte)
            i += 1
    if line:
        ops.append(("text", line.decode("ascii")))
    return ops
