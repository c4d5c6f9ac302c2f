# Branches and jumps, backward and forward, with named and numeric local labels.
    .text
    .globl _start
_start:
    li    a0, 10
    li    a1, 0
loop:
    add   a1, a1, a0
    addi  a0, a0, -1
    bne   a0, zero, loop
    beq   a0, a1, done
    blt   a0, a1, 1f
    bge   a0, a1, 1f
1:  bltu  a0, a1, 1f
    bgeu  a0, a1, 1b
1:  jal   ra, func
    jal   func
    jalr  ra, 0(t0)
    jalr  t1, -4(t0)
    jalr  t2
    jalr  a0, a1, 8
    jalr  a2, a3
    j     far_forward
    .space 2000
far_forward:
    beq   a0, a1, _start
    j     done
func:
    ret
done:
    j     done
