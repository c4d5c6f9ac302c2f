"""Run a vlab-BSD program on the Linux-ABI host kernel, translating each system call.

The program is an ordinary static RV32 ELF; what makes it foreign is its system calls
(``programs/bsd_abi.h``).  Like LxRun, the layer lets the program run natively and
catches each of its traps: it finds every ``ecall`` instruction in the program's
executable segments and stops there (a breakpoint, where LxRun caught the trap the
foreign call raised).  It reads the foreign number from ``t0``, runs the row of
``translate.BSD_CALLS`` -- Linux calls made through the host kernel, charged like any
system call -- and writes the result back in the foreign convention (``t0`` = 0 and the
value in ``a0``, or ``t0`` = 1 and a BSD errno), then continues after the ``ecall``.
``exit`` becomes the kernel's own ``exit_group``: the ``ecall`` runs with a7 = 94.
A number the table lacks fails with the BSD ENOSYS (78) and is listed in ``unknown``.

Cost: a foreign system call is a real trap into the kernel, so each caught ``ecall`` is
charged what the hardware's part of a native one is (``trap``, the event the kernel's
``ecall`` entry is charged as, vlab/os/trap.py), plus one ``lib_abi_translate`` for the
table work, plus a ``syscall`` for every Linux call its row makes (vlab/os/kernel.py).
A foreign call therefore costs at least the native call plus the translation.  The
``exit`` call's ``ecall`` really runs, so the kernel's entry charges its trap.
Simplified: this prices the layer as WSL 1 built it, inside the kernel; LxRun, a user
program, also paid a signal to itself and a second trap per native call.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from pathlib import Path

from elftools.elf.elffile import ELFFile

from vlab.os.boot import boot
from vlab.os.errno import ENOSYS, SyscallError
from vlab.os.quota import CappedOutput
from vlab.os.trap import ECALL_CHARGED_AS
from vlab.os.unistd import NUMBERS

from .build import EI_OSABI, ELFOSABI_FREEBSD
from .translate import BSD_CALLS, ForeignErrno, bsd_errno

ECALL = 0x0000_0073
TRANSLATE_EVENT = "lib_abi_translate"     # the layer's own work per call (host/costs.py)
A0, A7, T0, SP = 10, 17, 5, 2


@dataclass
class ForeignAbiRun:
    stdout: bytes
    exit_code: int | None
    message: str
    ledger: object
    log: list[tuple[str, str, list[str]]] = field(default_factory=list)  # call, result, linux
    unknown: list[int] = field(default_factory=list)


def ecall_sites(program) -> set[int]:
    """Addresses of the ``ecall`` instructions in the executable segments."""
    with open(program, "rb") as f:
        elf = ELFFile(io.BytesIO(f.read()))
    sites = set()
    for segment in elf.iter_segments():
        if segment["p_type"] == "PT_LOAD" and segment["p_flags"] & 1:
            data = segment.data()
            for offset in range(0, len(data) - 3, 4):
                if struct.unpack_from("<I", data, offset)[0] == ECALL:
                    sites.add(segment["p_vaddr"] + offset)
    return sites


class _Kernel:
    """What a translator may use: Linux calls, the process's memory, scratch space."""

    def __init__(self, kernel, machine, record):
        self.kernel, self.machine, self.record = kernel, machine, record
        self.exiting = None

    def linux(self, name: str, *args) -> int:
        words = [int(a) & 0xFFFF_FFFF for a in args] + [0] * (6 - len(args))
        try:
            result = self.kernel.syscall(self.kernel.current, NUMBERS[name], words)
        except SyscallError as exc:
            result = -exc.errno & 0xFFFF_FFFF
        result = result - (1 << 32) if result & 0x8000_0000 else result
        self.record.append(f"{name}({', '.join(_show(a) for a in args)}) = {result}")
        return result

    def read(self, address: int, n: int) -> bytes:
        return self.kernel.current.space.read(address, n)

    def write(self, address: int, data: bytes) -> None:
        self.kernel.current.space.write(address, data)

    def scratch(self, n: int) -> int:
        return (self.machine.regs[SP] - 256 - n) & ~15

    def exit(self, code: int) -> int:
        self.exiting = code
        self.record.append(f"exit_group({code})")
        return code


def _show(value) -> str:
    value = int(value) & 0xFFFF_FFFF
    if value >= 0xFFFF_0000:
        return str(value - (1 << 32))
    return f"{value:#x}" if value > 0xFFFF else str(value)


class NotForeign(ValueError):
    """The program is not branded for the foreign ABI."""


def is_bsd(program) -> bool:
    with open(program, "rb") as f:
        ident = f.read(16)
    return ident[:4] == b"\x7fELF" and len(ident) > EI_OSABI and \
        ident[EI_OSABI] == ELFOSABI_FREEBSD


def run_bsd(program, root=None, max_instructions: int = 2_000_000) -> ForeignAbiRun:
    if not is_bsd(program):
        raise NotForeign(f"{program} is not branded for FreeBSD (e_ident[EI_OSABI] is not "
                         f"{ELFOSABI_FREEBSD}): a Linux program needs no translation -- run "
                         "it with vlab run")
    sites = ecall_sites(program)
    out, err = CappedOutput(), CappedOutput()
    booted = boot(program, mode="user", stdin=io.BytesIO(), stdout=out, stderr=err,
                  root=root, argv=[Path(program).name])
    machine = booted.machine
    machine.breakpoints = set(sites)
    run = ForeignAbiRun(b"", None, "", machine.ledger)
    left = max_instructions
    while True:
        result = machine.run(max_instructions=left)
        left -= result.instructions
        if result.status != "breakpoint" or left <= 0:
            break
        regs = machine.regs
        machine.ledger.charge(TRANSLATE_EVENT)
        number, args = regs[T0], [regs[A0 + i] for i in range(6)]
        record: list[str] = []
        k = _Kernel(booted.kernel, machine, record)
        name, translator = BSD_CALLS.get(number, (f"#{number}", None))
        try:
            if translator is None:
                run.unknown.append(number)
                raise ForeignErrno(ENOSYS)
            value, failed = translator(k, *args), 0
        except ForeignErrno as exc:
            value, failed = bsd_errno(exc.linux_errno), 1
        shown = f"{value}" if not failed else f"error {value}"
        run.log.append((f"{name}({', '.join(_show(a) for a in args[:3])})", shown, record))
        if k.exiting is not None:                  # let the ecall run, as Linux's exit
            regs[A7], regs[A0] = NUMBERS["exit_group"], k.exiting
            machine.breakpoints.discard(machine.pc)
            continue
        machine.ledger.charge(ECALL_CHARGED_AS)    # the trap the foreign ecall raised
        regs[A0], regs[T0] = value & 0xFFFF_FFFF, failed
        machine.pc = machine.pc + 4
    run.stdout, run.exit_code = out.getvalue(), result.exit_code
    run.message = "" if result.status == "exit" else result.message
    return run
