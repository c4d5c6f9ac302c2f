# Symbols: .equ/.set, forward references, label arithmetic, '=' assignment.
    .set  SIZE, 16
    STRIDE = 4
    .equ  MASK, (1 << 12) - 1
    .equ  LATE, later_label + 8          # forward reference, resolved in pass 2
    .text
    .globl _start, helper
_start:
    li    a0, SIZE * STRIDE
    li    a1, MASK
    li    a2, MASK & ~0xf
    addi  a3, a3, %lo(LATE)
    lui   a4, %hi(LATE)
    lui   a5, %hi(0x80000800)
    addi  a5, a5, %lo(0x80000800)
1:  auipc a6, %pcrel_hi(helper)
    addi  a6, a6, %pcrel_lo(1b)
    lw    a7, %pcrel_lo(1b)(a6)
    beq   a0, a1, helper
    j     later_label
helper:
    ret
later_label:
    nop
    nop
    nop
    .word later_label - _start
    .word . - _start
