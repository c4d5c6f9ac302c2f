# RV32A: load-reserved/store-conditional and every AMO, with ordering suffixes.
    .text
    .globl _start
_start:
    la        a0, lock
retry:
    lr.w      t0, (a0)
    bnez      t0, retry
    li        t1, 1
    sc.w      t2, t1, (a0)
    bnez      t2, retry
    lr.w.aq   t0, (a0)
    lr.w.aqrl t0, 0(a0)
    sc.w.rl   t2, t1, (a0)
    sc.w.aqrl t2, t1, (a0)
    amoswap.w      a1, a2, (a0)
    amoswap.w.aq   a1, a2, (a0)
    amoadd.w       a1, a2, (a0)
    amoadd.w.rl    a1, a2, (a0)
    amoxor.w       a1, a2, (a0)
    amoand.w.aqrl  a1, a2, (a0)
    amoor.w        a1, a2, (a0)
    amomin.w       a1, a2, (a0)
    amomax.w       a1, a2, (a0)
    amominu.w      a1, a2, (a0)
    amomaxu.w      a1, a2, (a0)
    amoswap.w      zero, zero, (a0)
    ret
    .data
    .align 2
lock: .word 0
