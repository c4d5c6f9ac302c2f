"""Run a foreign (PE, Win32-API) program on the host kernel through the translation
library, and keep the side-by-side log of Win32 calls and the POSIX calls they became.

The program is loaded by ``pe_loader`` and started as an ordinary user process; a
breakpoint on each import thunk stops it when it calls a Win32 function, whose
arguments are read from a0-a7 (RISC-V psABI calling convention).  The function from
``kernel32.API`` (or a library the caller passes, e.g. a student's) runs, its result
goes to a0 and the program continues at its return address.  ``ExitProcess`` continues
at the thunk page's ``ecall`` with a7 = exit_group, so the process ends through the host
kernel as any program does.  Each Win32 call is charged ``lib_hook_call`` (the call
through the import table into the library); its POSIX calls are charged by the kernel.

A program calling a function the library does not implement stops with
:class:`UnimplementedApi`, naming it -- WINE's "unimplemented function" stub.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

from vlab.os.boot import boot
from vlab.os.errno import SyscallError
from vlab.os.quota import CappedOutput
from vlab.os.unistd import NUMBERS

from . import kernel32
from .pe_loader import load_pe

A0, A7, SP = 10, 17, 2
STRING_CAP = 4096


class UnimplementedApi(RuntimeError):
    """The program called a Win32 function the translation library lacks."""


@dataclass
class Translation:
    call: str                  # the Win32 call as the program made it
    result: int
    posix: list[str]           # the host kernel calls it became


@dataclass
class ForeignRun:
    stdout: bytes
    stderr: bytes
    exit_code: int | None
    log: list[Translation] = field(default_factory=list)
    ledger: object = None
    message: str = ""

    def side_by_side(self, width: int = 50) -> str:
        lines = [f"{'Win32 call (program)':<{width}} POSIX calls (host kernel)"]
        for entry in self.log:
            left = f"{entry.call} = {entry.result:#x}" if entry.result > 9 else \
                f"{entry.call} = {entry.result}"
            rights = entry.posix or ["(none: answered in the library)"]
            for i, right in enumerate(rights):
                lines.append(f"{(left if i == 0 else ''):<{width}} {right}")
        return "\n".join(lines)


class _Memory:
    def __init__(self, kernel, machine):
        self.kernel, self.machine = kernel, machine

    def read(self, address: int, n: int) -> bytes:
        return self.kernel.current.space.read(address, n)

    def write(self, address: int, data: bytes) -> None:
        self.kernel.current.space.write(address, data)

    def string(self, address: int) -> str:
        data = bytearray()
        while len(data) < STRING_CAP:
            byte = self.read(address + len(data), 1)
            if byte == b"\0":
                break
            data += byte
        return data.decode("latin-1")

    def scratch(self, n: int) -> int:
        """Room below the stopped program's stack pointer for a call's out-structure."""
        return (self.machine.regs[SP] - 256 - n) & ~15


def run_foreign(program, *, root=None, stdin: bytes = b"", library=None,
                max_instructions: int = 5_000_000) -> ForeignRun:
    """Run the PE ``program``; ``library`` (default ``kernel32.API``) maps Win32 names to
    (prototype, function)."""
    api = kernel32.API if library is None else library
    loaded = load_pe(program)
    out, err = CappedOutput(), CappedOutput()
    booted = boot(loaded.image, mode="user", paging=True, stdin=io.BytesIO(stdin),
                  stdout=out, stderr=err, root=root, argv=[Path(program).name])
    machine, kernel = booted.machine, booted.kernel

    def posix(name, *args):
        try:
            words = [int(a) & 0xFFFF_FFFF for a in args] + [0] * (6 - len(args))
            result = kernel.syscall(kernel.current, NUMBERS[name], words)
        except SyscallError as exc:             # e.g. a read that would block
            result = -exc.errno & 0xFFFF_FFFF
        return result - (1 << 32) if result & 0x8000_0000 else result

    process = kernel32.Win32Process(posix, _Memory(kernel, machine))
    thunks = loaded.thunk_names()
    machine.breakpoints = set(thunks)
    run = ForeignRun(b"", b"", None, ledger=machine.ledger)
    left = max_instructions
    while True:
        result = machine.run(max_instructions=left)
        left -= result.instructions
        if result.status != "breakpoint" or left <= 0:
            break
        name = thunks[machine.pc]
        if name not in api:
            raise UnimplementedApi(
                f"{Path(program).name} called KERNEL32.dll!{name}, which the translation "
                f"library does not implement (it has: {', '.join(sorted(api))})")
        prototype, function = api[name]
        nargs = _arity(prototype)
        args = [machine.regs[A0 + i] for i in range(nargs)]
        process.translated = []
        machine.ledger.charge("lib_hook_call")
        value = int(function(process, *args) or 0) & 0xFFFF_FFFF
        shown = ", ".join(f"{a:#x}" if a > 9 else str(a) for a in args)
        run.log.append(Translation(f"{name}({shown})", value, process.translated))
        machine.regs[A0] = value
        if name == "ExitProcess":
            machine.regs[A7] = NUMBERS["exit_group"]
            machine.pc = loaded.exit_stub
        else:
            machine.pc = machine.regs[1]
    run.stdout, run.stderr = out.getvalue(), err.getvalue()
    run.exit_code = result.exit_code
    run.message = result.message if result.status != "exit" else ""
    return run


def _arity(prototype: str) -> int:
    inside = prototype.split("(", 1)[1].rsplit(")", 1)[0].strip()
    return 0 if inside in ("", "void") else inside.count(",") + 1
