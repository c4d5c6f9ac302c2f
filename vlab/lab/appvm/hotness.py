"""JIT compilation as a method gets hot: the modeled speedup and who ran the instructions.

The VM interprets a method until it has been called ``jit_threshold`` times, then
compiles it (:mod:`vlab.application.hll.jit`); every bytecode is priced on the ledger.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.application.hll.vm import VM
from vlab.host.costs import CostModel
from vlab.host.ledger import Ledger
from vlab.lab.appvm.programs import HOT
from vlab.lab.experiment import Experiment, int_slider
from vlab.lab.style import LEVEL_COLORS, new_figure, styled

APP_COLOR = LEVEL_COLORS["application"]

#: The run is priced on the shared ledger with the HLL VM's own events
#: (rows of vlab.host.costs): ``hll_interpret`` and ``hll_compiled`` per bytecode, and
#: ``hll_jit_compile`` per bytecode compiled.  The first two are illustrative prices borrowed
#: from DIGITAL FX!32's machine-code figures (about 45 host instructions per x86 instruction
#: interpreted, 4.4 translated; Chernoff et al., IEEE Micro 1998) as an order of magnitude: no
#: published figure prices one bytecode; the curves depend on the ratios only (chapter 9, 9.5).
CALL_COUNTS = (1, 2, 4, 8, 16, 32, 64, 128)


@dataclass(frozen=True)
class HotnessPoint:
    calls: int
    interpreted: int  # guest instructions run by the interpreter
    compiled: int  # guest instructions run by JIT-compiled code
    bytecodes_compiled: int
    cycles_interpreter_only: float
    cycles_with_jit: float

    @property
    def speedup(self) -> float:
        return self.cycles_interpreter_only / self.cycles_with_jit


def jit_ceiling() -> float:
    """The speedup if every instruction ran compiled and compiling were free."""
    costs = CostModel.default()
    return costs.cycles_of("hll_interpret") / costs.cycles_of("hll_compiled")


def priced_run(source: str, **options) -> tuple[VM, Ledger]:
    """Run ``source`` on a VM that charges its work to a fresh ledger."""
    ledger = Ledger(CostModel.default())
    vm = VM.from_source(source, "hot.py", ledger=ledger, **options)
    vm.run()
    return vm, ledger


def hotness_point(calls: int, threshold: int) -> HotnessPoint:
    """Run HOT with ``calls`` calls to ``work``, interpreted only and with the JIT."""
    source = HOT.format(calls=calls)
    _, interpreted_only = priced_run(source, jit=False)
    vm, with_jit = priced_run(source, jit_threshold=threshold)
    counts = vm.event_counts()
    return HotnessPoint(calls, counts["hll_interpret"], counts["hll_compiled"],
                        counts["hll_jit_compile"], interpreted_only.total_cycles,
                        with_jit.total_cycles)


def jit_view(threshold: int = 2) -> list[HotnessPoint]:
    """Model: one point per call count in :data:`CALL_COUNTS`."""
    return [hotness_point(calls, threshold) for calls in CALL_COUNTS]


@styled
def plot_jit(points: list[HotnessPoint]) -> Figure:
    fig, (left, right) = new_figure("column_tall", nrows=2)
    calls = [p.calls for p in points]
    left.plot(calls, [p.speedup for p in points], "o-", color=APP_COLOR)
    left.axhline(1, color="grey", lw=0.8)
    left.axhline(jit_ceiling(), color="grey", ls=":", lw=0.8)
    left.set_xscale("log", base=2)
    left.set_xlabel("calls to work() (hotness)")
    left.set_ylabel("modeled speedup\n(over the interpreter)")
    left.set_title("JIT speedup as the method gets hot")
    labels = [str(c) for c in calls]
    totals = [p.interpreted + p.compiled for p in points]
    right.bar(labels, [p.interpreted / t for p, t in zip(points, totals, strict=True)],
              color=LEVEL_COLORS["isa"], label="interpreted")
    right.bar(labels, [p.compiled / t for p, t in zip(points, totals, strict=True)],
              bottom=[p.interpreted / t for p, t in zip(points, totals, strict=True)],
              color=APP_COLOR, label="compiled")
    right.set_xlabel("calls to work()")
    right.set_ylabel("share of guest instructions")
    right.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=9)
    right.set_title("Who ran the instructions")
    return fig


def describe_jit(points: list[HotnessPoint]) -> str:
    first, last = points[0], points[-1]
    return (f"With 1 call everything is interpreted (speedup {first.speedup:.2f}x). With "
            f"{last.calls} calls {100 * last.compiled / (last.compiled + last.interpreted):.0f}%"
            f" of the instructions run compiled and the modeled speedup is "
            f"{last.speedup:.1f}x; the ceiling is {jit_ceiling():.1f}x (45 / 4.4 cycles per "
            "bytecode: illustrative prices, see vlab/host/costs.py).")


def jit_explorer(threshold: int = 2) -> Experiment:
    control = int_slider("JIT threshold (calls)", 1, 32, threshold)
    return Experiment(jit_view, plot_jit, {"threshold": control}, describe=describe_jit)
