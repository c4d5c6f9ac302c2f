"""The small process calls, one by one on a paged process: getrandom (deterministic),
prctl names, umask, process groups and sessions, prlimit64, sysinfo, times, clock calls,
set_tid_address, and the errors they give for bad arguments."""
from __future__ import annotations

import struct

from tests.os.test_namespaces import DATA, call, kernel_with

EFAULT, EINVAL, EPERM, ESRCH = 14, 22, 1, 3


def test_getrandom_is_deterministic_per_run_and_fills_the_buffer():
    first = []
    for _ in range(2):
        kernel, (proc,) = kernel_with(0)
        assert call(kernel, proc, "getrandom", DATA, 32, 0) == 32
        first.append(proc.space.read(DATA, 32))
    assert first[0] == first[1] and first[0] != bytes(32)
    assert call(kernel, proc, "getrandom", DATA, 16, 0) == 16
    assert proc.space.read(DATA, 16) != first[0][:16]          # the next call differs
    assert call(kernel, proc, "getrandom", 0x10, 16, 0) == -EFAULT


def test_prctl_names_the_process_and_umask_swaps():
    kernel, (proc,) = kernel_with(0)
    proc.space.write(DATA, b"worker-with-a-long-name\0")
    assert call(kernel, proc, "prctl", 15, DATA) == 0
    assert proc.comm == "worker-with-a-l"                       # 15 characters
    assert call(kernel, proc, "prctl", 16, DATA + 64) == 0
    assert proc.space.read(DATA + 64, 16) == b"worker-with-a-l\0"
    assert call(kernel, proc, "prctl", 99, 0) == -EINVAL
    assert call(kernel, proc, "umask", 0o077) == 0o022 and proc.umask == 0o077


def test_process_groups_and_sessions():
    kernel, (leader, other) = kernel_with(0, 0)
    assert call(kernel, leader, "getpgid", 0) == leader.pid
    assert call(kernel, leader, "setsid") == -EPERM              # already a group leader
    assert call(kernel, other, "setpgid", 0, leader.pid) == 0
    assert call(kernel, other, "setsid") == other.pid and other.sid == other.pid
    assert call(kernel, leader, "getsid", 42) == -ESRCH
    assert call(kernel, leader, "setpgid", other.pid, 0) == -ESRCH   # not its child


def test_prlimit64_reports_and_stores_the_callers_limits():
    kernel, (proc,) = kernel_with(0)
    assert call(kernel, proc, "prlimit64", 0, 3, 0, DATA) == 0       # RLIMIT_STACK
    assert struct.unpack("<QQ", proc.space.read(DATA, 16)) == (8 << 20, (1 << 64) - 1)
    proc.space.write(DATA, struct.pack("<QQ", 100, 50))
    assert call(kernel, proc, "prlimit64", 0, 7, DATA, 0) == -EINVAL  # soft > hard
    proc.space.write(DATA, struct.pack("<QQ", 32, 64))
    assert call(kernel, proc, "prlimit64", 0, 7, DATA, DATA + 16) == 0
    assert struct.unpack("<QQ", proc.space.read(DATA + 16, 16)) == (64, 64)   # the old
    assert call(kernel, proc, "prlimit64", 0, 7, 0, DATA) == 0
    assert struct.unpack("<QQ", proc.space.read(DATA, 16)) == (32, 64)


def test_sysinfo_times_and_clocks_read_the_model():
    kernel, (proc,) = kernel_with(0)
    assert call(kernel, proc, "sysinfo", DATA) == 0
    uptime, *_loads, total, free = struct.unpack("<i3I2I", proc.space.read(DATA, 24))
    assert total == kernel.frames.total_frames * 4096 and 0 < free < total
    proc.cpu_ns = 2_000_000_000
    assert call(kernel, proc, "times", DATA) >= 0
    assert struct.unpack("<I", proc.space.read(DATA, 4)) == (200,)    # 2 s at USER_HZ
    assert call(kernel, proc, "clock_gettime64", 0, DATA) == 0
    seconds, _ = struct.unpack("<qq", proc.space.read(DATA, 16))
    assert seconds == 1_293_840_000                                  # EPOCH at time 0
    assert call(kernel, proc, "clock_gettime64", 77, DATA) == -EINVAL
    assert call(kernel, proc, "clock_getres_time64", 1, DATA) == 0
    assert struct.unpack("<qq", proc.space.read(DATA, 16)) == (0, 10)
    proc.space.write(DATA, struct.pack("<qq", 0, 2_000_000_000))     # tv_nsec too big
    assert call(kernel, proc, "nanosleep", DATA, 0) == -EINVAL


def test_set_tid_address_is_cleared_at_exit():
    kernel, (init, proc) = kernel_with(0, 0)
    proc.space.write(DATA, b"\xff\xff\xff\xff")
    assert call(kernel, proc, "set_tid_address", DATA) == proc.pid
    space = proc.space
    init.space.destroy()
    init.space = space                        # shared, as after vfork: kept at exit
    kernel.do_exit(proc, 0)
    assert proc.state == "Z" and proc.exit_status == 0
    assert space.read(DATA, 4) == bytes(4) and not space.destroyed
    kernel.do_exit(init, 0)                   # the root init: everything ends
    assert space.destroyed                    # the last user frees it


def test_clone_with_a_bad_tid_pointer_still_makes_a_runnable_child():
    kernel, (proc,) = kernel_with(0)
    flags = 17 | 0x0010_0000 | 0x0100_0000            # SIGCHLD, PARENT_SETTID, CHILD_SETTID
    child_pid = call(kernel, proc, "clone", flags, 0, 0x10, 0x10, 0)
    assert child_pid == 2 and kernel.processes[2] in kernel.sched.queue
    assert call(kernel, proc, "clone", 0x10000 | 17, 0, 0, 0, 0) == -EINVAL   # a thread
    assert call(kernel, proc, "clone", 0x100 | 17, 0, 0, 0, 0) == -EINVAL     # CLONE_VM


def test_getrusage_reports_cpu_time_and_resident_memory():
    kernel, (proc,) = kernel_with(0)
    proc.cpu_ns = 1_500_000_000
    proc.space.write(DATA, bytes(72))                  # its one resident page
    assert call(kernel, proc, "getrusage", 0, DATA) == 0
    sec, usec, _, _, maxrss = struct.unpack("<5i", proc.space.read(DATA, 20))
    assert (sec, usec) == (1, 500_000) and maxrss == proc.space.rss_pages * 4 > 0
    assert call(kernel, proc, "getrusage", 5, DATA) == -EINVAL
