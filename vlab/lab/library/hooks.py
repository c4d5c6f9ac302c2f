"""Experiment: one program, run plainly, under ltrace and with preloaded hooks.

``hook_run(hooks, watcher)`` runs ``config_clock`` (it reads ``config.txt`` and prints
the time) with the hooks chosen -- none, a path redirect, a fake clock, or both -- and
either no tracer (``LD_PRELOAD`` style: hooks only) or ltrace.  It returns the program's
output and the ledger by category, so the figure shows *what* changed (the text) and
*what it cost* (the bars).
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure

from vlab.lab.experiment import Experiment, toggle
from vlab.lab.style import LEVEL_COLORS, new_figure, styled
from vlab.library.interpose.hooks import FakeClock, RedirectPath
from vlab.library.interpose.session import Session
from vlab.library.interpose.signatures import PROTOTYPES
from vlab.library.interpose.tracer import format_trace

from .programs import config_program

HOOK_SETS = {
    "none": (),
    "redirect": (RedirectPath("config.txt", "other.txt"),),
    "fake clock": (FakeClock(0),),
    "both": (RedirectPath("config.txt", "other.txt"), FakeClock(0)),
}
WATCHERS = ("preload", "ltrace")
FAKE_EPOCH = 0


@dataclass
class HookRun:
    hooks: str
    watcher: str
    output: str
    trace: str
    cycles: dict[str, float]        # ledger category -> cycles
    hooked_calls: int
    stops: int

    @property
    def total(self) -> float:
        return sum(self.cycles.values())


def hook_run(hooks: str = "none", watcher: str = "preload") -> HookRun:
    if hooks not in HOOK_SETS or watcher not in WATCHERS:
        raise ValueError(f"hooks one of {list(HOOK_SETS)}, watcher one of {WATCHERS}")
    program, root = config_program()
    session = Session(program, root=root, hooks=HOOK_SETS[hooks],
                      functions=PROTOTYPES if watcher == "ltrace" else (),
                      trace=watcher == "ltrace", argv=["config_clock"]).run()
    ledger = session.machine.ledger
    return HookRun(hooks, watcher, session.stdout.decode(), format_trace(session),
                   dict(ledger.by_category()), ledger.count("lib_hook_call"),
                   ledger.count("lib_trace_stop"))


CATEGORIES = ("os", "library", "mmu", "compute", "trap")     # ledger categories shown
X_LIMIT_K = 350                                              # one scale for every state
CATEGORY_COLORS = {"library": LEVEL_COLORS["library"], "os": LEVEL_COLORS["os"],
                   "compute": LEVEL_COLORS["isa"]}


@styled
def plot_hooks(run: HookRun) -> Figure:
    """Left: the program's output; right: its modeled cycles by ledger category."""
    fig, (text, bars) = new_figure("column", ncols=2, width_ratios=(1.3, 1))
    text.axis("off")
    text.text(0, 1, run.output, va="top", family="monospace", fontsize=9)
    text.set_title(f"output (hooks: {run.hooks}; {run.watcher})")
    values = [run.cycles.get(n, 0) / 1000 for n in CATEGORIES]
    bars.barh(CATEGORIES, values, color=[CATEGORY_COLORS.get(n, "#999999")
                                         for n in CATEGORIES])
    bars.invert_yaxis()
    bars.set_xlim(0, X_LIMIT_K)
    bars.set_xlabel("modeled cycles (thousands)")
    bars.set_title(f"cost: {run.total / 1000:,.0f} k cycles")
    return fig


def describe_hooks(run: HookRun) -> str:
    text = (f"With {run.watcher} and hooks '{run.hooks}', the program printed "
            f"'{run.output.splitlines()[0]}'. ")
    if run.stops:
        text += (f"ltrace stopped it {run.stops} times (entry and return of each library "
                 f"call): {run.cycles.get('library', 0) / run.total:.0%} of its cycles.")
    else:
        text += (f"{run.hooked_calls} calls went through a hook, "
                 f"{run.cycles.get('library', 0):,.0f} cycles in all.")
    return text


def hooks_explorer(hooks: str = "none", watcher: str = "preload") -> Experiment:
    return Experiment(hook_run, plot_hooks,
                      {"hooks": toggle("hooks", list(HOOK_SETS), hooks),
                       "watcher": toggle("watched by", list(WATCHERS), watcher)},
                      describe=describe_hooks)
