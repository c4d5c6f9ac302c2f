"""The guest programs of chapter 3, and how the chapter runs them on either engine.

Every program is RV32 assembly assembled by vlab's own assembler and ends with
``ebreak``, which the chapter-2 monitor (:func:`vlab.lab.interpretation.programs.monitor`) turns
into the end of the run.  :func:`load` puts a program on a fresh machine with the
interpreter (``"interp"``) or the dynamic binary translator (``"dbt"``,
vlab/isa/dbt), and sets the translator's two hotness thresholds: a block is translated
after ``block_threshold`` entries, a trace is recorded after ``trace_threshold``
arrivals at a backward-branch target (Bala et al., Dynamo, PLDI 2000).

The chapter's thresholds (8 and 16) are lower than the translator's own defaults
(``DbtEngine.block_threshold`` and ``trace_threshold``, set from the measured cost of
translation), so that programs of a few hundred instructions go through every stage:
interpreted, translated as blocks, then as a trace.
"""

from __future__ import annotations

from vlab.lab.interpretation.programs import DONE, finished, sum_source
from vlab.lab.interpretation.programs import load as load_on

ENGINES = ("interp", "dbt")   # the two engines of the registry this chapter compares
BLOCK_THRESHOLD = 8      # the chapter's thresholds (see above)
TRACE_THRESHOLD = 16


def branchy_source(trips: int = 100, period: int = 8) -> str:
    """A loop with an if/else: every ``period``-th iteration takes the rare path.

    ``period`` must be a power of two (the test is ``s1 & (period - 1) == 0``)."""
    if trips < 1 or trips > 2047:
        raise ValueError(f"trips must be between 1 and 2047, got {trips}")
    if period < 2 or period & (period - 1) or period > 1024:
        raise ValueError(f"period must be a power of two from 2 to 1024, got {period}")
    return f"""\
# branchy.s: sum the counts that are not multiples of {period}; count the others
_start:
        li   a0, 0              # a0 = sum of the common iterations
        li   a1, 0              # a1 = rare iterations
        li   s1, {trips}            # s1 = iterations left
loop:
        andi t0, s1, {period - 1}
        beqz t0, rare           # every {period}th iteration
common: add  a0, a0, s1         # the common path
        j    next
rare:
        addi a1, a1, 1          # the rare path
next:
        addi s1, s1, -1
        bnez s1, loop
done:   ebreak
"""


def straight_source(length: int = 200) -> str:
    """Code with no reuse at all: ``length`` different instructions, each run once."""
    if length < 1 or length > 4000:
        raise ValueError(f"length must be between 1 and 4000, got {length}")
    body = "\n".join(f"        addi a{i % 6}, a{(i + 1) % 6}, {i % 100 + 1}"
                     for i in range(length))
    return f"# straight.s: {length} instructions, no loop\n_start:\n{body}\n        ebreak\n"


def long_loop_source(length: int = 60, trips: int = 3) -> str:
    """A loop whose body is ``length`` straight-line instructions, run ``trips`` times:
    big blocks, little reuse."""
    if trips < 1 or trips > 2047:
        raise ValueError(f"trips must be between 1 and 2047, got {trips}")
    body = straight_source(length).split("_start:\n", 1)[1].rsplit("        ebreak", 1)[0]
    return (f"# long.s: a {length}-instruction body run {trips} times\n_start:\n"
            f"        li   s1, {trips}\nloop:\n{body}"
            "        addi s1, s1, -1\n        bnez s1, loop\n        ebreak\n")


#: Chapter 2's loop, reused: its body is one basic block.
SUM_SOURCE = sum_source(range(1, 51))
#: The branchy loop of the trace experiments.
BRANCHY_SOURCE = branchy_source()


def load(source: str, engine: str = "dbt", block_threshold: int = BLOCK_THRESHOLD,
         trace_threshold: int = TRACE_THRESHOLD, cache_limit: int | None = None):
    """Assemble ``source`` onto a fresh machine running ``engine``; (machine, program)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; choose one of {ENGINES}")
    if block_threshold < 1 or trace_threshold < 1:
        raise ValueError("the hotness thresholds must be at least 1")
    machine, program = load_on(source, engine=engine)
    if engine == "dbt":
        machine.engine.block_threshold = block_threshold
        machine.engine.trace_threshold = trace_threshold
        machine.engine.selector.threshold = trace_threshold
        if cache_limit is not None:
            machine.engine.tcache.limit = cache_limit
    return machine, program


def run(source: str, engine: str = "dbt", budget: int = 10**6, **settings):
    """Load and run ``source`` to its ``ebreak``; (machine, program, result)."""
    machine, program = load(source, engine, **settings)
    result = machine.run(max_instructions=budget)
    if not finished(result):
        raise RuntimeError(f"the program did not reach its ebreak: {result}")
    return machine, program, result


__all__ = ["BRANCHY_SOURCE", "DONE", "ENGINES", "SUM_SOURCE", "branchy_source", "load",
           "long_loop_source", "run", "straight_source"]
