"""Time calls: clock_gettime64, clock_getres_time64, clock_nanosleep_time64, nanosleep,
setitimer/getitimer (ITIMER_REAL: SIGALRM), times, sched_yield -- and riscv-pk's 32-bit
clock_gettime and gettimeofday.

Guest time is modeled (``clock.py``): the kernel's ``now_ns()``, retired instructions
plus time spent idle, never the host's clock.  RV32 Linux passes times as
``struct __kernel_timespec`` (a 64-bit tv_sec and a 64-bit tv_nsec,
include/uapi/linux/time_types.h); riscv-pk's old calls use 32-bit fields.

Sleeping is block-and-restart (``waitq.py``): the first call computes the deadline and
raises ``Blocked(None, deadline)``; the kernel keeps the deadline in
``proc.restart_deadline`` so the restarted call knows it has already waited.  A signal
with a handler ends the sleep early with -EINTR, SA_RESTART or not, as signal(7) lists
for the sleep calls (``trap.NEVER_RESTARTED``; the remaining time is written to ``rem``
as nanosleep(2) says).
"""

from __future__ import annotations

import struct

from . import clock
from .errno import EFAULT, EINVAL, SyscallError
from .waitq import Blocked

NS = 1_000_000_000
TIMER_ABSTIME = 1
USER_HZ = 100                   # clock_t ticks per second (times(2))
RESOLUTION_NS = 10              # one retired instruction (vlab.host.clock)


def read_timespec64(space, address: int) -> int:
    """A struct __kernel_timespec from user memory, as nanoseconds (EINVAL if bad)."""
    if not address:
        raise SyscallError(EFAULT, "NULL timespec")
    seconds, ns = struct.unpack("<qq", space.read(address, 16))
    if seconds < 0 or not 0 <= ns < NS:
        raise SyscallError(EINVAL, f"timespec {{{seconds}, {ns}}} is not a valid time")
    return seconds * NS + ns


def write_timespec64(space, address: int, total_ns: int) -> None:
    space.write(address, struct.pack("<qq", *divmod(total_ns, NS)))


def clock_ns(kernel, clock_id: int) -> int:
    """The value of clock ``clock_id`` now, in ns (EINVAL for an unknown clock)."""
    if clock_id not in clock.CLOCKS:
        raise SyscallError(EINVAL, f"unknown clock {clock_id}")
    return clock.CLOCKS[clock_id] * NS + kernel.now_ns()


def sys_clock_gettime64(kernel, proc, clock_id, timespec, *_):
    write_timespec64(proc.space, timespec, clock_ns(kernel, clock_id))
    return 0


def sys_clock_getres_time64(kernel, proc, clock_id, timespec, *_):
    clock_ns(kernel, clock_id)
    if timespec:
        write_timespec64(proc.space, timespec, RESOLUTION_NS)
    return 0


def sys_clock_gettime(kernel, proc, clock_id, timespec, *_):
    """riscv-pk's clock_gettime (113): 32-bit seconds and nanoseconds."""
    seconds, ns = divmod(clock_ns(kernel, clock_id), NS)
    proc.space.write(timespec, struct.pack("<ii", seconds, ns))
    return 0


def sys_gettimeofday(kernel, proc, timeval, timezone, *_):
    """riscv-pk's gettimeofday (169): 32-bit seconds and microseconds."""
    seconds, ns = divmod(clock_ns(kernel, clock.CLOCK_REALTIME), NS)
    if timeval:
        proc.space.write(timeval, struct.pack("<ii", seconds, ns // 1000))
    if timezone:
        proc.space.write(timezone, bytes(8))   # struct timezone: UTC, no DST
    return 0


def sleep_until(kernel, proc, deadline: int, remain: int = 0) -> int:
    """Block until guest time ``deadline`` (the restarted call finds it passed).  If a
    handler interrupts the sleep, the time left is written to ``remain`` (if not 0)."""
    if proc.restart_deadline is not None:
        deadline = proc.restart_deadline
    if kernel.now_ns() >= deadline:
        return 0
    if remain:
        proc.on_eintr = lambda: write_timespec64(
            proc.space, remain, max(0, deadline - kernel.now_ns()))
    raise Blocked(None, deadline)


def sys_clock_nanosleep_time64(kernel, proc, clock_id, flags, request, remain, *_):
    now = clock_ns(kernel, clock_id)
    wanted = read_timespec64(proc.space, request)
    delay = wanted - now if flags & TIMER_ABSTIME else wanted
    return sleep_until(kernel, proc, kernel.now_ns() + max(0, delay),
                       0 if flags & TIMER_ABSTIME else remain)


def sys_nanosleep(kernel, proc, request, remain, *_):
    return sleep_until(kernel, proc, kernel.now_ns() + read_timespec64(proc.space, request),
                       remain)


def sys_times(kernel, proc, buf, *_):
    """struct tms (four clock_t): the caller's and its reaped children's CPU time; the
    result is ticks since boot.  Simplified: all CPU time counts as user time."""
    ticks = kernel.now_ns() * USER_HZ // NS
    if buf:
        user = proc.cpu_ns * USER_HZ // NS
        children = getattr(proc, "children_cpu_ns", 0) * USER_HZ // NS
        proc.space.write(buf, struct.pack("<4I", user & 0xFFFF_FFFF, 0,
                                          children & 0xFFFF_FFFF, 0))
    return ticks & 0x7FFF_FFFF


ITIMER_REAL = 0
US = 1000


def _itimerval(kernel, proc) -> bytes:
    """struct itimerval with 32-bit longs (RV32's setitimer): interval, then value."""
    left = max(0, proc.alarm_at - kernel.now_ns()) if proc.alarm_at is not None else 0
    every = proc.alarm_every
    return struct.pack("<4i", every // NS, every % NS // US, left // NS, left % NS // US)


def sys_getitimer(kernel, proc, which, value, *_):
    if which != ITIMER_REAL:
        raise SyscallError(EINVAL, f"timer {which}: only ITIMER_REAL (0) is modeled")
    proc.space.write(value, _itimerval(kernel, proc))
    return 0


def sys_setitimer(kernel, proc, which, new, old, *_):
    """ITIMER_REAL: SIGALRM after ``it_value``, then every ``it_interval`` (0: once;
    a zero value disarms).  musl's alarm() is this call.  ITIMER_VIRTUAL/PROF are not
    modeled (EINVAL)."""
    if which != ITIMER_REAL:
        raise SyscallError(EINVAL, f"timer {which}: only ITIMER_REAL (0) is modeled")
    every_s, every_us, value_s, value_us = struct.unpack("<4i", proc.space.read(new, 16))
    if min(every_s, every_us, value_s, value_us) < 0 or max(every_us, value_us) >= 1_000_000:
        raise SyscallError(EINVAL, "itimerval fields out of range")
    if old:
        proc.space.write(old, _itimerval(kernel, proc))
    if proc in kernel.alarms:
        kernel.alarms.remove(proc)
    value = value_s * NS + value_us * US
    proc.alarm_at = kernel.now_ns() + value if value else None
    proc.alarm_every = every_s * NS + every_us * US if value else 0
    if value:
        kernel.alarms.append(proc)
    return 0


def sys_sched_yield(kernel, proc, *_):
    """Give up the CPU: the trap handler picks again, another runnable process first
    (CFS's yield marks the caller as the "skip buddy")."""
    kernel.yield_requested = True
    return 0


CALLS = {
    "clock_gettime64": sys_clock_gettime64,
    "clock_getres_time64": sys_clock_getres_time64,
    "clock_nanosleep_time64": sys_clock_nanosleep_time64,
    "nanosleep": sys_nanosleep,
    "clock_gettime": sys_clock_gettime,
    "gettimeofday": sys_gettimeofday,
    "times": sys_times,
    "sched_yield": sys_sched_yield,
    "getitimer": sys_getitimer,
    "setitimer": sys_setitimer,
}
