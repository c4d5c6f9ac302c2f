/* entry.S -- the kernel's first instruction and its trap entry/exit (struct frame).
 *
 * _start: a0 = hart id, a1 = the boot block (README.md); set the stack, call kmain.
 * trap_entry (native): sscratch holds the frame, at the top of the kernel stack; swap it
 * with the user's sp, save x1..x31 and sepc/scause/stval, call trap_handler(frame).
 * user_return (native): restore from the frame, sret.  Paravirtual: the VMM has already
 * saved the registers in the frame and set sp = a0 = frame, and PV_IRET restores them.
 */
#define FRAME_SEPC 128
#define FRAME_SCAUSE 132
#define FRAME_STVAL 136

    .section .text.entry
    .globl _start
_start:
    la sp, boot_stack_top
    call kmain
1:  j 1b

    .text
    .globl trap_entry
    .balign 4
trap_entry:
#ifndef PARAVIRT
    csrrw sp, sscratch, sp
    .irp n,1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    sw x\n, (\n*4)(sp)
    .endr
    csrr t0, sscratch
    sw t0, 8(sp)
    csrr t0, sepc
    sw t0, FRAME_SEPC(sp)
    csrr t0, scause
    sw t0, FRAME_SCAUSE(sp)
    csrr t0, stval
    sw t0, FRAME_STVAL(sp)
    mv a0, sp
#endif
    call trap_handler
    mv a0, sp
    call arch_return_to_user

#ifndef PARAVIRT
    .globl user_return
user_return:                        /* a0 = the frame */
    mv sp, a0
    csrw sscratch, sp
    lw t0, FRAME_SEPC(sp)
    csrw sepc, t0
    .irp n,1,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
    lw x\n, (\n*4)(sp)
    .endr
    lw sp, 8(sp)
    sret
#endif

    .bss
    .balign 16
    .space 16384
boot_stack_top:
