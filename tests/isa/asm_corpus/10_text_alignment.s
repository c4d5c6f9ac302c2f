# Alignment inside code: GNU as pads with zeros, c.nop and nops.
    .text
    .globl _start
_start:
    nop
    .align 4
aligned16:
    addi a0, a0, 1
    .byte 0x11
    .align 3
aligned8:
    addi a0, a0, 2
    .half 0x2222
    .balign 16
aligned16b:
    ret
    .p2align 2
    .balign 8, 0
    ret
