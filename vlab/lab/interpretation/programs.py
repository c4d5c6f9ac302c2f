"""The guest programs of chapter 2, and how the chapter loads and runs them.

Every program is RV32 assembly assembled by vlab's own assembler (vlab.isa.asm), so the
chapter runs anywhere, with no cross-compiler.  A bare-metal program ends with
``ebreak``: the chapter registers a tiny *monitor*, a Python M-mode trap handler (ARCHITECTURE.md,
invariant 2: Python stands in for the most privileged software), that ends the run on
the breakpoint and stops with the trap's name on anything else.
"""

from __future__ import annotations

from vlab.isa.asm import assemble
from vlab.isa.fields import REG_NAMES
from vlab.isa.machine import Machine

RAM_SIZE = 1 << 20          # 1 MiB at 0x80000000 is plenty for these programs
BREAKPOINT = 3              # mcause of ebreak (privileged spec, Table 3.6)
DONE = "ebreak: the program handed control back to the emulator"


def sum_source(values) -> str:
    """A program that adds up an array of words and stores the total in ``total``."""
    values = list(values)
    if not values:
        raise ValueError("sum_source needs at least one value (the loop runs once per word)")
    rows = [", ".join(str(v) for v in values[i:i + 16]) for i in range(0, len(values), 16)]
    words = "\n        .word ".join(rows)
    return f"""\
# sum.s: add up the words of an array; store the total in `total`
        .data
array:  .word {words}
total:  .word 0

        .text
_start:
        la   a0, array          # a0 = address of the next element
        li   a1, {len(values)}            # a1 = elements left
        li   a2, 0              # a2 = running sum
loop:
        lw   t0, 0(a0)          # t0 = *a0
        add  a2, a2, t0         # sum += t0
        addi a0, a0, 4          # next element
        addi a1, a1, -1
        bnez a1, loop           # until no element is left
        la   t1, total
        sw   a2, 0(t1)          # total = sum
        ebreak                  # done: back to the emulator
"""


#: The program the chapter steps through.
SUM_SOURCE = sum_source([3, 1, 4, 1, 5])


def write_loop_source(writes: int) -> str:
    """A user program: ``writes`` calls of write(1, "hi\\n", 3), then exit(0).

    The number of writes still to do lives in memory (``left``), so every iteration also
    loads and stores a word."""
    if writes < 0:
        raise ValueError(f"writes must be >= 0, got {writes}")
    return f"""\
# hi.s: print "hi" {writes} times through the write system call, then exit
        .data
msg:    .ascii "hi\\n"
        .align 2
left:   .word {writes}               # writes still to do
        .text
_start:
        la   s1, left
loop:
        lw   s0, 0(s1)          # s0 = writes left
        beqz s0, done
        addi s0, s0, -1
        sw   s0, 0(s1)          # left = left - 1
        li   a0, 1              # fd 1 = stdout
        la   a1, msg            # buffer
        li   a2, 3              # length
        li   a7, 64             # Linux/RISC-V number of write
        ecall
        j    loop
done:
        li   a0, 0              # status 0
        li   a7, 93             # exit
        ecall
"""


def monitor(ctx) -> None:
    """The chapter's M-mode trap handler: ebreak ends the run, anything else stops it."""
    if not ctx.interrupt and ctx.cause == BREAKPOINT:
        return ctx.halt(DONE)
    return ctx.halt(f"{ctx.name} at pc={ctx.epc:#010x} (tval={ctx.tval:#010x})")


def load(source: str, engine="interp", with_monitor: bool = True):
    """Assemble ``source`` and load it on a fresh Machine; returns (machine, program)."""
    program = assemble(source)
    machine = Machine(ram_size=RAM_SIZE, engine=engine)
    image = program.to_image()
    machine.load_image(image.segments, image.entry)
    if with_monitor:
        machine.set_trap_handler("M", monitor)
    return machine, program


def finished(result) -> bool:
    """True when a run ended at the program's final ebreak."""
    return result.status == "halt" and result.message == DONE


def trace_line(record) -> str:
    """One trace record, compact: pc, disassembly, registers written, memory, trap."""
    effects = [f"{REG_NAMES[r]}={v:#x}" for r, v in record.regs]
    effects += [f"{kind}[{addr:#x}]={value:#x}" for kind, addr, _, value in record.mem]
    if record.trap:
        effects.append(f"TRAP {record.trap.split(' (')[0]}")
    return f"{record.pc:08x}  {record.text:<20} {' '.join(effects)}".rstrip()
