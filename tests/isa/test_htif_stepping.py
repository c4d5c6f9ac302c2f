"""HTIF commands survive single-stepping.

A 64-bit ``tohost`` write is two 32-bit stores on RV32.  A run that stops between
them (``step()``, a small budget) must not read the half-written command: the
console output of a bare-metal program is the same whether it is run in one go
or one instruction at a time.
"""

from vlab.isa.asm import assemble
from vlab.isa.machine import Machine

PUTS = """
    .text
    .globl _start
_start:
    la   s0, msg
next:
    lbu  a0, 0(s0)
    beqz a0, done
    la   t1, tohost
    li   t2, 0x01010000        # device 1 (console), command 1 (putchar)
    sw   a0, 0(t1)             # low half: the character
    sw   t2, 4(t1)             # high half: device and command
wait:
    lw   t0, 0(t1)             # the host clears tohost once it has read it
    bnez t0, wait
    addi s0, s0, 1
    j    next
done:
    la   t1, tohost
    li   t0, 7                 # exit code 3: (3 << 1) | 1
    sw   t0, 0(t1)
    sw   zero, 4(t1)
1:  j    1b
    .data
msg: .asciz "Hi, HTIF!"
    .align 3
    .globl tohost
tohost:   .word 0, 0
    .globl fromhost
fromhost: .word 0, 0
"""


def _boot():
    program = assemble(PUTS)
    machine = Machine(ram_size=1 << 20)
    image = program.to_image()
    machine.load_image(image.segments, image.entry,
                       tohost=program.symbols["tohost"], fromhost=program.symbols["fromhost"])
    return machine


def test_run_in_one_go():
    machine = _boot()
    result = machine.run(max_instructions=10_000)
    assert result.status == "exit" and result.exit_code == 3
    assert machine.htif.console == b"Hi, HTIF!"


def test_single_stepping_gives_the_same_console():
    machine = _boot()
    for _ in range(10_000):
        result = machine.step()
        if result.status == "exit":
            break
    assert result.status == "exit" and result.exit_code == 3
    assert machine.htif.console == b"Hi, HTIF!"


def test_tiny_budgets_give_the_same_console():
    machine = _boot()
    for _ in range(10_000):
        result = machine.run(max_instructions=1)
        if result.status == "exit":
            break
    assert machine.htif.console == b"Hi, HTIF!"
