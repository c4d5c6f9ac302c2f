/* crt0_bare.S -- start-up code of a vlab bare-metal program (M-mode, no kernel).
 *
 * The machine resets into M-mode at the ELF entry point with nothing set up.  _start sets
 * gp and sp (a stack at the end of the image, _stack_top from bare.ld), points mtvec at
 * _trap, clears .bss and calls main(); main's return value is the exit status, reported
 * through Spike's HTIF (bare.c: vlab_exit writes (status << 1) | 1 into tohost).
 *
 * An unexpected trap ends the program with status 128 + mcause (like a shell reports a
 * signal), so a fault in a bare-metal test is visible as an exit status, not a hang.
 */
    .option arch, +zicsr
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la      gp, __global_pointer$
    .option pop
    la      sp, _stack_top
    la      t0, _trap
    csrw    mtvec, t0
    la      t0, __bss_start
    la      t1, _end
1:  bgeu    t0, t1, 2f       /* clear .bss word by word (bare.ld aligns both ends to 4) */
    sw      zero, 0(t0)
    addi    t0, t0, 4
    j       1b
2:  li      a0, 0            /* argc = 0, argv = envp = NULL */
    li      a1, 0
    li      a2, 0
    call    main
    call    vlab_exit        /* never returns */
3:  j       3b

    .align  2
_trap:
    csrr    a0, mcause
    addi    a0, a0, 128
    call    vlab_exit
4:  j       4b
