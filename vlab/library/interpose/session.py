"""Run a program on the host kernel, stopping at the entry of chosen functions.

The mechanism of a debugger (and of ``ltrace``): a breakpoint at each function's entry
address (``machine.breakpoints``); when the program reaches one, the interposer reads
the arguments from the registers of the RISC-V calling convention (a0-a7, return
address in ra; RISC-V psABI, "Integer Calling Convention"), lets a hook change them or
answer the call itself, and, to see the result, plants a second breakpoint at the
return address.  A return is recognised by its address *and* the stack pointer the
callee got, so a recursive call does not end the wrong frame.

Simplified: one process (a program that forks is followed in its first process only);
calls made while a stopped call is still running are libc's own and are not stopped
(see the package docstring).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from vlab.os.boot import BootError, boot, read_program
from vlab.os.quota import CappedOutput

from .signatures import PROTOTYPES
from .symbols import function_symbols

A0, RA, SP = 10, 1, 2
STRING_CAP = 200          # characters of a C string shown or read


@dataclass
class Call:
    """One stopped call: what the program passed, and what it got back."""

    name: str
    args: list[int]
    ra: int
    sp: int                       # the stack pointer the callee started with
    result: int | None = None
    hooked: str = ""              # the hook that changed this call, if any
    replaced: bool = False        # the hook answered the call; the function never ran
    shown_args: list[str] = field(default_factory=list)
    scratch: int = 0              # stack bytes the hook borrowed, given back at return


class Stop:
    """What a hook may do at a call's entry: read and change arguments, or answer it."""

    def __init__(self, session: Session, call: Call):
        self.session, self.call = session, call

    @property
    def regs(self):
        return self.session.machine.regs

    def arg(self, i: int) -> int:
        return self.regs[A0 + i]

    def string(self, i: int) -> str:
        return self.session.read_string(self.arg(i))

    def set_string(self, i: int, text: str) -> None:
        """Pass ``text`` as argument ``i``: written below the stack pointer, which is
        lowered past it (16-byte aligned, as the ABI wants) until the call returns."""
        data = text.encode() + b"\0"
        size = (len(data) + 15) & ~15
        self.regs[SP] -= size
        self.call.scratch += size
        self.call.sp = self.regs[SP]
        self.session.write(self.regs[SP], data)
        self.regs[A0 + i] = self.regs[SP]

    def write(self, address: int, data: bytes) -> None:
        self.session.write(address, data)

    def answer(self, value: int) -> None:
        """Return ``value`` to the caller at once: the real function does not run."""
        self.call.replaced = True
        self.call.result = value & 0xFFFF_FFFF
        self.regs[A0] = self.call.result
        self.session.machine.pc = self.call.ra


class Session:
    """``program`` booted as a user process, stopped at ``functions`` and ``hooks``.

    ``hooks``: objects with ``function`` (a name) and ``enter(stop)``; ``trace``: charge
    an ltrace stop for every stop (else only hooks run, as with LD_PRELOAD).
    """

    def __init__(self, program, *, functions=(), hooks=(), trace: bool = True,
                 root=None, stdin: bytes = b"", argv=None, max_instructions=20_000_000):
        image = read_program(program, "user")
        symbols = function_symbols(_bytes_of(program), str(program))
        self.hooks = {hook.function: hook for hook in hooks}
        for name in self.hooks:
            if name not in symbols:
                raise BootError(f"cannot hook {name}: {program} has no function of that "
                                "name in its symbol table")
        watched = {*functions, *self.hooks}
        self.entries = {symbols[name]: name for name in watched if name in symbols}
        self.trace = trace
        self.out, self.err = CappedOutput(), CappedOutput()
        self.booted = boot(image, mode="user", stdin=io.BytesIO(stdin), stdout=self.out,
                           stderr=self.err, root=root, argv=argv or [str(program)])
        self.machine = self.booted.machine
        self.kernel = self.booted.kernel
        self.budget = max_instructions
        self.calls: list[Call] = []
        self.active: list[Call] = []
        self.result = None

    # -- guest memory -----------------------------------------------------------------
    def _space(self):
        return self.kernel.current.space

    def read_string(self, address: int) -> str:
        if address == 0:
            return "NULL"
        data = bytearray()
        while len(data) < STRING_CAP:
            chunk = self._space().read(address + len(data), 1)
            if chunk == b"\0":
                break
            data += chunk
        return data.decode("utf-8", "replace")

    def write(self, address: int, data: bytes) -> None:
        self._space().write(address, data)

    # -- running ----------------------------------------------------------------------
    def run(self) -> Session:
        machine = self.machine
        machine.breakpoints = set(self.entries)
        left = self.budget
        while True:
            result = machine.run(max_instructions=left)
            left -= result.instructions
            if result.status != "breakpoint" or left <= 0:
                self.result = result
                return self
            self._stopped(machine.pc)

    def _stopped(self, pc: int) -> None:
        regs = self.machine.regs
        if self.active and self.active[-1].ra == pc and self.active[-1].sp == regs[SP]:
            self._returned(self.active.pop())
            return
        if pc in self.entries and not self.active:
            self._entered(self.entries[pc])

    def _entered(self, name: str) -> None:
        regs = self.machine.regs
        call = Call(name, [regs[A0 + i] for i in range(8)], regs[RA], regs[SP])
        self.calls.append(call)
        self._charge_stop()
        self._snapshot_args(call)
        hook = self.hooks.get(name)
        if hook is not None:
            call.hooked = type(hook).__name__
            self.machine.ledger.charge("lib_hook_call")
            hook.enter(Stop(self, call))
        if not call.replaced:
            self.active.append(call)
            self.machine.breakpoints.add(call.ra)

    def _returned(self, call: Call) -> None:
        regs = self.machine.regs
        call.result = regs[A0]
        self._charge_stop()
        regs[SP] += call.scratch
        if not any(c.ra == call.ra for c in self.active) and call.ra not in self.entries:
            self.machine.breakpoints.discard(call.ra)

    def _snapshot_args(self, call: Call) -> None:
        """The arguments as the program passed them (strings read now, before a hook)."""
        kinds = PROTOTYPES.get(call.name, ("", ""))[0]
        shown = []
        for i, kind in enumerate(kinds.split("...")[0]):
            value = call.args[i]
            shown.append(f'"{_escaped(self.read_string(value))}"' if kind == "s" and value
                         else str(_signed(value)) if kind in "ic" else f"{value:#x}")
        if kinds.endswith("..."):
            shown.append("...")
        call.shown_args = shown

    def _charge_stop(self) -> None:
        if self.trace:
            self.machine.ledger.charge("lib_trace_stop")

    # -- results ----------------------------------------------------------------------
    @property
    def stdout(self) -> bytes:
        return self.out.getvalue()

    @property
    def stderr(self) -> bytes:
        return self.err.getvalue()

    @property
    def exit_code(self):
        return None if self.result is None else self.result.exit_code


def _escaped(text: str) -> str:
    """A C string as ltrace prints it: newlines, tabs and quotes escaped."""
    return text.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace('"', '\\"')


def _signed(value: int) -> int:
    return value - (1 << 32) if value & 0x8000_0000 else value


def _bytes_of(program) -> bytes:
    with open(program, "rb") as f:
        return f.read()
