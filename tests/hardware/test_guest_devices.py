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

# Sv32 in S-mode: va 0x00400000 maps the UART page (the shadow tables must fill a device
# leaf under trap-and-emulate); the guest prints through it, then ends through HTIF.
PAGED_UART = f"""
    .text
    .globl _start
_start:
    la t0, pt_root
    li t1, 0x200000CF               # megapage 0x80000000 -> itself: V R W X A D
    li t2, 0x800                    # its PTE: VPN[1] = 0x200
    add t2, t0, t2
    sw t1, 0(t2)
    la t1, pt_l0                    # VPN[1] = 1 -> the level-0 table
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1
    sw t1, 4(t0)
    li t1, {(UART_BASE >> 12 << 10) | 0xC7:#x}   # va 0x00400000 -> UART: V R W A D
    la t2, pt_l0
    sw t1, 0(t2)
    srli t0, t0, 12
    li t1, 0x80000000
    or t0, t0, t1
    csrw satp, t0
    li t0, 0x800                    # MPP = S
    csrw mstatus, t0
    la t0, s_code
    csrw mepc, t0
    mret
s_code:
    sfence.vma
    li t0, 0x00400000
    la a1, message
next:
    lbu a0, 0(a1)
    beqz a0, done
    sb a0, 0(t0)
    addi a1, a1, 1
    j next
done:
    li a0, 1
    la t1, tohost
    sw a0, 0(t1)
spin:
    j spin
    .data
message: .asciz "paged UART\\n"
    .align 3
    .globl tohost
tohost: .word 0, 0
fromhost: .word 0, 0
    .align 12
pt_root: .zero 4096
pt_l0: .zero 4096
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


def test_uart_through_the_guest_page_tables_is_the_same(tmp_path, capfd):
    path = tmp_path / "paged.s"
    path.write_text(PAGED_UART)
    bare = cli(capfd, "run", str(path))
    assert bare[:2] == (0, "paged UART\n")
    for cpu in ("trap-emulate", "hw"):
        assert cli(capfd, "vm", "run", str(path), "--cpu", cpu)[:2] == bare[:2], cpu


def test_block_device_is_an_access_fault_under_trap_emulate(tmp_path, capfd):
    path = tmp_path / "block.s"
    path.write_text(BLOCK_TOUCH)
    status, out, err = cli(capfd, "vm", "run", str(path), "--cpu", "trap-emulate")
    assert status == 139                      # 128 + SIGSEGV: the guest's access fault
    assert f"tval={BLOCK_BASE:#010x}" in err and "Traceback" not in err


# The guest aims a block-device READ (disk -> memory, DMA) at the first page of the VMM's
# memory, right above guest RAM, where the VMM keeps its page tables.
DMA_AT_THE_VMM = """
    .text
    .globl _start
_start:
    li t0, {block:#x}
    li t1, {target:#x}
    sw zero, 0x0C(t0)      # SECTOR 0
    sw t1, 0x10(t0)        # DMA_ADDR: the VMM's memory
    li t1, 8
    sw t1, 0x14(t0)        # COUNT: 8 sectors, one page
    li t1, 1
    sw t1, 0x18(t0)        # COMMAND: READ
    li a0, 1
    la t1, tohost
    sw a0, 0(t1)
spin:
    j spin
    .data
    .align 3
    .globl tohost
tohost: .word 0, 0
"""


@pytest.mark.parametrize("cpu", ["trap-emulate", "hw"])
def test_a_guest_cannot_dma_into_the_vmm(cpu):
    from vlab.hardware.vm import DEFAULT_GUEST_RAM, VirtualMachine
    from vlab.isa.asm import assemble
    from vlab.isa.elf import load_elf
    target = 0x8000_0000 + DEFAULT_GUEST_RAM
    source = DMA_AT_THE_VMM.format(block=BLOCK_BASE, target=target)
    vm = VirtualMachine(load_elf(assemble(source, filename="dma.s").to_elf()), cpu=cpu)
    vm.machine.platform.block.image[:4096] = b"\xaa" * 4096
    offset = target - vm.machine.ram.base
    before = bytes(vm.machine.ram.data[offset:offset + 4096])
    vm.run(max_instructions=10_000)
    assert bytes(vm.machine.ram.data[offset:offset + 4096]) == before
