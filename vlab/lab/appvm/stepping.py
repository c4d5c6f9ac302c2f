"""Stepping through a compiled program: each instruction, its source line, its operand stack.

An HLL VM is a stack machine (Smith & Nair, *Virtual Machines*, 2005, ch. 5): operands
are pushed, an instruction pops its inputs and pushes its result.  The model traces a run
of :data:`~vlab.lab.appvm.programs.SQUARES` on :mod:`vlab.application.hll` and shows one
step at a time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from vlab.application.hll.vm import VM, RunResult, Step
from vlab.lab.appvm.programs import SQUARES
from vlab.lab.experiment import Experiment, int_slider
from vlab.lab.style import HIGHLIGHT, INK, LEVEL_COLORS, new_figure, styled

APP_COLOR = LEVEL_COLORS["application"]
LINE_COLOR = LEVEL_COLORS["hardware"]


def _short_repr(text: str) -> str:
    """Drop host addresses from a value's repr (``<x object at 0x7f...>`` -> ``<x>``)."""
    return re.sub(r"<([\w.]+) object at 0x[0-9a-fA-F.]*>?", r"<\1>", text)


@dataclass(frozen=True)
class StepView:
    """One instruction of a traced run, with the source it came from."""

    index: int
    total: int
    step: Step
    source: list[str]
    output: str


@lru_cache(maxsize=4)
def trace_program(source: str = SQUARES, max_steps: int = 400) -> tuple[RunResult, tuple]:
    """Compile and run ``source`` interpreted, recording every instruction."""
    result, steps = VM.from_source(source, "squares.py").trace(max_steps=max_steps)
    return result, tuple(steps)


def step_view(step: int = 0, source: str = SQUARES) -> StepView:
    """Model: the ``step``-th instruction of the traced program (clamped to the run)."""
    result, steps = trace_program(source)
    index = max(0, min(step, len(steps) - 1))
    return StepView(index, len(steps), steps[index], source.splitlines(), result.output)


@styled
def plot_step(view: StepView) -> Figure:
    """Plot: the source with the current line marked, and the operand stack as boxes."""
    fig, (code_ax, stack_ax) = new_figure("column", ncols=2, width_ratios=[3, 2])
    step = view.step
    for number, line in enumerate(view.source, start=1):
        y = len(view.source) - number
        if number == step.line:
            code_ax.add_patch(Rectangle((0, y - 0.4), 1, 0.8, color=HIGHLIGHT, alpha=0.35))
        code_ax.text(0.02, y, f"{number:2}  {line}", family="monospace", va="center", fontsize=9)
    code_ax.text(0.02, -1.4, f"{step.method} @{step.offset}: {step.instruction}",
                 family="monospace", fontsize=9, color=LINE_COLOR, va="center")
    code_ax.set_xlim(0, 1)
    code_ax.set_ylim(-2, len(view.source))
    code_ax.axis("off")
    code_ax.set_title(f"Step {view.index} of {view.total - 1}: line {step.line}")
    _draw_stack(stack_ax, [_short_repr(v) for v in step.stack])
    stack_ax.set_title(f"Operand stack (depth {len(step.stack)}), frames: {step.depth}",
                       wrap=True)
    return fig


def _draw_stack(ax, values: list[str], capacity: int = 5) -> None:
    for slot, value in enumerate(values):
        ax.add_patch(Rectangle((0.2, slot), 0.6, 0.9, facecolor=APP_COLOR, edgecolor=INK))
        ax.text(0.5, slot + 0.45, value, ha="center", va="center", family="monospace")
    if not values:
        ax.text(0.5, 0.45, "(empty)", ha="center", va="center", color="grey")
    ax.annotate("top", xy=(0.82, max(len(values), 1) - 0.55), fontsize=9, color="grey")
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.2, max(capacity, len(values) + 1))
    ax.axis("off")


def describe_step(view: StepView) -> str:
    step = view.step
    stack = ", ".join(_short_repr(v) for v in step.stack) or "nothing"
    return (f"About to execute {step.instruction} in {step.method} (source line {step.line}); "
            f"the operand stack holds {stack} (bottom first). The program prints "
            f"{view.output.strip()!r} after {view.total} instructions.")


def busiest_step(source: str = SQUARES) -> int:
    """The index of the last MUL in the trace: a step with two operands on the stack."""
    steps = trace_program(source)[1]
    return max(i for i, s in enumerate(steps) if s.instruction.startswith("MUL"))


def stepper(step: int | None = None) -> Experiment:
    """Widget: a slider over every instruction of the traced squares program."""
    total = len(trace_program()[1])
    step = busiest_step() if step is None else step
    return Experiment(step_view, plot_step, {"step": int_slider("Step", 0, total - 1, step)},
                      describe=describe_step)
