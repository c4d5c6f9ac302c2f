# Every RV32I register-register and register-immediate ALU instruction.
    .text
    .globl _start
_start:
    add   a0, a1, a2
    sub   a0, a1, a2
    sll   t0, t1, t2
    slt   s0, s1, s2
    sltu  s3, s4, s5
    xor   a3, a4, a5
    srl   a6, a7, s6
    sra   s7, s8, s9
    or    s10, s11, t3
    and   t4, t5, t6
    addi  x1, x2, -2048
    addi  x3, x4, 2047
    slti  x5, x6, -1
    sltiu x7, x8, 0x7ff
    xori  x9, x10, 0x555
    ori   x11, x12, -0x556
    andi  x13, x14, 0xff
    slli  x15, x16, 0
    slli  x17, x18, 31
    srli  x19, x20, 7
    srai  x21, x22, 13
    lui   x23, 0xfffff
    lui   x24, 0
    auipc x25, 0x12345
    add   zero, ra, sp
    add   gp, tp, fp
    addi  x31, x30, 1 + 2 * 3     # GNU precedence: 7
    addi  x29, x28, 1 | 2 + 4     # GNU precedence: (1|2)+4 = 7
    addi  x27, x26, (1 | 2) << 4
    addi  x26, x25, ~0
    addi  x25, x24, -7 / 2        # truncates toward zero: -3
    addi  x24, x23, 'A'
    addi  x23, x22, 0b1010 ^ 017
    ebreak
    ecall
