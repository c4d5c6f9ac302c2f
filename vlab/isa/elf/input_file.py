"""Reading a program file from the host with a size cap.

``vlab run``, ``vlab asm`` and ``vlab disasm`` read the file they are given whole.  A
path like ``/dev/zero`` (or a symbolic link to it, or a FIFO fed without end) would let
that read grow until the host runs out of memory; so every input is read in pieces and
refused, with a clear message, as soon as it passes ``MAX_INPUT_BYTES`` -- more than any
program that fits in the modeled machine's RAM (a vlab machine has at most a few hundred
MiB, and a course program is a few KiB).
"""

from __future__ import annotations

import os

MAX_INPUT_BYTES = 64 << 20
PIECE = 1 << 20


class InputFileError(ValueError):
    """The input file cannot be read, or is larger than the cap; the message says why."""


def read_input(path, limit: int = MAX_INPUT_BYTES, what: str = "input file") -> bytes:
    """The bytes of ``path``, at most ``limit`` of them (InputFileError beyond)."""
    name = os.fsdecode(path) if isinstance(path, bytes) else os.fspath(path)
    pieces: list[bytes] = []
    size = 0
    try:
        with open(path, "rb") as file:
            while size <= limit:
                piece = file.read(min(PIECE, limit + 1 - size))
                if not piece:
                    return b"".join(pieces)
                pieces.append(piece)
                size += len(piece)
    except OSError as exc:
        raise InputFileError(f"cannot read {name!r}: {exc.strerror or exc}") from None
    raise InputFileError(f"{name!r} is larger than {limit >> 20} MiB, the most a {what} may "
                         "be (is it a device such as /dev/zero, or the wrong file?)")
