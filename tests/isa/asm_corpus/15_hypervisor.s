# The hypervisor extension (H): guest loads and stores, the fences, the H and VS CSRs.
    .text
    .globl _start
_start:
    la        a1, guest
    hlv.b     a0, (a1)
    hlv.bu    a0, (a1)
    hlv.h     a0, (a1)
    hlv.hu    a0, (a1)
    hlvx.hu   a0, (a1)
    hlv.w     t6, (s11)
    hlvx.wu   a0, (zero)
    hsv.b     a2, (a1)
    hsv.h     a2, (a1)
    hsv.w     t6, (ra)
    hfence.vvma a1, a2
    hfence.vvma zero, zero
    hfence.gvma a1, a2
    hfence.gvma zero, zero
    csrr      t0, hstatus
    csrw      hedeleg, t0
    csrw      hideleg, t0
    csrr      t0, hip
    csrw      hvip, t0
    csrs      hie, t0
    csrr      t0, htval
    csrr      t0, htinst
    csrw      hgatp, t0
    csrr      t0, hgeip
    csrw      htimedelta, t0
    csrw      htimedeltah, t0
    csrw      hcounteren, t0
    csrw      vsstatus, t0
    csrw      vstvec, t0
    csrw      vsscratch, t0
    csrw      vsepc, t0
    csrr      t0, vscause
    csrr      t0, vstval
    csrw      vsatp, t0
    csrs      vsie, t0
    csrc      vsip, t0
    csrr      t0, mtval2
    csrr      t0, mtinst
    ebreak
    .data
guest:
    .word 0
