"""On-stack replacement seen over time: a function called once whose loop becomes compiled.

The JIT's call counter never helps a function that is called once (chapter 9, 9.5), so
the HLL VM also counts a loop's back edges and, when the count reaches
``BACK_EDGES_PER_CALL`` times the JIT threshold, moves the running frame into compiled
code (:mod:`vlab.application.hll.osr`, after HotSpot's OSR: Paleczny, Vick & Click,
JVM '01, sec. 5).  The compiled code speculates that int locals stay ints; when one
becomes a str a guard fails and the frame goes back to the interpreter (deoptimization,
Hölzle, Chambers & Ungar, PLDI '92) with the same output.

The timeline is measured, not drawn from a formula: the VM's ``rt.tracer`` hook sees
every instruction the interpreter runs together with the instruction counter, so the
instructions run between two interpreted ones are the ones compiled code ran.  Time is
the count of guest instructions executed so far (deterministic, no wall clock).  The
switch points are where ``JIT.osr_entries`` and ``JIT.deopts`` grow.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.application.hll.osr import BACK_EDGES_PER_CALL
from vlab.application.hll.vm import VM
from vlab.lab.experiment import Experiment, dropdown, toggle
from vlab.lab.style import LEVEL_COLORS, new_figure, styled

#: A function called once that runs one long loop (``n`` iterations).
LOOP = """\
def total(n):
    s = 0
    for i in range(n):
        s = s + i % 7
    return s

print(total({n}))
"""

#: The same shape, but ``t`` stops being an int halfway: the compiled loop speculated
#: it is an int, so its guard fails and the frame deoptimizes; once the loop is hot
#: again the frame moves into code compiled without that speculation.
DEOPT = """\
def tally(n):
    t = 0
    for i in range(n):
        if i == n // 2:
            t = str(t) + ":"
        if i < n // 2:
            t = t + 1
        else:
            t = t + "."
    return t

t = tally({n})
print(t[:8], len(t))
"""

PROGRAMS = {"int stays int": LOOP, "int becomes str": DEOPT}
LOOP_LENGTHS = (300, 1000, 3000)
THRESHOLDS = (1, 2, 4)


@dataclass(frozen=True)
class Timeline:
    """One run: cumulative interpreted and compiled instructions, sampled over time."""

    case: str
    n: int
    threshold: int
    time: list[int]  # guest instructions executed so far
    interpreted: list[int]  # of them, not by compiled code (interpreter and natives,
    #                         which the ledger also prices as ``hll_interpret``)
    osr_at: list[int]  # times at which a frame moved into compiled code
    deopt_at: list[int]  # times at which a frame went back to the interpreter
    osr_lines: list[int]  # the source line of each OSR entry's loop header
    deopt_reasons: list[str]
    output: str
    output_interpreted: str  # the same program with the JIT off: the oracle

    @property
    def total(self) -> int:
        return self.time[-1]

    @property
    def compiled(self) -> int:
        return self.time[-1] - self.interpreted[-1]


def timeline(case: str = "int stays int", n: int = 1000, threshold: int = 2) -> Timeline:
    """Run ``PROGRAMS[case]`` with ``n`` loop iterations and JIT threshold ``threshold``."""
    if case not in PROGRAMS:
        raise ValueError(f"unknown case {case!r}; choose one of {list(PROGRAMS)}")
    if n < 1 or threshold < 1:
        raise ValueError("the loop length and the threshold must be at least 1")
    source = PROGRAMS[case].format(n=n)
    vm = VM.from_source(source, "osr.py", jit_threshold=threshold)
    rt, jit = vm.rt, vm.jit
    time, interpreted, osr_at, deopt_at = [0], [0], [], []
    seen = {"osr": 0, "deopt": 0, "last": -1}

    def not_compiled() -> int:  # as the ledger counts it (VM.event_counts)
        return rt.interpreted + rt.charged + rt.gc_charged

    def tracer(frame, instr):  # before each interpreted instruction
        now = rt.icount
        if len(jit.osr_entries) > seen["osr"]:  # compiled code took over after `last`
            seen["osr"] = len(jit.osr_entries)
            osr_at.append(seen["last"] + 1)
        if len(jit.deopts) > seen["deopt"]:  # and handed the frame back just now
            seen["deopt"] = len(jit.deopts)
            deopt_at.append(now)
        if now != seen["last"] + 1 or now % 50 == 0:  # a gap: compiled code ran
            time.append(seen["last"] + 1)
            interpreted.append(not_compiled())
            time.append(now)
            interpreted.append(not_compiled())
        seen["last"] = now

    rt.tracer = tracer
    result = vm.run()
    if len(jit.osr_entries) > seen["osr"]:  # moved, and never came back before the end
        osr_at.append(seen["last"] + 1)
    time.append(rt.icount)
    interpreted.append(not_compiled())
    oracle = VM.from_source(source, "osr.py", jit=False).run()
    return Timeline(case, n, threshold, time, interpreted, osr_at, deopt_at,
                    [line for _, _, line in jit.osr_entries],
                    [d[3] if len(d) > 3 else "" for d in jit.deopts],
                    result.output, oracle.output)


@styled
def plot_timeline(data: Timeline) -> Figure:
    fig, ax = new_figure("column")
    compiled = [t - i for t, i in zip(data.time, data.interpreted, strict=True)]
    ax.plot(data.time, data.interpreted, color=LEVEL_COLORS["isa"], label="interpreted")
    ax.plot(data.time, compiled, color=LEVEL_COLORS["application"], label="compiled")
    for k, at in enumerate(data.osr_at):
        ax.axvline(at, color="black", ls="--", lw=1,
                   label="OSR: frame moves to compiled code" if k == 0 else None)
    for k, at in enumerate(data.deopt_at):
        ax.axvline(at, color="tab:red", ls=":", lw=1.5,
                   label="deopt: back to the interpreter" if k == 0 else None)
    ax.set_xlabel("guest instructions executed (time)")
    ax.set_ylabel("instructions so far")
    ax.set_title(f"One call, {data.n} loop iterations, threshold {data.threshold}")
    fig.legend(loc="outside lower center", ncols=2, fontsize=9)
    return fig


def describe_timeline(data: Timeline) -> str:
    back_edges = BACK_EDGES_PER_CALL * data.threshold
    if data.osr_at:
        moved = (f"After {back_edges} back edges (instruction {data.osr_at[0]:,}) the "
                 f"frame moved into compiled code at the loop on line {data.osr_lines[0]}")
    else:
        moved = f"The loop never took {back_edges} back edges, so nothing was compiled"
    back = ""
    if data.deopt_at:
        back = (f"; at instruction {data.deopt_at[0]:,} a guard failed "
                f"({data.deopt_reasons[0] or 'a speculated int is not an int'}) and the "
                "frame went back to the interpreter")
        if len(data.osr_at) > 1:
            back += ", then moved again into code compiled without the speculation"
    same = "the same as" if data.output == data.output_interpreted else "DIFFERENT from"
    share = 100 * data.compiled / data.total
    return (f"{moved}{back}. {share:.0f}% of the {data.total:,} instructions ran compiled. "
            f"Output {data.output.strip()[:30]!r}: {same} the interpreter's.")


def osr_explorer(case: str = "int stays int", n: int = 1000, threshold: int = 2) -> Experiment:
    controls = {"case": toggle("Local t", list(PROGRAMS), case),
                "n": dropdown("Loop iterations", list(LOOP_LENGTHS), n),
                "threshold": dropdown("JIT threshold (calls)", list(THRESHOLDS), threshold)}
    return Experiment(timeline, plot_timeline, controls, describe=describe_timeline)
