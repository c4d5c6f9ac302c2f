"""Chapter 2's cost models: host work per guest instruction, and the ledger of a run.

Why interpretation is slow (Hwang, Dongarra & Fox 2011, sec. 3.1.2.1): each source
instruction is carried out by a routine of the interpreter, so one guest instruction costs
tens or hundreds of host instructions.  Here the host is CPython, so we count *Python
bytecodes* executed per guest instruction (:mod:`vlab.lab.measure`: an exact count,
the same on every run), split by where they go:

- ``dispatch loop``: the interpreter's loop (fetch the next handler, call it);
- ``fetch + decode``: reading the word, finding the ISA-table row, cutting the fields and
  binding them to the row's semantics;
- ``semantics``: the instruction's own work (the handler compiled from the table,
  including its loads and stores, whose RAM fast path is inlined into the handler);
- ``machine``: everything around the loop (run bookkeeping, time, traps).

Two engines are compared on the same program: vlab's predecoding interpreter
(vlab/isa/interpreter.py) and the decode-and-dispatch loop of
:mod:`vlab.isa.decode_dispatch`.  For reference, FX!32 (Chernoff et al., IEEE Micro
18(2), 1998) reported about 45 Alpha instructions per x86 instruction in its
interpreter and about 4.4 in its translated code; the unit differs (a CPython bytecode is
itself many machine instructions), the ratio is the lesson.

Measuring protocol (what makes the counts deterministic): the program is loaded, run
once to the end so that every handler *factory* is compiled (a one-time cost of our
implementation, not of interpretation), then the machine is restored to its initial
snapshot (which empties the predecode cache) and run again while counting.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.ticker import NullFormatter, ScalarFormatter

from vlab.isa.asm import assemble
from vlab.isa.explain import PARTS, interpreter_part
from vlab.lab.experiment import Table
from vlab.lab.interpretation.programs import finished, load, sum_source, write_loop_source
from vlab.lab.measure import count_bytecodes
from vlab.lab.style import HIGHLIGHT, INK, LEVEL_COLORS, ROLE_COLORS, new_figure, styled
from vlab.os.boot import boot

#: the chapter's names for the two interpreters -> their names in the engine registry
ENGINES = {"predecoded": "interp", "decode-and-dispatch": "decode-dispatch"}
PART_COLORS = dict(zip(PARTS, (LEVEL_COLORS["isa"], LEVEL_COLORS["hardware"],
                               LEVEL_COLORS["os"], ROLE_COLORS["hardware"]), strict=True))

#: FX!32's host (Alpha) instructions per guest (x86) instruction: Chernoff et al. 1998.
FX32 = {"FX!32 interpreter": 45.0, "FX!32 translated code": 4.4}
FX32_SOURCE = "Chernoff et al., FX!32, IEEE Micro 18(2), 1998"

@dataclass(frozen=True)
class HostWork:
    """Host work of one run of the sum program on one engine."""

    engine: str
    iterations: int            # loop iterations (= words summed)
    guest_instructions: int    # instructions retired
    decodes: int               # instructions decoded by the engine
    bytecodes: int             # Python bytecodes executed by the whole run
    by_part: dict              # part -> bytecodes (every part of PARTS, in that order)

    @property
    def per_guest(self) -> float:
        """Python bytecodes per guest instruction."""
        return self.bytecodes / self.guest_instructions


@functools.lru_cache(maxsize=64)
def host_work(engine: str = "predecoded", iterations: int = 100) -> HostWork:
    """Model: count the host work of summing ``iterations`` words (protocol: module doc)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {sorted(ENGINES)}")
    if iterations < 1:
        raise ValueError(f"iterations must be at least 1, got {iterations}")
    machine, _ = load(sum_source(range(1, iterations + 1)), engine=ENGINES[engine])
    start = machine.snapshot()
    budget = 5 * iterations + 100
    warm = machine.run(max_instructions=budget)          # compiles the handler factories
    machine.restore(start)                                # and empties the predecode cache
    decoded_before = machine.engine.decoded
    result, count = count_bytecodes(machine.run, max_instructions=budget)
    if not (finished(warm) and finished(result)):
        raise RuntimeError(f"the sum program did not finish: {result}")
    by_part = count.grouped(interpreter_part)
    return HostWork(engine, iterations, result.instructions,
                    machine.engine.decoded - decoded_before, count.total,
                    {part: by_part.get(part, 0) for part in PARTS})


def host_work_table(works) -> Table:
    """Bytecodes per guest instruction, in total and by part, for each engine (rounded to
    a tenth, so that small edits to the machine's code do not change the table)."""
    header = ("engine", "guest instr.", "decodes", "per guest instr.", *PARTS)
    rows = [(w.engine, w.guest_instructions, w.decodes, f"{w.per_guest:.1f}",
             *(f"{w.by_part[p] / w.guest_instructions:.1f}" for p in PARTS)) for w in works]
    return Table(header, rows, "Python bytecodes per guest instruction, counted exactly "
                               "with sys.settrace (the same on every run).")


@styled
def plot_host_work(works) -> Figure:
    """(a) bytecodes per guest instruction by part; (b) beside FX!32's published ratios."""
    fig, (left, right) = new_figure("column_tall", nrows=2)
    names = [w.engine for w in works][::-1]
    lefts = [0.0] * len(names)
    for part in PARTS:
        values = [w.by_part[part] / w.guest_instructions for w in works][::-1]
        left.barh(names, values, left=lefts, color=PART_COLORS[part], label=part)
        lefts = [a + b for a, b in zip(lefts, values, strict=True)]
    left.set_xlabel("Python bytecodes per guest instruction")
    left.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    left.set_title("(a) Where the host work goes")
    labels = [f"vlab {w.engine}\n(Python bytecodes)" for w in works] + \
             [f"{name}\n(Alpha instructions)" for name in FX32]
    values = [w.per_guest for w in works] + list(FX32.values())
    colors = [LEVEL_COLORS["isa"]] * len(works) + [HIGHLIGHT] * len(FX32)
    bars = right.barh(labels[::-1], values[::-1], color=colors[::-1])
    right.bar_label(bars, fmt="%.1f", padding=2, color=INK)
    right.set_xscale("log")
    right.set_xlim(1, max(values) * 3)
    right.set_xlabel("host instr. per guest instr. (log scale)")
    right.set_title("(b) Compared with FX!32")
    return fig


def describe_host_work(works) -> str:
    """Describe: the per-guest-instruction cost of each engine and the ratio."""
    parts = [f"{w.engine}: {w.per_guest:.1f} bytecodes per guest instruction "
             f"({w.decodes} decodes for {w.guest_instructions} instructions)" for w in works]
    text = "; ".join(parts) + "."
    if len(works) == 2:
        ratio = works[1].per_guest / works[0].per_guest
        text += (f" Decoding every instruction every time costs {ratio:.1f} times the host "
                 "work of predecoded interpretation.")
    return text


# --- decode-and-dispatch against predecoding, as the loop runs longer ------------------

SWEEP = (1, 2, 5, 10, 20, 50, 100, 1000)


@dataclass(frozen=True)
class DispatchComparison:
    """Host work of both engines for every loop length in ``sweep``."""

    iterations: int                 # the loop length singled out (a value of sweep)
    sweep: tuple[int, ...]
    works: dict                     # engine -> tuple of HostWork, one per sweep value

    def at(self, engine: str) -> HostWork:
        return self.works[engine][self.sweep.index(self.iterations)]


def compare_dispatch(iterations: int = 10, sweep=SWEEP) -> DispatchComparison:
    """Model: both engines over loop lengths ``sweep``; ``iterations`` is highlighted."""
    sweep = tuple(sweep)
    if iterations not in sweep:
        raise ValueError(f"iterations must be one of {sweep}, got {iterations}")
    works = {engine: tuple(host_work(engine, n) for n in sweep) for engine in ENGINES}
    return DispatchComparison(iterations, sweep, works)


@styled
def plot_dispatch(comparison: DispatchComparison) -> Figure:
    """(a) decodes and (b) bytecodes per guest instruction against loop length."""
    fig, (left, right) = new_figure("column_tall", nrows=2)
    for engine, color in zip(ENGINES, (LEVEL_COLORS["isa"], LEVEL_COLORS["hardware"]),
                             strict=True):
        works = comparison.works[engine]
        left.plot(comparison.sweep, [w.decodes for w in works], "o-", color=color,
                  label=engine)
        right.plot(comparison.sweep, [w.per_guest for w in works], "o-", color=color,
                   label=engine)
        chosen = comparison.at(engine)
        left.plot([chosen.iterations], [chosen.decodes], "o", ms=11, mfc="none",
                  mec=HIGHLIGHT, mew=2)
        right.plot([chosen.iterations], [chosen.per_guest], "o", ms=11, mfc="none",
                   mec=HIGHLIGHT, mew=2)
    for ax in (left, right):
        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(ScalarFormatter())
        ax.set_xlabel("loop iterations (words summed)")
    left.set_yscale("log")
    left.yaxis.set_major_formatter(ScalarFormatter())
    left.yaxis.set_minor_formatter(NullFormatter())
    left.set_ylabel("instructions decoded")
    left.set_title("(a) Decodes per run")
    left.legend()
    right.set_ylim(bottom=0)
    right.set_ylabel("bytecodes per guest instr.")
    right.set_title("(b) Host work per guest instruction")
    return fig


def describe_dispatch(comparison: DispatchComparison) -> str:
    """Describe: decodes and per-instruction cost of both engines at the chosen length."""
    pre, dd = comparison.at("predecoded"), comparison.at("decode-and-dispatch")
    return (f"Summing {comparison.iterations} words retires {pre.guest_instructions} "
            f"instructions. Predecoded: {pre.decodes} decodes (one per address), "
            f"{pre.per_guest:.1f} bytecodes per instruction. Decode-and-dispatch: "
            f"{dd.decodes} decodes (one per instruction executed), {dd.per_guest:.1f} "
            "bytecodes per instruction.")


# --- the ledger of a run ------------------------------------------------------------------

USER_TEXT_BASE = 0x8040_0000   # in user RAM, above the proxy kernel's area: paging optional


@dataclass(frozen=True)
class LedgerRun:
    """What the ledger recorded for one run of the write-loop user program."""

    writes: int
    paging: bool
    instructions: int
    output: bytes
    counts: dict          # event -> count, in the cost table's order
    prices: dict          # event -> cycles per event
    categories: dict      # event -> category
    memory_reads: int     # data accesses seen in the trace (folded into 'instruction')
    memory_writes: int

    @property
    def cycles(self) -> dict:
        return {event: n * self.prices[event] for event, n in self.counts.items()}

    @property
    def total_cycles(self):
        return sum(self.cycles.values())


def ledger_run(writes: int = 3, paging: bool = False) -> LedgerRun:
    """Model: run the write loop as a user program under the proxy kernel; read the ledger."""
    program = assemble(write_loop_source(writes), text_base=USER_TEXT_BASE)
    stdout = io.BytesIO()
    booted = boot(program.to_image(), mode="user", paging=paging, stdout=stdout,
                  ram_size=16 << 20)
    machine = booted.machine
    machine.trace = True                     # to count data memory accesses
    result = machine.run(max_instructions=10_000 + 20 * writes)
    if result.status != "exit":
        raise RuntimeError(f"the write loop did not exit: {result}")
    kinds = [kind for record in machine.tracer.records for kind, *_ in record.mem]
    ledger = machine.ledger
    counts = dict(ledger.counts)
    return LedgerRun(writes, paging, result.instructions, stdout.getvalue(), counts,
                     {e: ledger.costs.cycles_of(e) for e in counts},
                     {e: ledger.costs.category_of(e) for e in counts},
                     kinds.count("ld"), kinds.count("st"))


def ledger_table(run: LedgerRun) -> Table:
    """The ledger as a table: event, category, count, cycles each, cycles, share."""
    total = run.total_cycles
    rows = [(event, run.categories[event], f"{n:,}", f"{run.prices[event]:,}",
             f"{run.cycles[event]:,}", f"{100 * run.cycles[event] / total:.1f}%")
            for event, n in run.counts.items()]
    rows.append(("total", "", "", "", f"{total:,}", "100.0%"))
    return Table(("event", "category", "count", "cycles/event", "cycles", "share"), rows,
                 f"Data memory accesses seen in the trace: {run.memory_reads} loads, "
                 f"{run.memory_writes} stores (their L1 cost is folded into 'instruction').")


@styled
def plot_ledger(run: LedgerRun) -> Figure:
    """Counts and modeled cycles per ledger event."""
    fig, (left, right) = new_figure("column", ncols=2)
    events = list(run.counts)[::-1]
    palette = dict(zip(sorted(set(run.categories.values())),
                       list(LEVEL_COLORS.values()) + [ROLE_COLORS["hardware"]] * 5,
                       strict=False))
    colors = [palette[run.categories[e]] for e in events]
    left.barh(events, [run.counts[e] for e in events], color=colors)
    left.set_xlabel("count")
    left.set_title("(a) Events counted")
    right.barh(events, [run.cycles[e] for e in events], color=colors)
    right.set_xlabel("modeled cycles (count x price)")
    right.set_title(f"(b) Cycles: {run.total_cycles:,} in total")
    right.set_yticks(range(len(events)), [""] * len(events))
    fig.suptitle(f"Ledger: {run.writes} write calls, paging {'on' if run.paging else 'off'}")
    return fig


def describe_ledger(run: LedgerRun) -> str:
    """Describe: instructions, traps, system calls, and where the cycles went."""
    cycles = run.cycles
    top = max(cycles, key=cycles.get)
    return (f"{run.instructions} instructions retired, {run.counts.get('trap', 0)} traps "
            f"(one per ecall), {run.counts.get('syscall', 0)} system calls served by the "
            f"Python proxy kernel. The largest share of the {run.total_cycles:,} modeled "
            f"cycles is '{top}' ({100 * cycles[top] / run.total_cycles:.0f}%). The program "
            f"printed {run.output.count(b'hi')} lines.")


# --- wall clock (a measurement: only in cells marked as such) ---------------------------


def wall_ns_per_instruction(engine: str = "predecoded", iterations: int = 20_000) -> float:
    """Measured nanoseconds per guest instruction of the sum program on this host, now.

    Not a model output: it depends on the machine and its load.  Chapters print it only
    in cells whose output nbval ignores, tagged "wall-clock"."""
    from vlab.lab.measure import wall_ns

    machine, _ = load(sum_source(range(iterations)), engine=ENGINES[engine])
    start = machine.snapshot()
    budget = 5 * iterations + 100
    machine.run(max_instructions=budget)                  # warm: factories compiled

    def restart():
        machine.restore(start)

    def run():
        return machine.run(max_instructions=budget)

    restart()
    instructions = run().instructions
    return wall_ns(run, setup=restart) / instructions
