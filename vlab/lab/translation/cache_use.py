"""The translation cache over a run: hits, misses, and what a size limit does.

Every time control reaches a new address the translator's dispatcher looks it up in the
translation cache (QEMU's translated-block cache: Bellard, "QEMU, a Fast and Portable
Dynamic Translator", USENIX ATC 2005; vlab/isa/dbt/cache.py).  A **miss**
means the code there is still cold: the dispatcher counts the arrival and interprets up
to the next branch, and after ``block_threshold`` arrivals it translates the block.  A
**hit** runs a translation; when the exit just taken is already *chained* to its
successor, even the lookup is skipped.

:func:`cache_timeline` reruns the program from the start on fresh machines, stopping
after more and more instructions, and reads the translator's counters (``DbtStats``)
each time: a deterministic picture of the cache warming up.  :func:`cache_limit_runs`
runs one program under smaller and smaller cache limits: when a new translation does not
fit, the translator flushes the whole cache (QEMU's ``tb_flush``, Dynamo's preemptive
flush: Bala et al., PLDI 2000) and translates again what is still hot.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from vlab.lab.experiment import Table
from vlab.lab.style import LEVEL_COLORS, new_figure, styled
from vlab.lab.translation.programs import BLOCK_THRESHOLD, branchy_source, load, run

SAMPLES = 40


@dataclass(frozen=True)
class CacheSample:
    instructions: int           # guest instructions retired so far
    hits: int
    misses: int
    chained: int
    blocks: int                 # blocks translated so far
    traces: int
    translated: int             # instructions retired inside translations so far


@functools.lru_cache(maxsize=32)
def cache_timeline(threshold: int = BLOCK_THRESHOLD, trips: int = 100,
                   period: int = 8) -> tuple:
    """Model: the branchy loop's translator counters after 1/SAMPLES, 2/SAMPLES, ... of
    its run (block threshold ``threshold``, trace threshold ``2 * threshold``)."""
    if threshold < 1:
        raise ValueError(f"the hotness threshold must be at least 1, got {threshold}")
    source = branchy_source(trips, period)
    settings = {"block_threshold": threshold, "trace_threshold": 2 * threshold}
    total = run(source, "dbt", **settings)[2].instructions
    samples = []
    for i in range(1, SAMPLES + 1):
        machine, _ = load(source, "dbt", **settings)
        machine.run(max_instructions=max(1, total * i // SAMPLES))
        s = machine.engine.stats
        samples.append(CacheSample(machine.hart.instret, s.cache_hits, s.cache_misses,
                                   s.chained, s.blocks_translated, s.traces_formed,
                                   s.translated_instructions))
    return tuple(samples)


@styled
def plot_cache_timeline(samples):
    fig, (left, right) = new_figure("column_tall", nrows=2)
    x = [s.instructions for s in samples]
    left.plot(x, [s.misses for s in samples], color=LEVEL_COLORS["hardware"],
              label="misses (interpreted)")
    left.plot(x, [s.hits for s in samples], color=LEVEL_COLORS["os"], label="hits")
    left.plot(x, [s.chained for s in samples], color=LEVEL_COLORS["os"], linestyle="--",
              label="of which chained")
    left.set(xlabel="guest instructions retired", ylabel="dispatches (cumulative)",
             title="Translation cache lookups")
    left.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    right.plot(x, [100 * s.translated / s.instructions for s in samples],
               color=LEVEL_COLORS["application"])
    right.set(xlabel="guest instructions retired", ylim=(0, 100),
              ylabel="% of instructions so far", title="Run in translated code")
    return fig


def describe_cache_timeline(samples) -> str:
    last = samples[-1]
    return (f"In {last.instructions} instructions the dispatcher missed {last.misses} "
            f"times and hit {last.hits} times ({last.chained} through chained exits); it "
            f"translated {last.blocks} blocks and {last.traces} "
            f"{'trace' if last.traces == 1 else 'traces'}, and "
            f"{100 * last.translated / last.instructions:.0f}% of the instructions ran in "
            "translated code.")


# --- the size limit --------------------------------------------------------------------

LIMITS = (100_000, 16, 8, 4)


def cache_limit_runs(limits=LIMITS, trips: int = 400, period: int = 2) -> list:
    """Model: [(limit, counters)] for the branchy loop (both paths hot) under each cache
    limit, in guest instructions of translated code."""
    rows = []
    for limit in limits:
        machine, _, result = run(branchy_source(trips, period), "dbt", cache_limit=limit)
        rows.append((limit, result.instructions, machine.engine.stats.as_dict()))
    return rows


def cache_limit_table(rows) -> Table:
    out = [(limit, s["blocks_translated"], s["traces_formed"], s["flushes"],
            s["guest_instructions_translated"],
            f"{100 * s['translated_instructions'] / instructions:.0f}%")
           for limit, instructions, s in rows]
    return Table(("cache limit (guest instr.)", "blocks", "traces", "flushes",
                  "instr. translated", "run translated"), out,
                 "the branchy loop, 400 trips, both paths hot")
