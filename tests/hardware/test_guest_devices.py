"""The devices a guest reaches under a VMM are the bare machine's (guest_memory.py).

A bare-metal program that prints through the UART 16550 (polling its line-status register
as a driver does, then storing to the transmit register) gives the same console output
and exit status bare, under trap-and-emulate and under the hardware-assisted VMM, through
the CLI.  The block device is not passed through (it does DMA): touching it under
trap-and-emulate is the guest's access fault, reported as on an unmapped address.
"""
import pytest

from vlab.cli import main
from vlab.hardware.guest_memory import PASSED_THROUGH
from vlab.host.platform import BLOCK_BASE, UART_BASE

UART_HELLO = f"""
    .equ UART, {UART_BASE:#x}
    .text
    .globl _start
_start:
    li      t0, UART
    la      a1, message
next:
    lbu     a0, 0(a1)
    beqz    a0, done
wait:
    lbu     t1, 5(t0)           # LSR: wait for THRE (0x20), as a polling driver does
    andi    t1, t1, 0x20
    beqz    t1, wait
    sb      a0, 0(t0)           # THR
    addi    a1, a1, 1
    j       next
done:
    li      a0, (7 << 1) | 1    # exit status 7 through HTIF
    la      t1, tohost
    sw      a0, 0(t1)
spin:
    j       spin
    .data
message:
    .asciz  "through the UART\\n"
    .align  3
    .globl  tohost
tohost: .word 0, 0
fromhost: .word 0, 0
"""

BLOCK_TOUCH = f"""
    .text
    .globl _start
_start:
    li      t0, {BLOCK_BASE:#x}
    lw      a0, 0(t0)
    li      a0, 1
    la      t1, tohost
    sw      a0, 0(t1)
spin:
    j       spin
    .data
    .align  3
    .globl  tohost
tohost: .word 0, 0
fromhost: .word 0, 0
"""


def cli(capfd, *argv):
    status = main(list(argv))
    out, err = capfd.readouterr()
    return status, out, err


@pytest.fixture
def hello(tmp_path):
    path = tmp_path / "uart_hello.s"
    path.write_text(UART_HELLO)
    return str(path)


def test_the_uart_is_passed_through_and_the_block_device_is_not():
    names = {name for _, _, name in PASSED_THROUGH}
    assert names == {"clint", "uart"}


@pytest.mark.parametrize("engine", ["interp", "dbt"])
def test_uart_output_is_the_same_bare_and_under_both_vmms(hello, capfd, engine):
    bare = cli(capfd, "run", hello, "--engine", engine)
    assert bare[:2] == (7, "through the UART\n")
    for cpu in ("trap-emulate", "hw"):
        virtual = cli(capfd, "vm", "run", hello, "--cpu", cpu, "--engine", engine)
        assert virtual[:2] == bare[:2], (cpu, virtual[2])


def test_block_device_is_an_access_fault_under_trap_emulate(tmp_path, capfd):
    path = tmp_path / "block.s"
    path.write_text(BLOCK_TOUCH)
    status, out, err = cli(capfd, "vm", "run", str(path), "--cpu", "trap-emulate")
    assert status == 139                      # 128 + SIGSEGV: the guest's access fault
    assert f"tval={BLOCK_BASE:#010x}" in err and "Traceback" not in err
