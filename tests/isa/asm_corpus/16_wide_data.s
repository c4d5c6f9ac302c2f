# 64-bit data and .option arch, as GCC for RV32 may emit them (issue 16).
    .option push
    .option arch, +zifencei
    .text
_start:
    fence.i
    la a0, big
    lw a1, 0(a0)
    .option pop
1:  j 1b

    .data
    .align 3
big:    .dword 0x1122334455667788, -1, big
wide:   .8byte 0xffffffffffffffff
quad:   .quad 1 << 40, (1 << 63) + (1 << 63)
