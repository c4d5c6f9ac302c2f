"""Execution trace: what each instruction did, clox-style, behind one switch.

``machine.trace = True`` (or ``Machine.run(trace=True)``) makes the interpreter run its
exact single-step loop and append one ``TraceRecord`` per instruction (and per trap) to
``machine.tracer.records``.  When the switch is off nothing is recorded and the fast loop
runs untouched: the trace costs nothing.

A record: the pc, the instruction's bits and disassembly (vlab.isa.disasm when present),
the privilege level it ran in, the registers it wrote and the memory it touched (kind,
virtual address, size, value), or the trap it raised.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from vlab.isa.fields import REG_NAMES
from vlab.isa.traps import PRIV_NAMES


def disassemble(word: int, pc: int, symbols: dict | None = None) -> str:
    """objdump-style text of one instruction (falls back to the table's name); branch
    targets are labelled with ``symbols`` (address -> name) when given."""
    try:
        from vlab.isa.disasm import disassemble as objdump_style
    except ImportError:                                   # pragma: no cover
        from vlab.isa.decoder import decode
        decoded = decode(word)
        return decoded.spec.name if decoded else f'.word {word:#010x}'
    return objdump_style(word, pc, symbols)


@dataclass
class TraceRecord:
    pc: int
    word: int
    priv: int
    text: str
    regs: list[tuple[int, int]] = field(default_factory=list)     # (register, new value)
    mem: list[tuple[str, int, int, int]] = field(default_factory=list)  # kind, addr, size, v
    trap: str | None = None

    def __str__(self) -> str:
        effects = [f'{REG_NAMES[r]}={v:#x}' for r, v in self.regs]
        effects += [f'{kind}[{addr:#010x}]{"=" if kind == "st" else "->"}{value:#x}'
                    for kind, addr, size, value in self.mem]
        if self.trap:
            effects.append(f'TRAP {self.trap}')
        return (f'{PRIV_NAMES[self.priv]} {self.pc:08x}: {self.word:08x}  {self.text:<28}'
                f' {" ".join(effects)}').rstrip()


class Tracer:
    """Collects TraceRecords (at most ``limit``; older ones are dropped)."""

    def __init__(self, limit: int = 100_000, symbols: dict | None = None):
        self.limit = limit
        self.symbols = symbols          # address -> name, e.g. from an ELF (for branch labels)
        self.records: list[TraceRecord] = []
        self.mem: list[tuple[str, int, int, int]] = []   # accesses of the current instruction

    def add(self, record: TraceRecord) -> None:
        self.records.append(record)
        if len(self.records) > self.limit:
            del self.records[: len(self.records) - self.limit]

    def take_mem(self) -> list:
        mem, self.mem = self.mem, []
        return mem

    def text(self, last: int | None = None) -> str:
        records = self.records if last is None else self.records[-last:]
        return '\n'.join(str(r) for r in records)

    def clear(self) -> None:
        self.records.clear()
        self.mem.clear()


def traced_port(port: dict, tracer: Tracer) -> dict:
    """Wrap the memory-port functions so each access is recorded in ``tracer.mem``."""
    wrapped = dict(port)
    for name, fn in port.items():
        if name.startswith('_load_') or name in ('load_reserved', 'amo_load'):
            size = int(name[6]) if name.startswith('_load_') else 4
            wrapped[name] = _traced_load(fn, size, tracer)
        elif name.startswith('_store_') or name == 'store_conditional':
            size = int(name[7]) if name.startswith('_store_') else 4
            wrapped[name] = _traced_store(fn, size, tracer)
    return wrapped


def _traced_load(fn, size, tracer):
    def load(addr):
        value = fn(addr)
        tracer.mem.append(('ld', addr & 0xFFFFFFFF, size, value & ((1 << 8 * size) - 1)))
        return value
    return load


def _traced_store(fn, size, tracer):
    def store(addr, value):
        result = fn(addr, value)
        tracer.mem.append(('st', addr & 0xFFFFFFFF, size, value & ((1 << 8 * size) - 1)))
        return result
    return store
