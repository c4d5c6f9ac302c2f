"""Call a student's assembly routine on the machine, the way a grader does.

The student writes a routine that follows the RISC-V calling convention (arguments in
a0..a7, result in a0, return with ``ret``).  :func:`call_routine` wraps it in a harness
that puts the arguments in place, calls it, and ends with ``ebreak``; the chapter's
monitor (vlab/lab/interpretation/programs.py) ends the run there.  Every way the answer can go
wrong is a :class:`RoutineError` whose message says what happened and how to fix it:
the source does not assemble (line, column, hint from vlab.isa.asm), the routine runs
away (instruction budget), or it traps (the cause, pc and tval).
"""

from __future__ import annotations

from vlab.isa.asm import AssemblyError, assemble
from vlab.lab.interpretation.programs import finished, load

BUDGET = 100_000   # instructions: far more than any of the exercises needs
# Placed right after the answer's code: a routine that runs past its last instruction
# (no ``ret``) reaches this illegal word and is told so, instead of running into the harness.
END_GUARD = "        .text\n__answer_end:\n        .word 0\n"


class RoutineError(ValueError):
    """The routine could not be run to its ``ret``; the message says why."""


def _harness(routine: str, arguments: list[bytes]) -> str:
    loads = "\n".join(f"        la   a{i}, __arg{i}" for i in range(len(arguments)))
    data = "\n".join(f"__arg{i}: .byte {', '.join(str(b) for b in value) or '0'}"
                     for i, value in enumerate(arguments))
    return f"""\
        .text
        .globl _start
_start:
{loads}
        call {routine}
        ebreak
        .data
{data}
"""


def call_routine(source: str, routine: str, *buffers: bytes, budget: int = BUDGET) -> int:
    """Run ``routine`` (defined in ``source``) with a0.. pointing at copies of ``buffers``;
    return a0 as an unsigned 32-bit number."""
    if not isinstance(source, str) or not source.strip():
        raise RoutineError("the answer is empty: write the routine as a string of assembly")
    arguments = [bytes(b) for b in buffers]
    try:
        answer = assemble(source, filename="your answer")   # alone: only the student's lines
    except AssemblyError as error:
        raise RoutineError(f"your assembly does not assemble:\n{error}") from None
    if routine not in answer.symbols:
        raise RoutineError(f"your answer defines no '{routine}:' label: start the routine with "
                           f"the line '{routine}:' (the check calls it by that name)")
    program = source + "\n" + END_GUARD + _harness(routine, arguments)  # the answer first:
    machine, assembled = load(program)       # its addresses and line numbers are unchanged
    result = machine.run(max_instructions=budget)
    if finished(result):
        return machine.regs[10]
    if result.status == "budget":
        raise RoutineError(f"{routine} did not return within {budget:,} instructions: "
                           "is there a loop that never ends (a missing increment or a "
                           "wrong branch condition)?")
    pc = machine.hart.pc if result.pc is None else result.pc
    if pc == assembled.symbols["__answer_end"]:
        raise RoutineError(f"{routine} never returned: it ran past its last instruction. "
                           "End it with ret (and make every path reach a ret).")
    where = assembled.line_table.get(pc)
    place = (f" at line {where.line} of your answer ('{where.text.strip()}')"
             if where is not None and where.line <= source.count("\n") + 1 else "")
    cause = result.message.split(" at pc=")[0]
    raise RoutineError(f"{routine} stopped{place}: {cause}. Check the addresses your loads "
                       "and stores use, and that the routine ends with ret.")


def strlen_on_machine(source: str, text: str) -> int:
    """The result of the student's ``strlen`` on ``text`` (encoded UTF-8, NUL-terminated)."""
    return call_routine(source, "strlen", text.encode() + b"\0")
