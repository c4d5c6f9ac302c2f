"""Signal calls: kill, tkill, tgkill, rt_sigaction, rt_sigprocmask, rt_sigpending,
rt_sigsuspend, rt_sigreturn.

Semantics from kill(2), sigaction(2), sigprocmask(2) and kernel/signal.c; delivery is in
``sigframe.py``.  ``struct sigaction`` as the pinned toolchain's musl passes it on
riscv32 (its ``bits/signal.h`` defines SA_RESTORER, so ``struct k_sigaction`` in
``src/internal/ksigaction.h`` has a restorer): handler, flags, restorer, then a 64-bit
mask -- 20 bytes; ``sigsetsize`` must be 8.  With SA_RESTORER the handler returns
through that restorer (musl's ``__restore_rt``: ``li a7, 139; ecall``), else through
the kernel's trampoline.

Who may signal whom (kill(2), pid_namespaces(7)):

* the target must be visible: a pid is looked up in the *caller's* PID namespace, so a
  process in a container cannot name (ESRCH) a process outside it;
* permission: a privileged sender (``sysns.privileged``), or the sender's real or
  effective uid equals the target's real or saved uid; else EPERM;
* the init of a non-root PID namespace receives, from inside its namespace, only the
  signals it has a handler for -- others are dropped, as Linux drops them.  Deviation
  (the issue's rule for containers): SIGKILL sent to it from inside its namespace *is*
  delivered and ends the namespace (``kill -9 1`` stops the container); Linux would
  ignore it.  From an ancestor namespace, SIGKILL and SIGSTOP are always delivered.
  The root namespace's first process is an ordinary process here (the proxy kernel runs
  single programs as pid 1 and they must behave as under a shell).
"""

from __future__ import annotations

import struct

from .errno import EINTR, EINVAL, EPERM, ESRCH, SyscallError
from .proc import SigAction
from .sigframe import SIG_DFL, next_signal, sigreturn
from .signal import NSIG, SIGKILL, SIGSEGV, SIGSTOP, UNCATCHABLE, bit
from .sysfile import signed
from .sysns import privileged
from .waitq import Blocked

SIG_BLOCK, SIG_UNBLOCK, SIG_SETMASK = 0, 1, 2
SIGSET_SIZE = 8
A0_REGISTER = 10
SIGACTION = "<IIIQ"               # handler, flags, restorer, mask (20 bytes)
UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP)


def _check_signal(signal: int) -> None:
    if not 0 <= signal <= NSIG:
        raise SyscallError(EINVAL, f"{signal} is not a signal number (0..{NSIG})")


def may_signal(sender, target) -> bool:
    if privileged(sender):
        return True
    s, t = sender.creds, target.creds
    return bool({s.uid, s.euid} & {t.uid, t.suid})


def _init_drops(sender, target, signal: int) -> bool:
    """Does the init of a child PID namespace drop this signal (module docstring)?"""
    ns = target.ns.pid
    if ns.parent is None or ns.init is not target or signal == 0:
        return False
    if target.action(signal).handler != SIG_DFL:
        return False
    inside = ns in sender.pids              # the sender is in it, or nested deeper
    if inside:
        return signal != SIGKILL
    return signal not in UNCATCHABLE


def signal_process(kernel, sender, target, signal: int) -> None:
    """Send ``signal`` from ``sender`` to ``target`` with kill(2)'s checks."""
    if not may_signal(sender, target):
        raise SyscallError(EPERM, f"process {sender.pid} may not signal process "
                                  f"{target.pid} (another user's)")
    if signal == 0 or _init_drops(sender, target, signal):
        return
    kernel.send_signal(target, signal)


def sys_kill(kernel, proc, pid, signal, *_):
    pid = signed(pid)
    _check_signal(signal)
    if pid > 0:
        target = kernel.lookup(proc, pid)
        if target is None:
            raise SyscallError(ESRCH, f"no process {pid} in the caller's PID namespace")
        signal_process(kernel, proc, target, signal)
        return 0
    visible = [p for p in proc.ns.pid.by_pid.values() if p.state != "Z"]
    if pid == -1:
        targets = [p for p in visible if p is not proc and p is not proc.ns.pid.init]
    else:
        group = proc.pgid if pid == 0 else -pid
        targets = [p for p in visible if p.pgid == group]
    if not targets:
        raise SyscallError(ESRCH, f"no process to signal for pid {pid}")
    sent = 0
    for target in targets:
        try:
            signal_process(kernel, proc, target, signal)
            sent += 1
        except SyscallError:
            pass
    if not sent:
        raise SyscallError(EPERM, "no permission to signal any of the processes")
    return 0


def sys_tkill(kernel, proc, tid, signal, *_):
    if signed(tid) <= 0:
        raise SyscallError(EINVAL, f"bad thread id {signed(tid)}")
    return sys_kill(kernel, proc, tid, signal)


def sys_tgkill(kernel, proc, tgid, tid, signal, *_):
    if signed(tgid) <= 0 or signed(tid) <= 0:
        raise SyscallError(EINVAL, "bad thread group or thread id")
    if tgid != tid:
        raise SyscallError(ESRCH, f"thread {tid} is not in thread group {tgid} (one thread "
                                  "per process)")
    return sys_kill(kernel, proc, tid, signal)


def sys_rt_sigaction(kernel, proc, signal, act, oldact, sigsetsize, *_):
    if sigsetsize != SIGSET_SIZE:
        raise SyscallError(EINVAL, f"sigsetsize {sigsetsize}: must be {SIGSET_SIZE}")
    if not 1 <= signal <= NSIG:
        raise SyscallError(EINVAL, f"{signal} is not a signal number (1..{NSIG})")
    if act and signal in UNCATCHABLE:
        raise SyscallError(EINVAL, "SIGKILL and SIGSTOP cannot be caught or ignored")
    new = None
    if act:
        handler, flags, restorer, mask = struct.unpack(SIGACTION, proc.space.read(act, 20))
        new = SigAction(handler, flags, mask & ~UNBLOCKABLE, restorer)
    if oldact:
        old = proc.action(signal)
        proc.space.write(oldact, struct.pack(SIGACTION, old.handler, old.flags,
                                             old.restorer, old.mask))
    if new is not None:
        proc.actions[signal] = new
        if new.handler == 1:                     # SIG_IGN discards what is pending
            proc.pending &= ~bit(signal)
    return 0


def sys_rt_sigprocmask(kernel, proc, how, nset, oset, sigsetsize, *_):
    if sigsetsize != SIGSET_SIZE:
        raise SyscallError(EINVAL, f"sigsetsize {sigsetsize}: must be {SIGSET_SIZE}")
    new = struct.unpack("<Q", proc.space.read(nset, 8))[0] if nset else None
    if oset:
        proc.space.write(oset, struct.pack("<Q", proc.blocked))
    if new is not None:
        if how == SIG_BLOCK:
            proc.blocked |= new
        elif how == SIG_UNBLOCK:
            proc.blocked &= ~new
        elif how == SIG_SETMASK:
            proc.blocked = new
        else:
            raise SyscallError(EINVAL, f"how {how}: SIG_BLOCK, SIG_UNBLOCK or SIG_SETMASK")
        proc.blocked &= ~UNBLOCKABLE
    return 0


def sys_rt_sigpending(kernel, proc, out, sigsetsize, *_):
    proc.space.write(out, struct.pack("<Q", proc.pending & proc.blocked))
    return 0


def sys_rt_sigsuspend(kernel, proc, mask, sigsetsize, *_):
    """Wait for a signal with ``mask`` blocked meanwhile; always -EINTR, after the
    handler ran (its frame saves the *old* mask, which sigreturn puts back)."""
    if sigsetsize != SIGSET_SIZE:
        raise SyscallError(EINVAL, f"sigsetsize {sigsetsize}: must be {SIGSET_SIZE}")
    if proc.saved_mask is None:
        (temporary,) = struct.unpack("<Q", proc.space.read(mask, 8))
        proc.saved_mask = proc.blocked
        proc.blocked = temporary & ~UNBLOCKABLE
    if next_signal(proc) is not None:
        raise SyscallError(EINTR, "rt_sigsuspend: a signal arrived")
    raise Blocked(proc.signal_wait)


def sys_rt_sigreturn(kernel, proc, *_):
    """Back from a handler: restore the context saved in the frame (``sigframe.py``).
    A frame the process cannot read is SIGSEGV, forced (arch/riscv/kernel/signal.c
    ``badframe``)."""
    try:
        return sigreturn(proc)
    except SyscallError:
        kernel.force_signal(proc, SIGSEGV)
        return proc.regs[A0_REGISTER]


CALLS = {
    "kill": sys_kill,
    "tkill": sys_tkill,
    "tgkill": sys_tgkill,
    "rt_sigaction": sys_rt_sigaction,
    "rt_sigprocmask": sys_rt_sigprocmask,
    "rt_sigpending": sys_rt_sigpending,
    "rt_sigreturn": sys_rt_sigreturn,
    "rt_sigsuspend": sys_rt_sigsuspend,
}
