"""Run a dynamically linked program on the host kernel, binding PLT slots lazily.

The linked image (``loader.link``) is started as an ordinary user process.  With lazy
binding, the first call through a PLT slot reaches the PLT header, which jumps to GOT[0]
-- the resolver's address -- with ``t0`` = GOT[1] (the object's number) and ``t1`` = the
slot's byte offset from the first jump slot (4 per slot on RV32; RISC-V psABI, "PLT").
The resolver, here Python at a breakpoint, looks the symbol up in scope order, writes
the function's address into the slot in the process's memory, charges ``dl_lookup``
and continues at the function with the caller's arguments and return address intact.
The next call through that slot never stops.

``trace=True`` leaves every slot unbound, so *each* call through the PLT stops at the
resolver and is recorded -- the PLT breakpoints of ltrace, at the price of a stop
(``lib_trace_stop``) per call.
"""

from __future__ import annotations

import io
import struct
from dataclasses import dataclass, field
from pathlib import Path

from vlab.os.boot import boot
from vlab.os.quota import CappedOutput

from .dynobject import DynLoadError
from .loader import RESOLVER, Linked, link

T0, T1 = 5, 6


@dataclass
class DynamicRun:
    linked: Linked
    stdout: bytes
    exit_code: int | None
    message: str
    ledger: object
    bindings: list[tuple[str, str, str]] = field(default_factory=list)  # (caller, sym, lib)
    calls: list[tuple[str, str, str]] = field(default_factory=list)     # traced PLT calls


def run_dynamic(program, lib_dirs=(), preload=(), lazy: bool = True, root=None,
                max_instructions: int = 2_000_000, trace: bool = False) -> DynamicRun:
    linked = link(program, lib_dirs, preload, lazy or trace)
    out, err = CappedOutput(), CappedOutput()
    booted = boot(linked.image, mode="user", paging=True, stdin=io.BytesIO(), stdout=out,
                  stderr=err, root=root, argv=[Path(program).name])
    machine, kernel = booted.machine, booted.kernel
    machine.breakpoints = {RESOLVER}
    bindings, calls = [], []
    left = max_instructions
    while True:
        result = machine.run(max_instructions=left)
        left -= result.instructions
        if result.status != "breakpoint" or left <= 0:
            break
        number, offset = machine.regs[T0], machine.regs[T1]
        reloc = linked.lazy_slots.get((number, offset // 4))
        if reloc is None:
            raise DynLoadError(f"the resolver was entered with object {number}, slot "
                               f"offset {offset}: no such PLT slot")
        caller = linked.objects[number]
        address, owner = linked.lookup(reloc.symbol, caller.name)
        machine.ledger.charge("dl_lookup")
        if trace:                              # leave the slot unbound: stop every time
            machine.ledger.charge("lib_trace_stop")
            calls.append((caller.name, reloc.symbol, owner.name))
        else:
            kernel.current.space.write(caller.base + reloc.offset,
                                       struct.pack("<I", address))
            bindings.append((caller.name, reloc.symbol, owner.name))
            caller.bound[reloc.symbol] = (owner.name, address)
        machine.pc = address
    return DynamicRun(linked, out.getvalue(), result.exit_code,
                      "" if result.status == "exit" else result.message, machine.ledger,
                      bindings, calls)
