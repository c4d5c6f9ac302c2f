"""The kernel on the machine's trap router: its registrations, their order, their charges."""
from __future__ import annotations

import io

from vlab.isa.asm import assemble
from vlab.isa.causes import Cause, Interrupt
from vlab.isa.elf import load_elf
from vlab.os.boot import boot
from vlab.os.vm import KERNEL_AREA

USER = 0x8000_0000 + KERNEL_AREA
WRITE_TWICE = """
_start:
    li a7, 64
    li a0, 1
    la a1, msg
    li a2, 3
    ecall
    li a7, 64
    li a0, 1
    ecall
    li a7, 93
    li a0, 0
    ecall
    .data
msg: .ascii "ok\\n"
"""


def booted(source):
    image = load_elf(assemble(source, text_base=USER).to_elf())
    out = io.BytesIO()
    return boot(image, mode="user", stdout=out, stdin=io.BytesIO(), stderr=io.BytesIO()), out


def test_the_kernel_takes_user_ecalls_and_its_fault_handler_everything_else():
    run, _ = booted(WRITE_TWICE)
    chain = run.machine.traps.handlers("M")
    assert [r.name for r in chain] == ["kernel", "kernel-timer", "kernel-fault"]
    assert [r.name for r in run.machine.traps.handlers("M", Cause.USER_ECALL)] == [
        "kernel", "kernel-fault"]
    assert [r.name for r in run.machine.traps.handlers("M", Cause.ILLEGAL_INSTRUCTION)] == [
        "kernel-fault"]
    assert [r.name for r in run.machine.traps.handlers(
        "M", Interrupt.MACHINE_TIMER, interrupt=True)] == ["kernel-timer", "kernel-fault"]


def test_each_ecall_is_one_trap_and_one_system_call_in_the_ledger():
    run, out = booted(WRITE_TWICE)
    result = run.machine.run(max_instructions=100)
    assert (result.status, out.getvalue()) == ("exit", b"ok\nok\n")
    counts = run.machine.ledger.counts
    assert counts["trap"] == counts["syscall"] == 3 and run.kernel.calls["write"] == 2


def test_a_handler_installed_later_is_asked_before_the_kernel_fault_handler():
    run, _ = booted("_start:\n ebreak\n li a7, 93\n li a0, 5\n ecall\n")
    seen = []

    def debugger(ctx):
        seen.append(ctx.epc)
        return ctx.skip()                   # step over the breakpoint

    run.machine.traps.register("M", debugger, causes={Cause.BREAKPOINT}, name="debugger")
    result = run.machine.run(max_instructions=100)
    assert (result.status, result.exit_code, seen) == ("exit", 5, [USER])
    assert run.process.fault is None


def test_a_declined_trap_falls_through_to_the_kernel_fault_handler():
    run, _ = booted("_start:\n ebreak\n")
    run.machine.traps.register("M", lambda ctx: ctx.decline(), causes="all", name="observer")
    result = run.machine.run(max_instructions=100)
    assert result.status == "halt" and run.process.fault.signal == 5   # SIGTRAP
