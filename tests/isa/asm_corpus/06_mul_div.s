# RV32M: multiply and divide.
    .text
    .global _start
_start:
    li     a0, -7
    li     a1, 3
    mul    a2, a0, a1
    mulh   a3, a0, a1
    mulhsu a4, a0, a1
    mulhu  a5, a0, a1
    div    a6, a0, a1
    divu   a7, a0, a1
    rem    t0, a0, a1
    remu   t1, a0, a1
    div    t2, a0, zero
    ret
