# Zicsr, Zifencei and the privileged instructions: a trap handler set-up.
    .text
    .globl _start
_start:
    la     t0, trap_handler
    csrrw  zero, mtvec, t0
    csrrs  a0, mstatus, zero
    csrrc  a1, mie, a2
    csrrwi a3, mscratch, 31
    csrrsi a4, mstatus, 0
    csrrci a5, 0x7c0, 1
    csrrw  a6, 0x300, a7
    csrr   t0, mhartid
    csrr   t1, satp
    csrw   satp, t1
    csrr   t2, sepc
    csrr   t3, scause
    csrr   t4, stval
    csrr   t5, medeleg
    csrr   t6, mideleg
    csrr   s2, cycle
    csrr   s3, instret
    fence.i
    fence  rw, rw
    fence  r, w
    fence  iorw, o
    fence  i, r
    fence.tso
    sfence.vma
    sfence.vma a0
    sfence.vma a0, a1
    wfi
    unimp
    mret
trap_handler:
    csrr   t0, mepc
    addi   t0, t0, 4
    csrw   mepc, t0
    sret
    mret
