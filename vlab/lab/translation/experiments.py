"""Chapter 3's experiments: ISA-level virtualization by dynamic binary translation.

Hwang, Dongarra & Fox (2011), sec. 3.1.2.1: "dynamic binary translation ... translates
basic blocks of dynamic source instructions to target instructions.  The basic blocks
can also be extended to program traces or super blocks to increase translation
efficiency."  The source ISA is RV32, the target is Python (CPython bytecode), and the
translator is vlab/isa/dbt.  The models live in small modules; this one wires them to
widgets (:class:`vlab.lab.experiment.Experiment`) and shows code:

- :func:`Listing`, :func:`block_listing`, :func:`trace_listing`: generated Python,
  syntax-highlighted for readers, plain text for nbval;
- :func:`trip_experiment` (break_even.py): counted host work as the loop trip
  count grows, with the hotness threshold on a slider: where translation pays;
- :func:`cache_experiment` (cache_use.py): translation-cache hits and misses
  over a run;
- :func:`trace_experiment` (hot_paths.py): the trace the translator forms on
  a branchy loop, drawn on the control-flow graph;
- :func:`expansion_table`: how much target code a guest instruction becomes.
"""

from __future__ import annotations

import dis
import html
import re

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import PythonLexer

from vlab.lab.experiment import Experiment, Table, dropdown, int_slider, stepped_slider
from vlab.lab.translation import break_even, cache_use, hot_paths
from vlab.lab.translation.programs import SUM_SOURCE, run

# --- the code a reader should see --------------------------------------------------------


class Listing:
    """Python source as a notebook output: highlighted HTML, plain text for nbval."""

    def __init__(self, source: str, title: str = "") -> None:
        self.source, self.title = source, title

    def __repr__(self) -> str:
        return (f"# {self.title}\n" if self.title else "") + self.source.rstrip()

    def _repr_html_(self) -> str:
        formatter = HtmlFormatter(noclasses=True, style="default", nobackground=True)
        title = f"<p><b>{html.escape(self.title)}</b></p>" if self.title else ""
        return title + highlight(self.source, PythonLexer(), formatter)


def _translation(source: str, label: str, kind: str):
    machine, program, _ = run(source, "dbt")
    at = program.symbols[label]
    found = [t for t in machine.engine.translations() if t.kind == kind and at in t.pcs]
    if not found:
        raise RuntimeError(f"no {kind} holding {label!r} was formed")
    return machine, program, found[0]


def _block(source: str, label: str):
    """The basic block at ``label``, translated on demand after an interpreted run."""
    machine, program, _ = run(source, "dbt", block_threshold=10**9, trace_threshold=10**9)
    return machine.engine.translate_block(program.symbols[label])


def block_listing(source: str = SUM_SOURCE, label: str = "loop") -> Listing:
    """The generated Python of the basic block at ``label``, translated on demand."""
    return Listing(_block(source, label).source, f"the block at {label}, as Python")


def trace_listing(source: str = SUM_SOURCE, label: str = "loop") -> Listing:
    """The generated Python of the trace the translator formed through ``label``."""
    _, _, trace = _translation(source, label, "trace")
    return Listing(trace.source, f"the trace through {label}, as Python")


# --- the experiments ---------------------------------------------------------------------


def trip_experiment(threshold: int = 8) -> Experiment:
    """Widget: the hotness threshold; host work of both engines over the trip sweep."""
    control = dropdown("Block threshold (trace: twice)", [1, 2, 4, 8, 16, 32, 64],
                       threshold)
    return Experiment(break_even.trip_sweep, break_even.plot_trip_sweep,
                      {"threshold": control}, describe=break_even.describe_trip_sweep)


def cache_experiment(threshold: int = 8) -> Experiment:
    """Widget: the hotness threshold; cache hits and misses over the branchy loop."""
    control = int_slider("Block threshold (trace: twice)", 1, 40, threshold)
    return Experiment(cache_use.cache_timeline, cache_use.plot_cache_timeline,
                      {"threshold": control}, describe=cache_use.describe_cache_timeline)


#: The trace thresholds the widget offers: every step of 1..64 with four periods would be
#: 256 settings, too many to store in the static book; these ten keep the low end (where
#: the trace is recorded during the first iterations) and the high one (no time to grow).
TRACE_THRESHOLDS = (1, 2, 4, 8, 12, 16, 24, 32, 48, 64)


def trace_experiment(period: int = 8, threshold: int = 16) -> Experiment:
    """Widget: how often the rare path runs, and the trace threshold (one of
    :data:`TRACE_THRESHOLDS`); the trace on the control-flow graph."""
    controls = {"period": dropdown("Rare path every", [2, 4, 8, 16], period),
                "threshold": stepped_slider("Trace threshold", TRACE_THRESHOLDS, threshold)}
    return Experiment(hot_paths.hot_trace, hot_paths.plot_trace, controls,
                      describe=hot_paths.describe_trace)


# --- code expansion ----------------------------------------------------------------------


def _code_lines(source: str) -> int:
    """Lines of generated Python that are code: not blank, not comments, not docstrings."""
    lines = [line.strip() for line in source.splitlines()]
    return sum(1 for line in lines if line and not line.startswith(("#", '"""')))


def guest_instructions_in(source: str) -> int:
    """Guest instructions of a generated translation: its ``# xxxxxxxx: ...`` comments."""
    return sum(1 for line in source.splitlines()
               if re.fullmatch(r"\s*# [0-9a-f]{8}: .*", line))


def expansion_ratio(source: str) -> float:
    """Lines of generated Python code per guest instruction (the exercise's oracle)."""
    return _code_lines(source) / guest_instructions_in(source)


def expansion_table() -> Table:
    """Static code expansion of two translations: guest instructions and bytes against
    generated Python lines and compiled CPython instructions (``dis``)."""
    from vlab.lab.translation.programs import BRANCHY_SOURCE

    rows = []
    for name, source, kind in (("sum loop: block", SUM_SOURCE, "block"),
                               ("sum loop: trace", SUM_SOURCE, "trace"),
                               ("branchy loop: trace", BRANCHY_SOURCE, "trace")):
        translation = _block(source, "loop") if kind == "block" else \
            _translation(source, "loop", kind)[2]
        guest = len(translation.pcs)
        lines = _code_lines(translation.source)
        compiled = sum(1 for _ in dis.get_instructions(translation.fn))
        rows.append((name, guest, 4 * guest, lines, compiled, f"{lines / guest:.1f}",
                     f"{compiled / guest:.1f}"))
    return Table(("translation", "guest instr.", "guest bytes", "Python lines",
                  "bytecodes (static)", "lines per instr.", "bytecodes per instr."), rows,
                 "static size of the translations; CPython 3.11 bytecode")
