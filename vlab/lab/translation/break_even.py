"""Chapter 3's cost models: when does translating a block pay for itself?

A dynamic binary translator pays once per block (decode, generate, compile) to save a
little on every later execution.  With ``T`` the cost of translating a loop of ``L``
guest instructions, ``c_i`` the host work per guest instruction when interpreting and
``c_t`` when running the translation, ``n`` trips of the loop cost about

    interpreter:  n L c_i            translator:  T + n L c_t

so translation pays after ``n* = T / (L (c_i - c_t))`` trips (Smith & Nair, *Virtual
Machines*, 2005, ch. 2; the reason Dynamo and HotSpot-style systems interpret cold
code first and only translate what gets hot).

The host is CPython, so host work is counted in **Python bytecodes** (vlab.lab.measure):
exact and the same on every run.  What the count leaves out: work done in C, above all
``compile()``, which turns the generated source into bytecode; so bytecodes understate
the translation cost ``T``, and the wall-clock measurement in the chapter's benchmark
cell shows a later break-even.

Measuring protocol (what makes the counts deterministic): the program is loaded, run once
to the end and the machine restored to its starting snapshot (so the interpreter's
handler factories, a one-time cost of our implementation, exist, while the predecode
cache and the translation cache are empty again); the translator's process-wide memos
(module-level ``_MEMO`` dicts and ``lru_cache`` functions in vlab/isa/dbt, e.g. of
instruction translations) are emptied, so the run translates from scratch as a fresh
process would, whatever ran before; then the whole run is counted, except the frames of
the machine's own run loop (vlab/isa/machine.py), which do the same work whichever engine
runs (:func:`engine_bytecodes`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from matplotlib.ticker import NullFormatter, ScalarFormatter

from vlab.isa.dbt.memos import forget_memos
from vlab.isa.explain import machine_loop_files
from vlab.lab.experiment import Table
from vlab.lab.interpretation.programs import finished, sum_source
from vlab.lab.measure import count_bytecodes, trace_opcodes
from vlab.lab.style import HIGHLIGHT, INK, LEVEL_COLORS, new_figure, styled
from vlab.lab.translation.programs import BLOCK_THRESHOLD, load

#: Where the machine's own run loop lives: the same for both engines, not counted.
MACHINE_FILES = machine_loop_files()

#: Loop trip counts of the break-even sweep.
TRIPS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000)
#: FX!32's host (Alpha) instructions per guest (x86) instruction: Chernoff et al. 1998.
FX32 = {"interpreted": 45.0, "translated": 4.4}
ENGINE_COLORS = {"interp": LEVEL_COLORS["isa"], "dbt": LEVEL_COLORS["application"]}
BUDGET = 10**6


def _prepared(source: str, engine: str, **settings):
    """A machine with ``source`` loaded, warmed up and restored (protocol: module doc)."""
    machine, _ = load(source, engine, **settings)
    start = machine.snapshot()
    if not finished(machine.run(max_instructions=BUDGET)):
        raise RuntimeError("the program did not reach its ebreak within the budget")
    machine.restore(start)
    if engine == "dbt":
        machine.engine.stats.reset()
    forget_memos()
    return machine


@dataclass(frozen=True)
class RunWork:
    """Host work of one whole run on one engine."""

    engine: str
    instructions: int         # guest instructions retired
    bytecodes: int            # Python bytecodes the whole run executed
    stats: dict               # the translator's counters (empty for the interpreter)

    @property
    def per_instruction(self) -> float:
        return self.bytecodes / self.instructions


def engine_bytecodes(machine, instructions: int):
    """Run ``machine`` for up to ``instructions``; (result, bytecodes executed by the
    engine and everything it calls).  Left out: the frames of the machine's own run loop
    (vlab/isa/machine.py: budget, interrupts, trap delivery), the same whichever engine
    runs, so the count measures interpretation and translation.  The tracing is the one of
    vlab.lab.measure.count_bytecodes (:func:`trace_opcodes`), with a filter on the code's
    file."""
    count = 0

    def count_engine(frame):
        nonlocal count
        if frame.f_code.co_filename not in MACHINE_FILES:
            count += 1

    result = trace_opcodes(count_engine, machine.run, max_instructions=instructions)
    return result, count


def run_work(source: str, engine: str, **settings) -> RunWork:
    """Model: count the host work of running ``source`` to its end on ``engine``."""
    machine = _prepared(source, engine, **settings)
    result, bytecodes = engine_bytecodes(machine, BUDGET)
    stats = machine.engine.stats.as_dict() if engine == "dbt" else {}
    return RunWork(engine, result.instructions, bytecodes, stats)


@dataclass(frozen=True)
class TripPoint:
    trips: int
    interp: RunWork
    dbt: RunWork

    @property
    def speedup(self) -> float:
        """Interpreter work / translator work (above 1: translation paid for itself)."""
        return self.interp.bytecodes / self.dbt.bytecodes


@functools.lru_cache(maxsize=32)
def trip_sweep(threshold: int = BLOCK_THRESHOLD, trips: tuple = TRIPS) -> tuple:
    """Model: chapter 2's sum loop (5 instructions a trip) at each trip count, on both
    engines; the translator translates a block after ``threshold`` entries and records a
    trace after ``2 * threshold`` backward arrivals."""
    if threshold < 1:
        raise ValueError(f"the hotness threshold must be at least 1, got {threshold}")
    points = []
    for n in trips:
        source = sum_source(range(1, n + 1))
        points.append(TripPoint(n, run_work(source, "interp"),
                                run_work(source, "dbt", block_threshold=threshold,
                                         trace_threshold=2 * threshold)))
    return tuple(points)


def break_even(points) -> int | None:
    """The smallest trip count of the sweep from which the translator does less work."""
    even = None
    for point in reversed(points):
        if point.speedup <= 1:
            break
        even = point.trips
    return even


@styled
def plot_trip_sweep(points):
    fig, (left, right) = new_figure("column_tall", nrows=2)
    trips = [p.trips for p in points]
    for engine, label in (("interp", "interpreter"), ("dbt", "translator")):
        left.plot(trips, [getattr(p, engine).per_instruction for p in points], "o-",
                  color=ENGINE_COLORS[engine], label=label)
    left.set(xscale="log", yscale="log", xlabel="loop trips",
             ylabel="bytecodes per guest instr.",
             title="Host work per guest instruction")
    left.yaxis.set_major_formatter(ScalarFormatter())
    left.yaxis.set_minor_formatter(NullFormatter())
    left.legend()
    right.plot(trips, [p.speedup for p in points], "o-", color=INK)
    right.axhline(1, color=HIGHLIGHT, linewidth=2)
    even = break_even(points)
    if even is not None:
        right.axvline(even, color=HIGHLIGHT, linestyle="--")
        right.annotate(f"pays from {even} trips", (even, 1), xytext=(6, 12),
                       textcoords="offset points", color=INK, fontsize=9)
    right.set(xscale="log", xlabel="loop trips", ylabel="interpreter / translator",
              title="Speedup of translation (counted)")
    return fig


def describe_trip_sweep(points) -> str:
    last, even = points[-1], break_even(points)
    paid = (f"it pays from about {even} trips ({even * 5} guest instructions) on"
            if even is not None else "it does not pay within the sweep")
    return (f"Over a whole run of {last.trips} trips the translator spends "
            f"{last.dbt.per_instruction:.1f} bytecodes per guest instruction against "
            f"{last.interp.per_instruction:.1f} for the interpreter. Translation is paid "
            f"up front ({last.dbt.stats['blocks_translated']} block, "
            f"{last.dbt.stats['traces_formed']} trace), so {paid}.")


def trip_table(points) -> Table:
    rows = [(p.trips, p.interp.instructions, p.interp.bytecodes, p.dbt.bytecodes,
             p.dbt.stats["blocks_translated"], p.dbt.stats["traces_formed"],
             f"{p.speedup:.2f}") for p in points]
    return Table(("trips", "guest instr.", "interp bytecodes", "dbt bytecodes", "blocks",
                  "traces", "speedup"), rows, "engine bytecodes over the whole run, counted")


# --- steady state: the FX!32 comparison -----------------------------------------------


def steady_state(source: str, engine: str, warmup: int = 3000,
                 instructions: int = 2000) -> float:
    """Bytecodes per guest instruction after ``warmup`` instructions (hot code translated),
    over the next ``instructions``."""
    machine = _prepared(source, engine)
    machine.run(max_instructions=warmup)
    result, bytecodes = engine_bytecodes(machine, instructions)
    if result.instructions < instructions:
        raise ValueError("the program ended during the measurement: give it more trips")
    return bytecodes / result.instructions


def translation_cost(source: str, at: int) -> int:
    """Bytecodes the translator spends on the basic block at address ``at`` (generating
    its Python and everything around ``compile()``, which itself runs in C)."""
    machine = _prepared(source, "dbt", block_threshold=10**9, trace_threshold=10**9)
    machine.run(max_instructions=BUDGET)     # interpreted only: the predecode cache is full
    forget_memos()
    translation, count = count_bytecodes(machine.engine.translate_block, at)
    if translation is None:
        raise ValueError(f"no translatable block at {at:#x}")
    return count.total


@dataclass(frozen=True)
class BreakEven:
    length: int                # L: guest instructions per trip
    interp: float              # c_i
    translated: float          # c_t
    cost: int                  # T

    @property
    def trips(self) -> float:
        """n* = T / (L (c_i - c_t))."""
        return self.cost / (self.length * (self.interp - self.translated))


def break_even_model(trips: int = 2000) -> BreakEven:
    """The break-even formula's four numbers, measured on the sum loop."""
    source = sum_source(range(1, trips + 1))
    loop = load(source, "interp")[1].symbols["loop"]
    return BreakEven(5, steady_state(source, "interp"), steady_state(source, "dbt"),
                     translation_cost(source, loop))


def break_even_table(model: BreakEven) -> Table:
    rows = [("L", "guest instructions per trip", model.length),
            ("c_i", "bytecodes per instruction, interpreted", f"{model.interp:.1f}"),
            ("c_t", "bytecodes per instruction, translated", f"{model.translated:.1f}"),
            ("T", "bytecodes to translate the block", model.cost),
            ("n*", "break-even trips, T / (L (c_i - c_t))", f"{model.trips:.0f}"),
            ("2 n*", "the same if translated twice at full cost (block, trace)",
             f"{2 * model.trips:.0f}"),
            ("FX!32", "host instructions per instruction, interp. / transl.",
             f"{FX32['interpreted']} / {FX32['translated']}")]
    return Table(("symbol", "meaning", "value"), rows,
                 "counted on the sum loop; FX!32: Chernoff et al., IEEE Micro 1998")


# --- little reuse: where translation does not pay ----------------------------------------


def reuse_runs(length: int = 400, trips: int = 1000) -> list:
    """Model: [(program, engine setting, RunWork)] for code with no reuse (``length``
    straight-line instructions), a long loop body run 3 times, and a hot loop;
    interpreted, translated when hot (threshold 8), and translated at the second arrival
    (threshold 1: a block is only known once the interpreter has run it)."""
    from vlab.lab.translation.programs import long_loop_source, straight_source

    programs = {f"straight line, {length} instr.": straight_source(length),
                "60-instr. body, 3 trips": long_loop_source(60, 3),
                f"sum loop, {trips} trips": sum_source(range(1, trips + 1))}
    settings = {"interpreter": ("interp", {}),
                "translate when hot (8)": ("dbt", {}),
                "translate at once (1)": ("dbt", {"block_threshold": 1,
                                                  "trace_threshold": 2})}
    return [(name, label, run_work(source, engine, **extra))
            for name, source in programs.items()
            for label, (engine, extra) in settings.items()]


def reuse_table(runs) -> Table:
    rows = [(name, label, work.instructions, work.bytecodes, f"{work.per_instruction:.1f}",
             work.stats.get("blocks_translated", "-"))
            for name, label, work in runs]
    return Table(("program", "engine", "guest instr.", "bytecodes", "per instr.",
                  "blocks translated"), rows, "engine bytecodes over the whole run, counted")
