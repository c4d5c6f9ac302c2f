"""Keeping the guest exact: self-modifying code and precise traps under translation.

**Self-modifying code.**  A translation is a copy of guest code; when the guest writes
to its own code the copy is stale.  RISC-V makes the writer say so with ``FENCE.I``
(unprivileged ISA, ch. 3, "Zifencei"); vlab's translator is stricter: it drops every
translation holding a word the moment that word is written (it watches the pages that
hold translated code, as QEMU does with its per-page lists of translated blocks:
Bellard 2005), and ``FENCE.I`` flushes the whole cache
(vlab/isa/dbt/cache.py).  :func:`smc_run` rewrites an ``addi`` between two passes of a
loop and shows the translation before and after.

**Precise traps.**  A trap in the middle of a translated block must leave registers,
``pc`` and ``instret`` exactly as if the guest had executed one instruction at a time
(Smith & Nair 2005, ch. 3, "precise state"; Transmeta's Crusoe did it with shadow
registers and a rollback: Dehnert et al., CGO 2003).  vlab's dispatcher finds the
generated function's frame in the traceback of the Python exception: its line number
names the faulting instruction and its locals hold the registers before it, which are
written back (vlab/isa/dbt/codegen.py).  :func:`precise_trap` runs a loop whose load runs
off the end of RAM on both engines and compares what the trap handler sees.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from vlab.isa.dbt.explain import op
from vlab.isa.fields import REG_NAMES
from vlab.lab.experiment import Table
from vlab.lab.translation.programs import load

PATCHED = op("addi", rd="a0", rs1="a0", imm=100)


def smc_source(trips: int = 20) -> str:
    """Two passes over a loop; between them the program rewrites the loop's ``addi``."""
    return f"""\
# smc.s: a loop that adds 1, rewritten to add 100
_start:
        li   a0, 0
        li   s2, 2              # two passes
pass:
        li   s1, {trips}
loop:
patch:  addi a0, a0, 1          # the instruction the program rewrites
        addi s1, s1, -1
        bnez s1, loop
        la   t0, patch
        li   t1, {PATCHED:#x}      # the word of: addi a0, a0, 100
        sw   t1, 0(t0)          # write it over the addi
        fence.i                 # make the new code visible to instruction fetch
        addi s2, s2, -1
        bnez s2, pass
        ebreak
"""


def _line_of(source: str, pc: int) -> str:
    """The generated Python for the guest instruction at ``pc`` (comment + code)."""
    lines = source.splitlines()
    mark = next(i for i, line in enumerate(lines) if re.match(rf"\s*# {pc:08x}:", line))
    return "\n".join(line.strip() for line in lines[mark:mark + 2])


@dataclass(frozen=True)
class SmcRun:
    engine_results: dict        # engine -> final a0
    before: str                 # generated code of the patched instruction, first pass
    after: str                  # ... second pass
    stats: dict                 # translator counters at the end


def smc_run(trips: int = 20) -> SmcRun:
    """Model: run the self-modifying program on both engines; catch the translation of
    ``patch`` during each pass."""
    source = smc_source(trips)
    results = {}
    for engine in ("interp", "dbt"):
        machine, program = load(source, engine)
        machine.run(max_instructions=10**5)
        results[engine] = machine.hart.x[10]
    machine, program = load(source, "dbt")
    patch = program.symbols["patch"]
    machine.run(max_instructions=2 + 1 + 3 * trips - 3)        # inside the first pass
    before = _line_of(machine.engine.translation(patch).source, patch)
    machine.run(max_instructions=8 + 1 + 3 * trips - 3)        # inside the second pass
    after = _line_of(machine.engine.translation(patch).source, patch)
    machine.run(max_instructions=10**5)
    return SmcRun(results, before, after, machine.engine.stats.as_dict())


# --- precise traps -----------------------------------------------------------------------

WALK_SOURCE = """\
# walk.s: read words up to (and past) the end of RAM
_start:
        li   a0, 0              # sum of the words read
        li   s1, 0              # iterations started
        li   a1, 0x800fff00     # 64 words before the end of the 1 MiB of RAM
loop:
        addi s1, s1, 1
        lw   t0, 0(a1)          # faults when a1 reaches 0x80100000
        add  a0, a0, t0
        addi a1, a1, 4
        j    loop
"""

SHOWN = ("a0", "s1", "a1", "t0")


def precise_trap(engine: str) -> dict:
    """Model: run the walk on ``engine``; what the trap handler saw, and the registers."""
    machine, _ = load(WALK_SOURCE, engine)
    seen = {}

    def handler(ctx):
        seen.update(cause=ctx.name, mepc=ctx.epc, mtval=ctx.tval,
                    instret=machine.hart.instret)
        return ctx.halt(ctx.name)

    machine.set_trap_handler("M", handler)
    machine.run(max_instructions=10**5)
    regs = {name: machine.hart.x[REG_NAMES.index(name)] for name in SHOWN}
    translated = engine == "dbt" and machine.engine.stats.translated_instructions
    return {**seen, **regs, "translated": translated or 0}


def precise_trap_table() -> Table:
    runs = {engine: precise_trap(engine) for engine in ("interp", "dbt")}
    rows = []
    for key in ("cause", "mepc", "mtval", "instret", *SHOWN):
        values = [runs[e][key] for e in ("interp", "dbt")]
        shown = [v if isinstance(v, str) or key in ("instret", "s1") else f"{v:#010x}"
                 for v in values]
        rows.append((key, *shown, "yes" if values[0] == values[1] else "NO"))
    return Table(("", "interpreter", "translator", "same"), rows,
                 f"translator: {runs['dbt']['translated']} of {runs['dbt']['instret']} "
                 "instructions ran in translated code")
