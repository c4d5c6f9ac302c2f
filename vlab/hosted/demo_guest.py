"""A small bare-metal guest for the hypervisor types: it prints, takes exits, exits with 3.

It takes three privileged exits (``csrw mtvec``, ``csrr mstatus``, ``csrw mscratch``)
and one more after printing, writes ``GREETING`` byte by byte to the HTIF console as
riscv-tests' and Spike's console do (write the 64-bit command to ``tohost``, low word
then high, then wait until the host cleared it), and exits with code 3.
"""
from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf

GREETING = b'hello from the guest\n'

PRINTING = r'''
.text
.globl _start
_start:
    la t0, mtvec_target
    csrw mtvec, t0            # privileged: an exit under every VMM
    csrr t1, mstatus
    csrw mscratch, t1
    la a1, message
    la t0, tohost
    li t3, 0x01010000         # device 1 (console), command 1 (putchar)
next:
    lbu a2, 0(a1)
    beqz a2, done
    sw a2, 0(t0)
    sw t3, 4(t0)
wait:
    lw t4, 0(t0)
    bnez t4, wait
    addi a1, a1, 1
    j next
done:
    csrr t1, mscratch         # one more exit after the output
    li a0, 7                  # exit code 3: (3 << 1) | 1
    sw a0, 0(t0)
    sw zero, 4(t0)
1:  j 1b
mtvec_target:
    j mtvec_target
.data
message: .asciz "hello from the guest\n"
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
'''


def printing_guest():
    """The ELF image of the demo guest (prints GREETING, exits with 3)."""
    return load_elf(assemble(PRINTING, filename='printing.s').to_elf())


UART_GREETING = b'uart says hi\n'

# the same, through the 16550 UART's transmit register at 0x10000000 (no HTIF console)
UART_PRINTING = r'''
.text
.globl _start
_start:
    csrr t1, mstatus          # one exit
    la a1, message
    li t0, 0x10000000
next:
    lbu a2, 0(a1)
    beqz a2, done
    sb a2, 0(t0)
    addi a1, a1, 1
    j next
done:
    la t0, tohost
    li a0, 1                  # exit code 0
    sw a0, 0(t0)
    sw zero, 4(t0)
1:  j 1b
.data
message: .asciz "uart says hi\n"
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
'''


def uart_guest():
    """The ELF image of a guest printing UART_GREETING on the UART, exiting with 0."""
    return load_elf(assemble(UART_PRINTING, filename='uart.s').to_elf())
