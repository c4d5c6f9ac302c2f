/* crt0.S -- start-up code of a vlab user program (runs in U-mode under the proxy kernel).
 *
 * The kernel (vlab/os/exec.py) enters _start with sp pointing at the initial stack laid
 * out as the RISC-V Linux ABI (and the System V ABI, "Process Initialization") describes:
 *
 *     sp -> argc | argv[0] .. argv[argc-1] | 0 | envp[0] .. | 0 | auxv pairs .. | AT_NULL
 *
 * _start sets gp (the linker's __global_pointer$, for gp-relative addressing), reads argc,
 * argv and envp from that stack, calls main(argc, argv, envp) and passes its return value
 * to exit().  Nothing else: the kernel already cleared .bss (it loads the ELF segments).
 */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax          /* gp is not set yet: do not let the linker relax this la */
    la      gp, __global_pointer$
    .option pop
    lw      a0, 0(sp)        /* argc */
    addi    a1, sp, 4        /* argv = sp + 4 */
    slli    a2, a0, 2
    add     a2, a2, a1
    addi    a2, a2, 4        /* envp = argv + 4 * (argc + 1) */
    andi    sp, sp, -16      /* the psABI wants a 16-byte aligned sp at calls */
    call    main
    call    exit             /* exit(main's return value); never returns */
1:  j       1b
