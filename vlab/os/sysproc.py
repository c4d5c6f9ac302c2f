"""Process calls: exit, exit_group, waitid, the pid calls, brk, process groups and
sessions, umask, prctl, prlimit64, getrandom, sysinfo, getrusage, set_tid_address.

Like xv6's kernel/sysproc.c: small handlers over the calling process (``proc.py``) and
the kernel's process table (``kernel.py``).  Handlers are ``sys_x(kernel, proc, a0..a5)``.
clone and execve are in ``sysfork.py``, signals in ``syssig.py``, time in ``systime.py``.

Pids are numbers *in the caller's PID namespace* (``namespaces.py``): ``getpid`` of a
container's first process is 1; ``getppid`` is 0 when the parent is outside.

RV32 Linux has no ``wait4`` (it passes a 32-bit ``struct rusage`` time): musl's
``waitpid`` calls ``waitid``, served here as waitid(2) says: idtype P_ALL/P_PID/P_PGID,
options WEXITED/WSTOPPED/WCONTINUED/WNOHANG/WNOWAIT, the child's state in a
``siginfo_t`` (si_signo SIGCHLD, si_code CLD_*, si_pid, si_uid, si_status).
"""

from __future__ import annotations

import hashlib
import struct

from .errno import ECHILD, EFAULT, EINVAL, EPERM, ESRCH, SyscallError
from .signal import SIGCHLD, SIGCONT
from .sysfile import signed
from .waitq import Blocked

P_ALL, P_PID, P_PGID = 0, 1, 2
WNOHANG, WSTOPPED, WEXITED, WCONTINUED, WNOWAIT = 1, 2, 4, 8, 0x0100_0000
CLD_EXITED, CLD_KILLED, CLD_DUMPED, CLD_STOPPED, CLD_CONTINUED = 1, 2, 3, 5, 6
SIGINFO_SIZE = 128
RUSAGE_SIZE = 72                 # struct rusage with 32-bit timevals (the rv32 layout)
RUSAGE_SELF, RUSAGE_CHILDREN = 0, -1
PR_SET_NAME, PR_GET_NAME = 15, 16
RLIM_INFINITY = 0xFFFF_FFFF_FFFF_FFFF
RLIMIT_STACK, RLIMIT_NOFILE, RLIMIT_NPROC = 3, 7, 6
DEFAULT_RLIMITS = {RLIMIT_STACK: (8 << 20, RLIM_INFINITY), RLIMIT_NOFILE: (64, 64)}
RANDOM_SEED = b"vlab getrandom"  # deterministic: the same bytes on every run


def sys_exit(kernel, proc, status, *_):
    """exit and exit_group (one thread per process: the same)."""
    proc.exit(status)
    return 0


def sys_brk(kernel, proc, address, *_):
    """Set the end of the heap; the new break, or the old one if refused (Linux).  An
    ``AddressSpace`` keeps its break itself (``aspace.py``); the flat and simple Sv32
    spaces of ``vm.py`` leave it to the process (``proc.set_break``)."""
    set_brk = getattr(proc.space, "set_brk", None)
    return set_brk(address) if set_brk is not None else proc.set_break(address)


def sys_getpid(kernel, proc, *_):
    return proc.pid_in(proc.ns.pid)


def sys_gettid(kernel, proc, *_):
    return proc.pid_in(proc.ns.pid)


def sys_getppid(kernel, proc, *_):
    return proc.parent.pid_in(proc.ns.pid) if proc.parent is not None else 0


def sys_set_tid_address(kernel, proc, address, *_):
    """Remember where to write 0 when the process exits; returns the tid."""
    proc.clear_child_tid = address
    return proc.pid_in(proc.ns.pid)


def sys_set_robust_list(kernel, proc, head, length, *_):
    """Accepted and ignored: one thread per process, no robust futexes to clean up."""
    return 0


# -- waiting for children ------------------------------------------------------------

def _selected(proc, child, idtype: int, ident: int) -> bool:
    if idtype == P_ALL:
        return True
    if idtype == P_PID:
        return child.pid_in(proc.ns.pid) == ident
    if idtype == P_PGID:
        group = ident or proc.pgid
        return child.pgid == group
    raise SyscallError(EINVAL, f"waitid: idtype {idtype} is not P_ALL, P_PID or P_PGID")


def _waitable(child, options: int):
    """What wait reports for ``child`` now: (si_code, status) or None."""
    if child.state == "Z" and options & WEXITED:
        if child.term_signal is None:
            return CLD_EXITED, child.exit_status
        return (CLD_DUMPED if child.core_dumped else CLD_KILLED), child.term_signal
    if child.state == "T" and options & WSTOPPED and not child.stop_reported:
        return CLD_STOPPED, child.stop_signal
    if child.state != "Z" and options & WCONTINUED and child.continued:
        return CLD_CONTINUED, SIGCONT
    return None


def find_waitable(kernel, proc, idtype: int, ident: int, options: int):
    """(child, si_code, status) for the first child ready to report; None if some
    selected child exists but none is ready; ECHILD if none is selected."""
    candidates = [c for c in proc.children if _selected(proc, c, idtype, ident)]
    if not candidates:
        raise SyscallError(ECHILD, "no child process to wait for")
    for child in candidates:
        found = _waitable(child, options)
        if found is not None:
            return child, *found
    return None


def collect(kernel, proc, child, options: int) -> None:
    """Consume the reported state: a zombie is reaped (unless WNOWAIT)."""
    if options & WNOWAIT:
        return
    if child.state == "Z":
        proc.children_cpu_ns += child.cpu_ns
        kernel.reap(child)
    elif child.state == "T":
        child.stop_reported = True
    else:
        child.continued = False


def sys_waitid(kernel, proc, idtype, ident, infop, options, rusage, *_):
    if not options & (WEXITED | WSTOPPED | WCONTINUED):
        raise SyscallError(EINVAL, "waitid: options need WEXITED, WSTOPPED or WCONTINUED")
    found = find_waitable(kernel, proc, idtype, signed(ident), options)
    if found is None:
        if options & WNOHANG:
            if infop:
                proc.space.write(infop, bytes(SIGINFO_SIZE))
            return 0
        raise Blocked(proc.child_exit)
    child, code, status = found
    if infop:
        info = struct.pack("<iiiiIi", SIGCHLD, 0, code, child.pid_in(proc.ns.pid),
                           proc.ns.user.from_outer("uid", child.creds.uid), status)
        proc.space.write(infop, info.ljust(SIGINFO_SIZE, b"\0"))
    if rusage:
        proc.space.write(rusage, _rusage(child))
    collect(kernel, proc, child, options)
    return 0


def _rusage(child) -> bytes:
    return _rusage_of(child.cpu_ns, getattr(child.space, "rss_pages", 0))


def _rusage_of(cpu_ns: int, rss_pages: int) -> bytes:
    """struct rusage as RV32 Linux fills it (32-bit timevals, then longs): user time
    (all CPU time counts as user time here), system time 0, ru_maxrss in KiB (the
    current resident set: simplified, no peak is kept)."""
    seconds, ns = divmod(cpu_ns, 1_000_000_000)
    head = struct.pack("<iiiii", seconds, ns // 1000, 0, 0, rss_pages * 4)
    return head.ljust(RUSAGE_SIZE, b"\0")


def sys_getrusage(kernel, proc, who, usage, *_):
    """RUSAGE_SELF (0) or RUSAGE_CHILDREN (-1: the reaped ones)."""
    who = signed(who)
    if who == RUSAGE_SELF:
        data = _rusage_of(proc.cpu_ns, getattr(proc.space, "rss_pages", 0))
    elif who == RUSAGE_CHILDREN:
        data = _rusage_of(proc.children_cpu_ns, 0)
    else:
        raise SyscallError(EINVAL, f"getrusage: who {who} is not RUSAGE_SELF or "
                                   "RUSAGE_CHILDREN")
    proc.space.write(usage, data)
    return 0


# -- groups, sessions, small things --------------------------------------------------

def _process(kernel, proc, pid: int):
    if pid == 0:
        return proc
    target = kernel.lookup(proc, pid)
    if target is None:
        raise SyscallError(ESRCH, f"no process {pid} in the caller's PID namespace")
    return target


def sys_getpgid(kernel, proc, pid, *_):
    return _process(kernel, proc, signed(pid)).pgid


def sys_setpgid(kernel, proc, pid, pgid, *_):
    """Simplified: a process may set its own group or a child's, to any group id."""
    target = _process(kernel, proc, signed(pid))
    if target is not proc and target.parent is not proc:
        raise SyscallError(ESRCH, "setpgid: only the caller or its children")
    if signed(pgid) < 0:
        raise SyscallError(EINVAL, f"bad process group {signed(pgid)}")
    target.pgid = signed(pgid) or target.pid
    return 0


def sys_getsid(kernel, proc, pid, *_):
    return _process(kernel, proc, signed(pid)).sid


def sys_setsid(kernel, proc, *_):
    if proc.pgid == proc.pid:
        raise SyscallError(EPERM, "setsid: the caller already leads a process group")
    proc.sid = proc.pgid = proc.pid
    return proc.sid


def sys_umask(kernel, proc, mask, *_):
    old, proc.umask = proc.umask, mask & 0o777
    return old


def sys_prctl(kernel, proc, option, arg2, *_):
    """PR_SET_NAME / PR_GET_NAME (the 16-byte comm); other options are EINVAL."""
    if option == PR_SET_NAME:                 # up to 16 bytes, NUL or not, page by page
        name = b""
        while len(name) < 16 and b"\0" not in name:
            address = arg2 + len(name)
            name += proc.space.read(address, min(16 - len(name), 4096 - (address & 4095)))
        proc.comm = name.split(b"\0")[0][:15].decode("utf-8", errors="replace")
        return 0
    if option == PR_GET_NAME:
        proc.space.write(arg2, proc.comm.encode()[:15].ljust(16, b"\0"))
        return 0
    raise SyscallError(EINVAL, f"prctl option {option} is not supported (PR_SET_NAME, "
                               "PR_GET_NAME are)")


def sys_prlimit64(kernel, proc, pid, resource, new, old, *_):
    """Report the limits (soft, hard); setting is accepted for the caller only and
    stored, but not enforced (simplified)."""
    target = _process(kernel, proc, signed(pid))
    limits = target.__dict__.setdefault("rlimits_set", dict(DEFAULT_RLIMITS))
    if old:
        soft, hard = limits.get(resource, (RLIM_INFINITY, RLIM_INFINITY))
        proc.space.write(old, struct.pack("<QQ", soft, hard))
    if new:
        if target is not proc:
            raise SyscallError(EPERM, "prlimit64 sets only the caller's limits here")
        soft, hard = struct.unpack("<QQ", proc.space.read(new, 16))
        if soft > hard:
            raise SyscallError(EINVAL, "soft limit above the hard limit")
        limits[resource] = (soft, hard)
    return 0


def sys_getrandom(kernel, proc, buf, count, flags, *_):
    """Deterministic "random" bytes: SHA-256 in counter mode over a fixed seed, the pid
    and a per-kernel counter (so runs repeat; never use this for secrets)."""
    count = min(count, 1 << 16)
    kernel.random_counter = getattr(kernel, "random_counter", 0) + 1
    out = bytearray()
    block = 0
    while len(out) < count:
        out += hashlib.sha256(RANDOM_SEED + struct.pack("<III", proc.pid,
                              kernel.random_counter, block)).digest()
        block += 1
    if count and not proc.space.writable_prefix(buf, count) == count:
        raise SyscallError(EFAULT, f"getrandom buffer {buf:#x} is not writable")
    proc.space.write(buf, bytes(out[:count]))
    return count


def sys_sysinfo(kernel, proc, info, *_):
    """struct sysinfo (32-bit longs): uptime, loads, RAM, processes; mem_unit 1."""
    frames = kernel.frames
    total = frames.total_frames * 4096 if frames is not None else 0
    free = frames.free_frames * 4096 if frames is not None else 0
    uptime = kernel.now_ns() // 1_000_000_000
    fields = struct.pack("<i3I4I2I", uptime, 0, 0, 0, total, free, 0, 0, 0, 0)
    fields += struct.pack("<H2xIII", len(kernel.processes), 0, 0, 1)
    proc.space.write(info, fields.ljust(64, b"\0"))
    return 0


CALLS = {
    "exit": sys_exit,
    "exit_group": sys_exit,
    "brk": sys_brk,
    "getpid": sys_getpid,
    "gettid": sys_gettid,
    "getppid": sys_getppid,
    "set_tid_address": sys_set_tid_address,
    "set_robust_list": sys_set_robust_list,
    "waitid": sys_waitid,
    "getpgid": sys_getpgid,
    "setpgid": sys_setpgid,
    "getsid": sys_getsid,
    "setsid": sys_setsid,
    "umask": sys_umask,
    "prctl": sys_prctl,
    "prlimit64": sys_prlimit64,
    "getrandom": sys_getrandom,
    "sysinfo": sys_sysinfo,
    "getrusage": sys_getrusage,
}
