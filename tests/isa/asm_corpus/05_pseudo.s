# Every pseudo-instruction the assembler knows.
    .equ BIG, 0x12345678
    .equ ROUND_UP, 0x12345fff
    .text
    .globl _start
_start:
    nop
    li    a0, 0
    li    a0, 1
    li    a0, -1
    li    a0, 2047
    li    a0, -2048
    li    a0, 2048
    li    a0, -2049
    li    a0, 4096
    li    a0, 0x80000000
    li    a0, 0x7fffffff
    li    a0, 0xffffffff
    li    a0, 0xfffff800
    li    a0, 0xfffff7ff
    li    a0, BIG
    li    a0, ROUND_UP
    li    a0, BIG + 1
    li    t6, -0x80000000
    mv    a1, a2
    not   a3, a4
    neg   a5, a6
    seqz  t0, t1
    snez  t2, s0
    sltz  s1, a0
    sgtz  a1, a2
    beqz  a0, target
    bnez  a0, target
    blez  a0, target
    bgez  a0, target
    bltz  a0, target
    bgtz  a0, target
    bgt   a0, a1, target
    ble   a0, a1, target
    bgtu  a0, a1, target
    bleu  a0, a1, target
    j     target
    jr    t0
    ret
    la    a0, data_word
    lla   a1, data_word
    call  target
    tail  target
    fence
    csrr  a0, mstatus
    csrw  mtvec, a0
    csrs  mie, a1
    csrc  mip, a2
    csrwi mscratch, 5
    csrsi mstatus, 8
    csrci mstatus, 31
    csrw  mscratch, 7
    csrs  mstatus, 1
    csrc  mstatus, 2
    rdcycle   a0
    rdcycleh  a1
    rdtime    a2
    rdtimeh   a3
    rdinstret a4
    rdinstreth a5
target:
    ret
    .data
    .space 3
data_word: .word 42
