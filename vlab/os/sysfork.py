"""Process creation: clone (fork) and execve.

``clone(flags, newsp, parent_tid, child_tid, tls)`` -- the generic argument order RISC-V
uses (kernel/fork.c without CONFIG_CLONE_BACKWARDS) -- makes a child that is a copy of
the caller (Linux's ``copy_process``):

* its address space is a copy-on-write copy (``AddressSpace.fork``, ``aspace.py``);
* its descriptor table shares the caller's open files (``FdTable.fork``), its root and
  working directory are a copy (``FsContext.copy``);
* its registers are the caller's, with a0 = 0 in the child (and the child's pid in the
  parent), sp = ``newsp`` if given, tp = ``tls`` with CLONE_SETTLS;
* its namespaces are the caller's, or new ones for each ``CLONE_NEW*`` flag
  (``namespaces.py``): with CLONE_NEWPID the child is pid 1 of a new PID namespace;
* its cgroup is the caller's, charged in ``pids`` first (EAGAIN at ``pids.max``);
* the low byte of ``flags`` is the signal the parent gets when it exits (SIGCHLD).

Supported subset (documented; anything else is EINVAL): no threads (CLONE_THREAD,
CLONE_SIGHAND, CLONE_VM without CLONE_VFORK); ``CLONE_VM | CLONE_VFORK`` (musl's
``posix_spawn``) shares the address space and puts the parent to sleep until the child
calls execve or exits, as vfork(2) says.  CLONE_FS/CLONE_FILES/CLONE_SYSVSEM/
CLONE_PARENT_SETTID/CLONE_CHILD_SETTID/CLONE_CHILD_CLEARTID are honoured or accepted.

``execve(path, argv, envp)`` replaces the program (fs/exec.c): the file is read through
the process's VFS (``exec.py``), a fresh address space gets its segments, stack, heap and
trampoline, the registers are cleared, sp points at argc/argv/envp/auxv, close-on-exec
descriptors close, caught signals return to their default action (ignored ones stay
ignored), and the name becomes the file's base name.  On failure nothing of the caller
changed.
"""

from __future__ import annotations

import posixpath
import struct

from .errno import E2BIG, EINVAL, ENOMEM, ENOSYS, SyscallError
from .exec import (
    ARG_MAX,
    load_for_exec,
    parse_executable,
    read_executable,
)
from .namespaces import ALL_NEW_FLAGS, CLONE_NEWNS, CLONE_NEWPID
from .sigframe import SIG_IGN
from .sysfile import read_cstring
from .waitq import WaitQueue

CSIGNAL = 0xFF
CLONE_VM, CLONE_FS, CLONE_FILES, CLONE_SIGHAND = 0x100, 0x200, 0x400, 0x800
CLONE_PIDFD, CLONE_PTRACE, CLONE_VFORK, CLONE_PARENT = 0x1000, 0x2000, 0x4000, 0x8000
CLONE_THREAD, CLONE_SYSVSEM, CLONE_SETTLS = 0x10000, 0x40000, 0x80000
CLONE_PARENT_SETTID, CLONE_CHILD_CLEARTID, CLONE_DETACHED = 0x100000, 0x200000, 0x400000
CLONE_UNTRACED, CLONE_CHILD_SETTID = 0x800000, 0x1000000
SUPPORTED = (CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_VFORK | CLONE_SYSVSEM
             | CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED
             | CLONE_UNTRACED | CLONE_CHILD_SETTID | ALL_NEW_FLAGS)
A0, SP, TP = 10, 2, 4
MAX_ARGS = ARG_MAX // 4


def sys_clone(kernel, proc, flags, newsp, parent_tid, child_tid, tls, *_):
    _check_flags(flags)
    vfork = bool(flags & CLONE_VM)
    if not vfork and not hasattr(proc.space, "fork"):
        raise SyscallError(ENOSYS, "fork needs a paged address space (this process runs "
                                   "with paging off: boot it with Sv32)")
    if proc.ns.pid_for_children.dead:
        raise SyscallError(ENOMEM, "the PID namespace's init has exited (ENOMEM, as Linux)")
    ns = proc.ns.copy(flags & ALL_NEW_FLAGS, proc.creds.euid)
    if flags & CLONE_NEWPID and flags & CLONE_PARENT:
        raise SyscallError(EINVAL, "CLONE_NEWPID with CLONE_PARENT")
    account = _memory_account(proc)
    space = proc.space if vfork else proc.space.fork(account)
    if not vfork and kernel.machine is not None:
        kernel.machine.sfence_vma()           # the parent's pages became read-only
    files = proc.files if flags & CLONE_FILES else _fork_files(proc.files)
    try:
        child = kernel.new_process(space, files, parent=proc, ns=ns, comm=proc.comm,
                                   uid=proc.creds.uid, gid=proc.creds.gid, cwd=proc.cwd,
                                   brk_start=proc.brk_start, brk_limit=proc.brk_limit)
    except SyscallError:                        # no free pid (EAGAIN): undo the copies
        if not vfork:
            space.destroy()
        if files is not proc.files:
            files.close_all()
        raise
    try:
        if proc.cgroup is not None:
            proc.cgroup.fork(child)            # pids.max: EAGAIN
    except SyscallError:
        kernel.abandon(child)
        raise
    _inherit(proc, child, flags, newsp, tls)
    if flags & CLONE_NEWNS and child.fs is not None and ns.mnt is not None:
        child.fs.rebind(ns.mnt)
    tid = child.pid_in(proc.ns.pid)
    if flags & CLONE_PARENT_SETTID:
        _put_tid(proc.space, parent_tid, tid)
    if flags & CLONE_CHILD_SETTID:
        _put_tid(child.space, child_tid, child.pid_in(child.ns.pid))
    if flags & CLONE_CHILD_CLEARTID:
        child.clear_child_tid = child_tid
    kernel.sched.enqueue(child, new=True)
    if vfork:
        child.vfork_done = WaitQueue(f"vfork of {child.pid}")
        proc.vfork_child = child              # trap.py puts the parent to sleep on it
    return tid


def _put_tid(space, address: int, tid: int) -> None:
    """Store a tid for CLONE_*_SETTID; a bad address is ignored, as Linux's put_user
    there is (kernel/fork.c): the child exists by now."""
    try:
        space.write(address, struct.pack("<i", tid))
    except SyscallError:
        pass


def _check_flags(flags: int) -> None:
    if flags & ~SUPPORTED:
        raise SyscallError(EINVAL, f"clone flags {flags & ~SUPPORTED:#x} are not supported "
                                   "(no threads: see sysfork.py for the subset)")
    if flags & CLONE_VM and not flags & CLONE_VFORK:
        raise SyscallError(EINVAL, "CLONE_VM without CLONE_VFORK would make a thread; "
                                   "threads are not supported")


def _memory_account(proc):
    cgroup = proc.cgroup
    return getattr(cgroup, "memory", None) if cgroup is not None else None


def _fork_files(files):
    return files.fork()


def _inherit(parent, child, flags, newsp, tls) -> None:
    """The child's CPU context and the rest of what a fork copies."""
    child.regs = list(parent.regs)
    child.regs[A0] = 0
    if newsp:
        child.regs[SP] = newsp
    if flags & CLONE_SETTLS:
        child.regs[TP] = tls
    child.pc = parent.pc
    child.exit_signal = flags & CSIGNAL
    child.creds = parent.creds.copy()
    child.fs = parent.fs.copy() if parent.fs is not None else None
    child.umask = parent.umask
    child.pgid, child.sid = parent.pgid, parent.sid
    child.actions = dict(parent.actions)
    child.blocked = parent.blocked
    child.nice = parent.nice
    child.__dict__["rlimits_set"] = dict(parent.__dict__.get("rlimits_set", {}))


def release_vfork(child) -> None:
    """The vfork child exec'd or exited: its parent may run again (the trap handler put
    the parent to sleep on ``child.vfork_done`` when clone returned)."""
    queue = child.vfork_done
    if queue is not None:
        child.vfork_done = None
        queue.wake_all()


# -- execve ------------------------------------------------------------------------

def read_cbytes(space, address: int, limit: int) -> bytes:
    """A NUL-terminated string from user memory as bytes (any encoding), page by page
    up to ``limit`` bytes (E2BIG beyond: an argument larger than ARG_MAX)."""
    data = bytearray()
    while len(data) < limit:
        step = min(limit - len(data), 4096 - ((address + len(data)) & 4095))
        chunk = space.read(address + len(data), step)
        end = chunk.find(b"\0")
        if end >= 0:
            return bytes(data + chunk[:end])
        data += chunk
    raise SyscallError(E2BIG, f"an argument or environment string exceeds ARG_MAX = "
                              f"{ARG_MAX} bytes")


def read_string_array(space, address: int, what: str) -> list[bytes]:
    """argv/envp: a NULL-terminated array of pointers to C strings, as bytes."""
    strings: list[bytes] = []
    if not address:
        return strings
    total = 0
    while True:
        (pointer,) = struct.unpack("<I", space.read(address + 4 * len(strings), 4))
        if not pointer:
            return strings
        if len(strings) >= MAX_ARGS:
            raise SyscallError(E2BIG, f"more than {MAX_ARGS} {what} strings")
        text = read_cbytes(space, pointer, ARG_MAX - total)
        total += len(text) + 1
        if total > ARG_MAX:
            raise SyscallError(E2BIG, f"{what} larger than ARG_MAX = {ARG_MAX} bytes")
        strings.append(text)


def sys_execve(kernel, proc, path, argv, envp, *_):
    name = read_cstring(proc.space, path)
    arguments = read_string_array(proc.space, argv, "argument")
    environment = read_string_array(proc.space, envp, "environment")
    image = parse_executable(read_executable(proc, name), name)
    space = kernel.new_space(proc)
    try:
        loaded = load_for_exec(image, space, arguments, environment)
    except BaseException:
        space.destroy()
        raise
    old = proc.space
    proc.space = space
    shared = any(p.space is old for p in kernel.processes.values() if p is not proc)
    if not shared and hasattr(old, "destroy"):
        old.destroy()
    if kernel.machine is not None:
        kernel.machine.sfence_vma()
    proc.regs = [0] * 32
    proc.regs[SP] = loaded.sp
    proc.pc = loaded.entry
    proc.brk_start = proc.brk = loaded.brk_start
    proc.brk_limit = loaded.brk_limit
    proc.comm = posixpath.basename(name)[:15]
    proc.argv = list(arguments)               # /proc/PID/cmdline (vfs/procfs.py)
    if any(p.files is proc.files for p in kernel.processes.values()
           if p is not proc and p.state != "Z"):
        proc.files = proc.files.fork()        # a shared table is unshared (unshare_files)
    exec_close = getattr(proc.files, "exec_close", None)
    if exec_close is not None:
        exec_close()
    proc.actions = {sig: act for sig, act in proc.actions.items() if act.handler == SIG_IGN}
    proc.clear_child_tid = 0
    release_vfork(proc)
    return 0


CALLS = {
    "clone": sys_clone,
    "execve": sys_execve,
}
