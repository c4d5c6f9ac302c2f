"""Signal delivery: default actions, and the user handler's frame on the user stack.

When a process is about to return to user mode, the kernel looks at its pending,
unblocked signals (Linux's ``get_signal``, kernel/signal.c) and acts on each:

* ignored (SIG_IGN, or a default action of *ign*/*cont*): discarded;
* default *stop*: the process stops (state 'T'), its parent gets SIGCHLD;
* default *term*/*core*: the process dies by the signal;
* a user handler: a signal frame is pushed on the user stack and the process resumes in
  the handler, as arch/riscv/kernel/signal.c ``setup_rt_frame`` does it.

The frame (``struct rt_sigframe``: a ``siginfo_t`` then a ``ucontext``) is laid out as
Linux's RV32 one and musl's ``ucontext_t`` expect::

    sp -> siginfo (128 bytes: si_signo, si_errno, si_code, then the union)
          ucontext: uc_flags, uc_link, uc_stack (3 words), uc_sigmask (8 bytes),
                    padding to 160, uc_mcontext.__gregs[32] (pc, x1..x31),
                    the floating-point state (528 bytes, zero: RV32IMA has no F/D)

The handler is entered with a0 = signal, a1 = &siginfo, a2 = &ucontext, sp = the frame,
ra = the *sigreturn trampoline* (``li a7, 139; ecall``: rt_sigreturn) -- the program's
own ``sa_restorer`` if it gave one with SA_RESTORER (musl does), else the kernel's,
which Linux keeps in the vDSO; here it is one read-execute page mapped into every
address space at ``VDSO_VA`` (``exec.py``), or the kernel's page when paging is off.
``rt_sigreturn`` (``syssig.py``) reads the frame back: registers, pc, blocked mask.

A system call interrupted while asleep (``proc.in_syscall``) returns -EINTR before the
handler runs, unless the handler has SA_RESTART and the call may be restarted (sleeps
and waits for events may not, signal(7): ``proc.restartable``, set by ``trap.py``);
then the call is made again after the handler returns (its pc still points at the
``ecall``).
"""

from __future__ import annotations

import struct

from .errno import EINTR, SyscallError
from .signal import (
    CONT,
    CORE,
    IGN,
    SIGCHLD,
    SIGKILL,
    SIGSEGV,
    SIGSTOP,
    STOP,
    UNCATCHABLE,
    bit,
    default_action,
)

SIG_DFL, SIG_IGN = 0, 1
SA_NOCLDSTOP, SA_SIGINFO, SA_RESTART, SA_NODEFER, SA_RESETHAND = (
    0x1, 0x4, 0x1000_0000, 0x4000_0000, 0x8000_0000)
SA_RESTORER = 0x0400_0000
SI_USER, SI_KERNEL = 0, 0x80
SIGINFO_SIZE = 128
MCONTEXT_OFFSET = 160            # of uc_mcontext in the ucontext (16-byte aligned)
FP_STATE_SIZE = 528              # union __riscv_fp_state (the Q layout, the largest)
UCONTEXT_SIZE = MCONTEXT_OFFSET + 32 * 4 + FP_STATE_SIZE
FRAME_SIZE = SIGINFO_SIZE + UCONTEXT_SIZE
SIGMASK_OFFSET = 20              # of uc_sigmask in the ucontext
TRAMPOLINE = struct.pack("<II", 0x08B0_0893, 0x0000_0073)   # li a7, 139; ecall
A0, SP, RA = 10, 2, 1
MASK32 = 0xFFFF_FFFF


def next_signal(proc) -> int | None:
    """The signal to act on first: SIGKILL, then the lowest pending unblocked one."""
    ready = proc.pending & ~(proc.blocked & ~(bit(SIGKILL) | bit(SIGSTOP)))
    if not ready:
        return None
    if ready & bit(SIGKILL):
        return SIGKILL
    return (ready & -ready).bit_length()


def deliver(kernel, proc) -> bool:
    """Act on ``proc``'s deliverable signals (module docstring).  True if it may run
    (possibly now in a handler); False if it stopped or died."""
    while proc.state == "R":
        signal = next_signal(proc)
        if signal is None:
            if proc.saved_mask is not None and not proc.in_syscall:
                proc.blocked, proc.saved_mask = proc.saved_mask, None   # sigsuspend over
            return True
        proc.pending &= ~bit(signal)
        action = proc.action(signal)
        if signal not in UNCATCHABLE and action.handler == SIG_IGN:
            continue
        if signal in UNCATCHABLE or action.handler == SIG_DFL:
            if not _default(kernel, proc, signal):
                return False
            continue
        return _enter_handler(kernel, proc, signal, action)
    return False


def _default(kernel, proc, signal: int) -> bool:
    """Carry out the default action; False if the process stopped or died."""
    what = default_action(signal)
    if what in (IGN, CONT):
        return True
    if what == STOP:
        proc.stop_signal = signal
        kernel.stop(proc)
        parent = proc.parent
        if parent is not None and not parent.action(SIGCHLD).flags & SA_NOCLDSTOP:
            kernel.send_signal(parent, SIGCHLD)
        return False
    fault = proc.pending_fault
    if fault is not None and fault.signal == signal:
        proc.fault = fault
    kernel.do_exit(proc, None, signal=signal, core=what == CORE)
    return False


def _enter_handler(kernel, proc, signal: int, action) -> bool:
    if proc.in_syscall:                      # interrupted while asleep in a call
        restart = action.flags & SA_RESTART and proc.restartable
        proc.in_syscall, proc.restart_deadline, proc.restartable = False, None, True
        if not restart:
            proc.regs[A0] = -EINTR & MASK32
            proc.pc = (proc.pc + 4) & MASK32
            if proc.on_eintr is not None:    # e.g. nanosleep's remaining time
                try:
                    proc.on_eintr()
                except SyscallError:
                    pass
        proc.on_eintr = None
    sp = (proc.regs[SP] - FRAME_SIZE) & ~15
    fault = proc.pending_fault
    info = _siginfo(signal, fault)
    gregs = [proc.pc, *proc.regs[1:]]
    old_mask = proc.blocked if proc.saved_mask is None else proc.saved_mask
    proc.blocked, proc.saved_mask = old_mask, None       # (after rt_sigsuspend)
    uc = struct.pack("<II3I", 0, 0, 0, 0, 0) + struct.pack("<Q", old_mask)
    uc = uc.ljust(MCONTEXT_OFFSET, b"\0") + struct.pack("<32I", *gregs)
    frame = info + uc.ljust(UCONTEXT_SIZE, b"\0")
    try:
        proc.space.write(sp, frame)
    except SyscallError:                     # no room on the stack: SIGSEGV, forced
        proc.pending_fault = None
        kernel.do_exit(proc, None, signal=SIGSEGV, core=True)
        return False
    proc.pending_fault = None
    proc.blocked |= action.mask & ~(bit(SIGKILL) | bit(SIGSTOP))
    if not action.flags & SA_NODEFER:
        proc.blocked |= bit(signal)
    if action.flags & SA_RESETHAND:
        proc.actions.pop(signal, None)
    proc.regs[SP] = sp
    proc.regs[A0], proc.regs[11], proc.regs[12] = signal, sp, sp + SIGINFO_SIZE
    use_restorer = action.flags & SA_RESTORER and action.restorer
    proc.regs[RA] = action.restorer if use_restorer else kernel.trampoline_for(proc)
    proc.pc = action.handler
    return True


def _siginfo(signal: int, fault) -> bytes:
    """si_signo, si_errno, si_code, then si_addr for a fault (SEGV_MAPERR = 1)."""
    if fault is not None and fault.signal == signal:
        return struct.pack("<iiiI", signal, 0, 1, fault.tval).ljust(SIGINFO_SIZE, b"\0")
    return struct.pack("<iii", signal, 0, SI_USER).ljust(SIGINFO_SIZE, b"\0")


def sigreturn(proc) -> int:
    """rt_sigreturn: registers, pc and blocked mask back from the frame at sp; the
    restored a0 (the call's result, so a0 keeps its value)."""
    sp = proc.regs[SP]
    uc = sp + SIGINFO_SIZE
    (mask,) = struct.unpack("<Q", proc.space.read(uc + SIGMASK_OFFSET, 8))
    gregs = struct.unpack("<32I", proc.space.read(uc + MCONTEXT_OFFSET, 128))
    proc.pc = gregs[0]
    proc.regs[1:] = list(gregs[1:])
    proc.blocked = mask & ~(bit(SIGKILL) | bit(SIGSTOP))
    return proc.regs[A0]
