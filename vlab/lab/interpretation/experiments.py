"""Chapter 2's experiments: ISA-level virtualization, emulation by interpretation.

Hwang, Dongarra & Fox (2011), sec. 3.1.2.1: an ISA-level layer emulates one ISA on
another; the basic method is code interpretation, one source instruction at a time, at a
cost of tens or hundreds of host instructions each.  The guest ISA here is RV32 and the
host is vlab's Python machine.  The models live in small modules; this one wires them to
widgets (:class:`vlab.lab.experiment.Experiment`):

- :func:`stepper` (stepping.py): step a program, watch registers, memory, trace;
- :func:`host_work_experiment` (cost.py): bytecodes per guest instruction,
  by part of the interpreter, beside FX!32's published ratios;
- :func:`dispatch_experiment`: decode-and-dispatch against predecoded interpretation;
- :func:`ledger_experiment`: the ledger of a user program's run;
- :func:`trap_experiment` (trap_cases.py): mepc, mcause and mtval of a trap.

Also :func:`handler_source`, the Python compiled from one ISA-table row (the few lines
of vlab's interpreter that a reader should see come from the interpreter's own explain
hook, :func:`vlab.isa.explain.dispatch_loop_source`).

The other modules of this package: programs.py (the guest programs and the
monitor that ends them), formats.py (the RV32 format figure), routine.py (runs a
student's assembly routine for the exercises), vlab/isa/decode_dispatch.py (the
textbook interpreter) and vlab/lab/measure.py (exact bytecode counts, and the stopwatch).
"""

from __future__ import annotations

from vlab.isa.semantics import factory_source
from vlab.isa.spec import BY_NAME
from vlab.lab.experiment import Experiment, dropdown, int_slider, toggle
from vlab.lab.interpretation import cost, stepping, trap_cases
from vlab.lab.interpretation.cost import ENGINES, SWEEP
from vlab.lab.interpretation.programs import SUM_SOURCE

# --- the code a reader should see --------------------------------------------------------


def handler_source(instruction: str = "add") -> str:
    """The Python that the semantics compiler makes from one row of the ISA table."""
    if instruction not in BY_NAME:
        raise ValueError(f"no instruction {instruction!r} in the ISA table")
    spec = BY_NAME[instruction]
    return (f"# table row: {spec.name}  {spec.encoding}  format {spec.fmt}\n"
            f"# semantics: {spec.semantics}\n" + factory_source(spec))


# --- the experiments ---------------------------------------------------------------------


def stepper(steps: int = 5, source: str = SUM_SOURCE) -> Experiment:
    """Widget: a slider over the instructions of ``source``."""
    control = int_slider("Instructions executed", 0, stepping.program_length(source), steps)
    return Experiment(stepping.step_program, stepping.plot_step, {"steps": control},
                      describe=stepping.describe_step, fixed={"source": source})


def both_engines(iterations: int = 100) -> list:
    """Model: host work of both engines summing ``iterations`` words."""
    return [cost.host_work(engine, iterations) for engine in ENGINES]


def host_work_experiment(iterations: int = 100) -> Experiment:
    """Widget: choose the loop length; see the host work per guest instruction."""
    control = dropdown("Words summed", list(SWEEP), iterations)
    return Experiment(both_engines, cost.plot_host_work, {"iterations": control},
                      describe=cost.describe_host_work)


def dispatch_experiment(iterations: int = 100) -> Experiment:
    """Widget: pick a loop length on the sweep; both engines' decodes and work."""
    control = toggle("Words summed", list(SWEEP), iterations)
    return Experiment(cost.compare_dispatch, cost.plot_dispatch,
                      {"iterations": control}, describe=cost.describe_dispatch)


def ledger_experiment(writes: int = 3, paging: bool = False) -> Experiment:
    """Widget: number of write calls and paging on/off; the ledger of the run."""
    controls = {"writes": int_slider("write calls", 0, 20, writes),
                "paging": toggle("Paging (Sv32)", [("off", False), ("on", True)], paging)}
    return Experiment(cost.ledger_run, cost.plot_ledger, controls,
                      describe=cost.describe_ledger)


def trap_experiment(case: str = "illegal instruction") -> Experiment:
    """Widget: pick an offending instruction; see the trap it causes."""
    control = dropdown("Offending instruction", list(trap_cases.TRAP_CASES), case,
                       width="26em")
    return Experiment(trap_cases.trap_case, trap_cases.plot_trap, {"case": control},
                      describe=trap_cases.describe_trap)
