# Numeric local labels, reused many times (GNU as manual, "Local Labels").
    .text
    .globl _start
_start:
    li   t0, 3
1:  addi t0, t0, -1
    bnez t0, 1b
    j    1f
1:  j    2f
2:  j    1b
1:  beqz t0, 1f ; nop ; j 1b
1:  li   t1, 5
3:  addi t1, t1, -1
    bgtz t1, 3b
    call 4f
    tail 4f
4:  ret
