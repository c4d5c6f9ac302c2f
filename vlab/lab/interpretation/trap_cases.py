"""Chapter 2, experiment 5: what the machine does when a guest instruction traps.

An emulator must reproduce not only what instructions compute but what happens when they
cannot complete.  On RISC-V (Privileged Architecture 20211203, sec. 3.1.14-3.1.16 and
Table 3.6) a trap into M-mode writes three CSRs and jumps to ``mtvec``:

- ``mepc``: the address of the instruction that trapped;
- ``mcause``: why (the exception code; bit 31 would mark an interrupt);
- ``mtval``: extra information: the faulting address, or the illegal instruction's bits.

Each case below is a tiny bare-metal program: it points ``mtvec`` at ``handler``, runs one
offending instruction, and the handler copies the three CSRs into a0, a1, a2.  The model
stops the machine when it reaches ``handler`` (a breakpoint), reads the CSRs the hardware
wrote, then lets the handler run its three ``csrr`` so the guest sees the same values.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import FancyBboxPatch

from vlab.isa.traps import EXCEPTIONS
from vlab.lab.experiment import Table
from vlab.lab.interpretation.programs import load, trace_line
from vlab.lab.style import DPI, FIGSIZE, HIGHLIGHT, INK, LEVEL_COLORS, styled

#: case -> the offending code (assembly); each ends at a labelled instruction `fault`.
TRAP_CASES: dict[str, str] = {
    "illegal instruction": "fault:  .word 0xffffffff          # no instruction has this encoding",
    "ecall": "fault:  ecall                     # a system call from M-mode",
    "ebreak": "fault:  ebreak                    # a breakpoint",
    "load from unmapped address": "        li   t0, 0x10\nfault:  lw   a0, 0(t0)             "
                                  "# nothing is mapped at 0x10",
    "store to unmapped address": "fault:  sw   a0, 0(zero)           # nothing is mapped at 0",
    "jump to a misaligned target": "        la   t0, target\nfault:  jalr zero, 2(t0)        "
                                   "   # target + 2 is not a multiple of 4\ntarget: nop",
}


def trap_source(case: str) -> str:
    """The whole program of one case."""
    if case not in TRAP_CASES:
        raise ValueError(f"unknown case {case!r}; choose one of {list(TRAP_CASES)}")
    return program_around(TRAP_CASES[case])


def program_around(snippet: str) -> str:
    """A program that sets ``mtvec`` to ``handler``, then runs ``snippet`` (which starts at
    0x8000000c), then falls into the handler."""
    return f"""\
_start:
        la   t0, handler
        csrw mtvec, t0            # traps go to `handler`
{snippet}
        nop
handler:
        csrr a0, mcause           # why
        csrr a1, mepc             # where
        csrr a2, mtval            # extra information
        j    handler
"""


def trap_of(snippet: str) -> tuple[int, int, int]:
    """(mcause, mepc, mtval) after running ``snippet`` in M-mode (see program_around)."""
    machine, program = load(program_around(snippet), with_monitor=False)
    machine.breakpoints.add(program.symbols["handler"])
    result = machine.run(max_instructions=1000)
    if result.status != "breakpoint" or machine.csr.mepc < program.entry:
        raise ValueError(f"the snippet did not trap: {result}")
    return machine.csr.mcause, machine.csr.mepc, machine.csr.mtval


def offending_instruction(case: str) -> str:
    """The source text of a case's labelled instruction, without label and comment."""
    line = next(line for line in TRAP_CASES[case].splitlines() if line.startswith("fault:"))
    return line.removeprefix("fault:").split("#")[0].strip()


@dataclass(frozen=True)
class TrapView:
    case: str
    fault_pc: int         # address of the offending instruction (label `fault`)
    instruction: str      # its source text
    mepc: int
    mcause: int
    mtval: int
    handler: int          # mtvec
    guest_saw: tuple[int, int, int]   # a0, a1, a2 after the handler's csrr
    trace: tuple[str, ...]

    @property
    def cause_name(self) -> str:
        return EXCEPTIONS.get(self.mcause, f"cause {self.mcause}")


def trap_case(case: str = "illegal instruction") -> TrapView:
    """Model: run one case to its handler; what the hardware and the handler saw."""
    machine, program = load(trap_source(case), with_monitor=False)
    handler = program.symbols["handler"]
    machine.breakpoints.add(handler)
    result = machine.run(max_instructions=100, trace=True)
    if result.status != "breakpoint":
        raise RuntimeError(f"case {case!r} did not reach its handler: {result}")
    csr = machine.csr
    mepc, mcause, mtval = csr.mepc, csr.mcause, csr.mtval
    machine.breakpoints.clear()
    machine.run(max_instructions=3)
    trace = tuple(trace_line(r) for r in machine.tracer.records)
    return TrapView(case, program.symbols["fault"], offending_instruction(case), mepc, mcause,
                    mtval, csr.mtvec, tuple(machine.regs[10:13]), trace)


def trap_table() -> Table:
    """Every case: the offending instruction and the CSRs the trap wrote."""
    rows = []
    for case in TRAP_CASES:
        view = trap_case(case)
        rows.append((case, view.instruction, f"{view.mepc:#010x}",
                     f"{view.mcause} ({view.cause_name})", f"{view.mtval:#010x}"))
    return Table(("case", "instruction", "mepc", "mcause", "mtval"), rows,
                 "Values written by the machine on each trap (privileged spec sec. 3.1.14-16).")


@styled
def plot_trap(view: TrapView) -> Figure:
    """The trace up to the trap, and the three CSRs the trap wrote."""
    lines = [line[:64] for line in view.trace]
    fig = Figure(figsize=FIGSIZE["column"], dpi=DPI, layout="constrained")
    trace_ax, csr_ax = fig.subplots(nrows=2, height_ratios=(len(lines) + 1, 4.5))
    for i, line in enumerate(lines):
        y = len(lines) - i
        color = LEVEL_COLORS["hardware"] if "TRAP" in line else INK
        trace_ax.text(0, y, line, family="monospace", fontsize=9, va="center", color=color)
    trace_ax.set_ylim(0.3, len(lines) + 0.7)
    trace_ax.set_xlim(0, 1)
    trace_ax.axis("off")
    trace_ax.set_title(f"Trace: {view.case}")
    rows = [("mepc", f"{view.mepc:#010x}", "where"),
            ("mcause", f"{view.mcause}", view.cause_name),
            ("mtval", f"{view.mtval:#010x}", "extra information")]
    for i, (name, value, meaning) in enumerate(rows):
        y = 2 - i
        csr_ax.add_patch(_csr_box(y))
        csr_ax.text(0.05, y + 0.5, name, weight="bold", va="center", fontsize=10)
        csr_ax.text(0.25, y + 0.5, value, family="monospace", va="center", fontsize=10)
        csr_ax.text(0.5, y + 0.5, meaning[:30], va="center", fontsize=9)
    csr_ax.set_xlim(0, 1)
    csr_ax.set_ylim(-0.1, 3.1)
    csr_ax.axis("off")
    csr_ax.set_title(f"CSRs written; pc = mtvec = {view.handler:#010x}")
    return fig


def _csr_box(y):
    return FancyBboxPatch((0.01, y + 0.08), 0.98, 0.84, boxstyle="round,pad=0.01",
                          facecolor=HIGHLIGHT, alpha=0.35, edgecolor=INK)


def describe_trap(view: TrapView) -> str:
    """Describe: the cause, mepc, mtval, and what the guest handler read."""
    a0, a1, a2 = view.guest_saw
    return (f"'{view.instruction}' at {view.fault_pc:#010x} trapped: mcause = {view.mcause} "
            f"({view.cause_name}), mepc = {view.mepc:#010x}, mtval = {view.mtval:#010x}. "
            f"The machine jumped to mtvec ({view.handler:#010x}), where the guest handler "
            f"read a0 = {a0:#x}, a1 = {a1:#x}, a2 = {a2:#x}.")
