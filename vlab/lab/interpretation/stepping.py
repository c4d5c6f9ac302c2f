"""Chapter 2, experiment 1: step a guest program and watch registers, memory and trace.

The model re-runs the program from the start for the requested number of instructions
with the machine's trace switched on (vlab/isa/trace.py), and returns what a debugger
would show: the 32 registers (the ones the last instruction wrote highlighted), the
program's data memory (the words it touched highlighted), the trace so far and the next
instruction with its source line.  Re-running from the start keeps the model a pure
function of ``steps``.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from vlab.isa.disasm import disassemble
from vlab.isa.fields import REG_NAMES
from vlab.lab.interpretation.programs import SUM_SOURCE, finished, load, trace_line
from vlab.lab.style import HIGHLIGHT, INK, styled

TRACE_LINES = 12


@dataclass(frozen=True)
class StepView:
    """The machine after ``steps`` instructions of a program."""

    steps: int
    done: bool                       # the next instruction is the final ebreak
    pc: int
    next_text: str                   # disassembly of the instruction at pc
    next_line: str                   # its source line
    regs: tuple[int, ...]
    changed: tuple[int, ...]         # registers the last instruction wrote
    data_base: int
    data: bytes                      # the .data section as it is now
    data_labels: dict                # address -> label, for the .data words
    touched: tuple[tuple[str, int, int, int], ...]   # (ld/st, address, size, value)
    trace: tuple[str, ...]           # one line per instruction executed so far


def program_length(source: str = SUM_SOURCE) -> int:
    """Instructions the program retires before its final ebreak."""
    machine, _ = load(source)
    result = machine.run(max_instructions=100_000)
    if not finished(result):
        raise ValueError(f"the program does not end with ebreak: {result}")
    return result.instructions


def step_program(steps: int = 0, source: str = SUM_SOURCE) -> StepView:
    """Model: the machine after executing ``steps`` instructions of ``source``."""
    if steps < 0:
        raise ValueError(f"steps must be >= 0, got {steps}")
    machine, program = load(source)
    if steps:
        machine.run(max_instructions=steps, trace=True)
    records = machine.tracer.records if machine.tracer else []
    last = records[-1] if records else None
    pc = machine.pc
    word = int.from_bytes(machine.read_virtual(pc, 4), "little")
    data = program.section(".data")
    source_line = program.line_table.get(pc)
    return StepView(
        steps=machine.hart.instret, done=disassemble(word, pc) == "ebreak", pc=pc,
        next_text=disassemble(word, pc),
        next_line=source_line.text.split("#")[0].strip() if source_line else "",
        regs=tuple(machine.regs),
        changed=tuple(r for r, _ in last.regs) if last and not last.trap else (),
        data_base=data.address if data else 0,
        data=machine.read_virtual(data.address, data.size) if data else b"",
        data_labels={address: name for name, address in sorted(program.symbols.items())
                     if program.symbol_sections.get(name) == ".data"},
        touched=tuple(last.mem) if last else (),
        trace=tuple(trace_line(r) for r in records))


def _draw_registers(ax, view: StepView) -> None:
    for n in range(32):
        col, row = divmod(n, 16)
        y = 15 - row
        name = f"x{n:<2} {REG_NAMES[n]:<4}"
        if n in view.changed:
            ax.add_patch(_box(col * 1.0 - 0.02, y - 0.45, 0.98, 0.9))
        ax.text(col * 1.0, y, f"{name} {view.regs[n]:08x}", family="monospace", fontsize=9,
                va="center", color=INK)
    ax.set_xlim(-0.05, 2.0)
    ax.set_ylim(-0.7, 15.7)
    ax.axis("off")
    ax.set_title(f"Registers after {view.steps} instructions")


def _box(x, y, w, h):
    return Rectangle((x, y), w, h, facecolor=HIGHLIGHT, alpha=0.45, edgecolor="none")


def _draw_memory(ax, view: StepView) -> None:
    words = [int.from_bytes(view.data[i:i + 4], "little") for i in range(0, len(view.data), 4)]
    touched = {addr & ~3 for _, addr, _, _ in view.touched}
    for i, value in enumerate(words):
        address = view.data_base + 4 * i
        y = 15 - i
        if address in touched:
            ax.add_patch(_box(-0.02, y - 0.45, 1.0, 0.9))
        kind = next((k for k, a, _, _ in view.touched if a & ~3 == address), "")
        label = view.data_labels.get(address, "")
        ax.text(0, y, f"{label:>6} {address:08x}: {value:08x} {kind}", family="monospace",
                fontsize=9, va="center")
    ax.set_xlim(-0.05, 1.0)
    ax.set_ylim(min(15 - len(words), -1) + 0.3, 15.7)
    ax.axis("off")
    ax.set_title("Memory: .data words")


def _draw_trace(ax, view: StepView) -> None:
    lines = list(view.trace[-TRACE_LINES:])
    for i, line in enumerate(lines):
        y = TRACE_LINES + 1 - i
        if i == len(lines) - 1:
            ax.add_patch(_box(-0.01, y - 0.45, 1.0, 0.9))
        ax.text(0, y, line[:64], family="monospace", fontsize=9, va="center")
    ax.text(0, 0.6, f"next: {view.pc:08x}  {view.next_text}", family="monospace",
            fontsize=9, va="center", weight="bold")
    if view.next_line:
        ax.text(0, -0.4, f"      source: {view.next_line[:44]}", family="monospace",
                fontsize=9, va="center")
    ax.set_xlim(-0.02, 1.0)
    ax.set_ylim(-1.0, TRACE_LINES + 1.7)
    ax.axis("off")
    ax.set_title("Trace (last instruction highlighted)")


@styled
def plot_step(view: StepView) -> Figure:
    """Registers and data memory above the trace, the last instruction's effects highlighted.

    6.6 inches wide, so the book shows it at its own size: 9-point text stays 9 points.
    """
    fig = Figure(figsize=(6.6, 7.6), dpi=100, layout="constrained")
    panels = fig.subplot_mosaic([["regs", "memory"], ["trace", "trace"]],
                                width_ratios=(1.25, 1), height_ratios=(17, TRACE_LINES + 3))
    _draw_registers(panels["regs"], view)
    _draw_memory(panels["memory"], view)
    _draw_trace(panels["trace"], view)
    return fig


def describe_step(view: StepView) -> str:
    """Describe: what the last instruction did, and what comes next."""
    if view.steps == 0:
        text = "Nothing has run yet: every register is 0 except what the loader set (pc)."
    else:
        last = view.trace[-1].split(None, 1)[1]
        text = f"After {view.steps} instructions. Last: {' '.join(last.split())}."
    if view.done:
        return text + " The program has finished: the next instruction, ebreak, stops it."
    return text + f" Next: {view.next_text} (source: {view.next_line or '?'})."
