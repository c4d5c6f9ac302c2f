# Loads and stores with every width, %hi/%lo addressing and symbolic offsets.
    .equ FRAME, 32
    .text
    .globl _start
_start:
    addi  sp, sp, -FRAME
    sw    ra, FRAME-4(sp)
    sw    s0, FRAME-8(sp)
    addi  s0, sp, FRAME
    lui   a0, %hi(table)
    lw    a1, %lo(table)(a0)
    lh    a2, %lo(table+4)(a0)
    lhu   a3, %lo(table+6)(a0)
    lb    a4, %lo(table+8)(a0)
    lbu   a5, %lo(table+9)(a0)
    addi  a0, a0, %lo(table)
    sb    a5, 0(a0)
    sh    a4, 2(a0)
    sw    a3, (a0)
    lw    a6, -20(s0)
    sw    a6, -2048(s0)
    lw    a7, 2047(s0)
    lui   t0, %hi(buffer_end)
    addi  t0, t0, %lo(buffer_end)
    lw    t1, table                 # load from a symbol: auipc + lw
    lbu   t2, table+9
    lh    t3, pointers+2
    sw    t1, buffer, t4            # store to a symbol through scratch t4
    sb    t2, buffer+1, t5
    sh    t3, buffer+2, t6
    lw    ra, FRAME-4(sp)
    lw    s0, FRAME-8(sp)
    addi  sp, sp, FRAME
    ret

    .data
table:
    .word  0xdeadbeef
    .half  0x1234, 0xffff
    .byte  -1, 255, 0x7f
    .align 2
pointers:
    .word  table, table+4, buffer_end - table
    .bss
buffer: .space 256
buffer_end:
