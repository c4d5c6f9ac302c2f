"""Small bare-metal guests, in assembly, each testing one thing a VMM must get right.

Each ends by writing an HTIF exit command: ``PASS`` (exit code 0) or ``fail(n)`` (exit
code n, the number of the check that failed), the riscv-tests convention.  They run the
same on the bare machine and under a VMM (Popek & Goldberg's equivalence), so the tests
compare both and also check the VMM's exits.
"""
from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf

EPILOGUE = '''
pass:
    li a0, 1
    j write_tohost
fail:
    slli a0, gp, 1
    ori a0, a0, 1
write_tohost:
    la t6, tohost
    sw a0, 0(t6)
    sw zero, 4(t6)
1:  j 1b
.data
.align 3
tohost: .word 0, 0
fromhost: .word 0, 0
'''


def image(body: str, extra_data: str = ''):
    """The ELF image of a guest: ``body`` at 0x80000000, then pass/fail and HTIF."""
    source = '.text\n.globl _start\n_start:\n' + body + EPILOGUE + extra_data
    return load_elf(assemble(source, filename='guest.s').to_elf())


CSR_EMULATION = '''
    la t0, fail
    csrw mtvec, t0
    li gp, 2
    li a0, 0x1234
    csrw mscratch, a0
    csrr a1, mscratch
    bne a0, a1, fail
    li gp, 3
    li a2, 0xF0
    csrrs a1, mscratch, a2          # old value, then set bits
    bne a1, a0, fail
    csrr a1, mscratch
    li a3, 0x12F4
    bne a1, a3, fail
    li gp, 4
    csrrci a1, mscratch, 4          # clear bit 2
    csrr a1, mscratch
    li a3, 0x12F0
    bne a1, a3, fail
    li gp, 5
    csrrwi a1, mscratch, 7
    csrrsi a1, mscratch, 8
    csrrc a1, mscratch, zero        # a read: rs1 = x0 writes nothing
    li a3, 15
    bne a1, a3, fail
    li gp, 6
    csrr a1, misa                   # RV32 with I, M, A, S, U
    srli a2, a1, 30
    li a3, 1
    bne a2, a3, fail
    li gp, 7
    csrr a1, mhartid
    bnez a1, fail
    li gp, 8
    csrw mstatus, zero
    li a0, 0x1800                    # MPP = M
    csrs mstatus, a0
    csrr a1, mstatus
    and a1, a1, a0
    bne a1, a0, fail
    li gp, 9
    csrr a1, minstret               # counters count the emulated instructions
    csrr a2, minstret
    addi a1, a1, 1
    bne a1, a2, fail
    j pass
'''

# M -> S (mret) -> ecall (cause 9 in M); S -> U (sret, ecall delegated to S: cause 8)
MODE_SWITCHES = '''
    la t0, m_handler
    csrw mtvec, t0
    la t0, s_handler
    csrw stvec, t0
    li t0, 0x100                    # delegate ecall from U to S
    csrw medeleg, t0
    li t0, 0x800                    # MPP = S
    csrw mstatus, t0
    la t0, s_code
    csrw mepc, t0
    li gp, 2
    mret
s_code:
    li gp, 3
    csrr t0, sstatus                # an S-level CSR read in virtual S
    la t0, u_code
    csrw sepc, t0
    li t0, 0x100                    # SPP = S ... then cleared: return to U
    csrc sstatus, t0
    sret
u_code:
    li gp, 4
    ecall                           # delegated: S handler, scause 8
    li gp, 99
    j fail
s_handler:
    li gp, 5
    csrr t0, scause
    li t1, 8
    bne t0, t1, fail
    csrr t0, sepc
    la t1, u_code
    addi t1, t1, 4
    bne t0, t1, fail
    li gp, 6
    ecall                           # from S, not delegated: M handler, mcause 9
    j fail
m_handler:
    li gp, 7
    csrr t0, mcause
    li t1, 9
    bne t0, t1, fail
    csrr t0, mstatus                # MPP records S
    srli t0, t0, 11
    andi t0, t0, 3
    li t1, 1
    bne t0, t1, fail
    j pass
'''

ILLEGAL_REFLECTED = '''
    la t0, handler
    csrw mtvec, t0
    li gp, 2
    .word 0x00000000                # illegal: reflected with the word in mtval
    j fail
handler:
    li gp, 3
    csrr t0, mcause
    li t1, 2
    bne t0, t1, fail
    csrr t0, mtval
    bnez t0, fail
    li gp, 4
    li t0, 0x800                    # MPP = S, then sret in M is fine, mret in S is not
    csrw mstatus, t0
    la t0, s_code
    csrw mepc, t0
    la t0, s_handler
    csrw mtvec, t0
    mret
s_code:
    mret                            # privileged for M: illegal in virtual S
    j fail
s_handler:
    li gp, 5
    csrr t0, mcause
    li t1, 2
    bne t0, t1, fail
    j pass
'''

TIMER = '''
    la t0, handler
    csrw mtvec, t0
    li gp, 2
    li t0, 0x0200BFF8               # CLINT mtime (low word)
    lw t1, 0(t0)
    addi t1, t1, 40
    li t0, 0x02004000               # CLINT mtimecmp
    sw t1, 0(t0)
    sw zero, 4(t0)
    li t0, 0x80                     # mie.MTIE
    csrw mie, t0
    csrsi mstatus, 8                # mstatus.MIE
    WAIT
    li gp, 3
    j fail
handler:
    li gp, 4
    csrr t0, mcause
    li t1, 0x80000007
    bne t0, t1, fail
    j pass
'''
TIMER_SPIN = TIMER.replace('WAIT', 'spin: j spin')
TIMER_WFI = TIMER.replace('WAIT', 'wfi\n    j fail')

# Sv32 in virtual S-mode: shadow tables, hidden faults, the guest's A/D bits, a true fault
SHADOW_PAGING = '''
    la t0, m_handler
    csrw mtvec, t0
    la t0, pt_root
    li t1, 0x200000CF               # megapage 0x80000000 -> itself: V R W X A D (S page)
    li t2, 0x800                    # its PTE: VPN[1] = 0x200
    add t2, t0, t2
    sw t1, 0(t2)
    la t1, pt_l0                    # VPN[1] = 1 -> the level-0 table
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 1
    sw t1, 4(t0)
    la t1, data_page                # va 0x00400000 -> data_page: V R W, A = D = 0
    srli t1, t1, 12
    slli t1, t1, 10
    ori t1, t1, 7
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
    li gp, 2
    li t0, 0x00400000
    li t1, 0x5678
    sw t1, 0(t0)
    lw t2, 0(t0)
    bne t1, t2, fail
    li gp, 3
    la t3, data_page                # the same word, physically (megapage: identity)
    lw t2, 0(t3)
    bne t1, t2, fail
    li gp, 4
    li t0, 0x00401000               # unmapped: a true page fault (load, cause 13)
    lw t2, 0(t0)
    j fail
m_handler:
    li gp, 5
    csrr t0, mcause
    li t1, 13
    bne t0, t1, fail
    csrr t0, mtval
    li t1, 0x00401000
    bne t0, t1, fail
    li gp, 6
    la t0, pt_l0                    # the guest's PTE got A and D
    lw t1, 0(t0)
    andi t1, t1, 0xC0
    li t2, 0xC0
    bne t1, t2, fail
    j pass
'''
SHADOW_DATA = '''
.align 12
pt_root: .zero 4096
pt_l0: .zero 4096
data_page: .zero 4096
'''

# The non-virtualizable switch: csrw mstatus / csrr mstatus in (virtual) M-mode
MSTATUS_ROUND_TRIP = '''
    la t0, fail
    csrw mtvec, t0
    li gp, 2
    li a0, 0x800                    # MPP = S
    csrw mstatus, a0
    csrr a1, mstatus
    li a2, 0x1800
    and a1, a1, a2
    bne a1, a0, fail
    j pass
'''

# Bad guests
JUMP_TO_NOWHERE = '''
    li t0, 0x10000000
    jr t0
'''
WRITE_PAST_GUEST_RAM = '''
    li t0, GUEST_END
    sw t0, 0(t0)
    j pass
'''
TRAP_STORM = '''
    la t0, handler
    csrw mtvec, t0
handler:
    .word 0x00000000
'''

# A supervisor timer interrupt raised by virtual M-mode software (mip.STIP), delegated,
# taken in virtual S-mode right after the mret that enables it
SUPERVISOR_INTERRUPT = '''
    la t0, fail
    csrw mtvec, t0
    la t0, s_handler
    csrw stvec, t0
    li t0, 0x20                     # STIP: delegated, enabled, pending
    csrw mideleg, t0
    csrw mie, t0
    csrs mip, t0
    li t0, 0x820                    # MPP = S, SPIE ... and SIE in sstatus
    csrw mstatus, t0
    csrsi sstatus, 2
    la t0, s_code
    csrw mepc, t0
    li gp, 2
    mret
s_code:
    li gp, 3
    j fail
s_handler:
    li gp, 4
    csrr t0, scause
    li t1, 0x80000005
    bne t0, t1, fail
    csrr t0, sepc
    la t1, s_code
    bne t0, t1, fail
    j pass
'''
