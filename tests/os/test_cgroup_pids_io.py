"""pids controller (fork stops at pids.max, hierarchically, with events) and io controller
(io.max parse/format, token-bucket delays in modeled time, io.stat)."""
from __future__ import annotations

import pytest

from vlab.os.cgroup import Cgroup
from vlab.os.cgroup.io import SLICE_NS, TokenBucket
from vlab.os.errno import EAGAIN, EINVAL, ENODEV, ERANGE, SyscallError

S = 1_000_000_000
DISK = (254, 0)


class Proc:
    def __init__(self, pid):
        self.pid, self.state, self.exit_status, self.cgroup = pid, "R", None, None


def errno_of(call, *args):
    with pytest.raises(SyscallError) as info:
        call(*args)
    assert info.value.why
    return info.value.errno


# -- pids --------------------------------------------------------------------------------

def test_fork_bomb_stops_at_pids_max_of_an_ancestor():
    root = Cgroup.new_root()
    box = root.create("box")
    inner = box.create("inner")
    box.pids.write_max("3\n")
    forked = []
    for pid in range(2, 10):
        try:
            inner.fork(Proc(pid))
            forked.append(pid)
        except SyscallError as exc:
            assert exc.errno == EAGAIN and "/box" in exc.why
    assert forked == [2, 3, 4]
    assert inner.pids.read_current() == "3\n" and box.pids.read_current() == "3\n"
    assert box.pids.read_events() == "max 5\n"             # five refused forks
    assert root.pids.events_max == 5 and inner.pids.events_max == 0
    inner.release(inner.procs[0])
    inner.fork(Proc(20))                                     # room again
    assert box.pids.read_peak() == "3\n"


def test_pids_max_parse_and_format():
    pids = Cgroup.new_root().create("a").pids
    assert pids.read_max() == "max\n"
    pids.write_max("0")
    assert pids.read_max() == "0\n"
    assert errno_of(pids.try_fork) == EAGAIN
    pids.write_max("max\n")
    assert pids.max is None
    assert errno_of(pids.write_max, "-5") == EINVAL
    assert errno_of(pids.write_max, "many") == EINVAL
    pids.write_max("32768")
    assert errno_of(pids.write_max, "32769") == ERANGE


# -- io ----------------------------------------------------------------------------------

def test_token_bucket_math():
    bucket = TokenBucket(1000)                 # 1000 tokens/s, burst 100 tokens
    assert bucket.take(0, 100) == 0            # the burst
    assert bucket.take(0, 50) == S // 20       # 50 tokens at 1000/s: 50 ms
    assert bucket.take(0, 10) == S // 20 + S // 100   # queued behind the first wait
    assert bucket.take(10 * S, 100) == 0       # refilled (capped at one slice's worth)
    assert bucket.take(10 * S, 1) == S // 1000
    big = TokenBucket(1000)
    assert big.take(0, 1100) == S              # bigger than the burst: waits for the rest
    assert SLICE_NS == S // 10


def test_io_max_parse_and_format():
    root = Cgroup.new_root()
    root.io_devices[DISK] = "vda"
    io = root.create("a").io
    assert io.read_max() == ""
    io.write_max("254:0 rbps=2097152 wiops=120\n")
    assert io.read_max() == "254:0 rbps=2097152 wbps=max riops=max wiops=120\n"
    io.write_max("254:0 wiops=max")
    assert io.read_max() == "254:0 rbps=2097152 wbps=max riops=max wiops=max\n"
    io.write_max("254:0 rbps=max")
    assert io.read_max() == ""                                # nothing limited: no line
    assert errno_of(io.write_max, "8:0 rbps=1") == ENODEV
    assert errno_of(io.write_max, "254:0 rbps=0") == ERANGE
    for bad in ("", "254:0 xbps=1", "254 rbps=1", "254:0 rbps", "254:0 rbps=-1", "a\nb",
                f"254:0 rbps={1 << 64}"):
        assert errno_of(io.write_max, bad) == EINVAL, bad


def test_io_delay_in_modeled_time_and_stat():
    root = Cgroup.new_root()
    root.io_devices[DISK] = "vda"
    a = root.create("a")
    a.io.write_max("254:0 wbps=1048576 riops=10")
    # 1 MiB/s with a burst of 0.1 s (104857.6 B): the first 64 KiB write goes at once,
    # the second waits for the 26214.4 B missing (25 ms), the others 62.5 ms each more
    waits = [a.io.delay_ns(0, 65536, write=True) for _ in range(4)]
    assert waits == [0, 25_000_000, 87_500_000, 150_000_000]
    # reads: 10 IOPS with a burst of one I/O (10 x 0.1 s): each further read waits 100 ms
    reads = [a.io.delay_ns(0, 512, write=False) for _ in range(3)]
    assert reads == [0, S // 10, 2 * S // 10]
    assert a.io.read_stat() == ("254:0 rbytes=1536 wbytes=262144 rios=3 wios=4 "
                                "dbytes=0 dios=0\n")
    assert root.io.read_stat() == a.io.read_stat()           # io.stat is hierarchical


def test_write_delay_is_exact():
    root = Cgroup.new_root()
    root.io_devices[DISK] = "vda"
    a = root.create("a")
    a.io.write_max("254:0 wbps=1000")                        # 1000 B/s, burst 100 B
    assert a.io.delay_ns(0, 100, write=True) == 0
    assert a.io.delay_ns(0, 1000, write=True) == S           # 1000 B more: 1 s
    assert a.io.delay_ns(2 * S, 100, write=True) == 0        # idle 1 s: burst refilled
    assert a.io.delay_ns(0, 1, write=False, dev=DISK) == 0    # reads are not limited


def test_parent_limit_applies_to_child_io():
    root = Cgroup.new_root()
    root.io_devices[DISK] = "vda"
    parent = root.create("p")
    child = parent.create("c")
    parent.io.write_max("254:0 riops=10")
    assert [child.io.delay_ns(0, 1, write=False) for _ in range(2)] == [0, S // 10]


def test_no_block_device_no_delay_and_two_need_a_name():
    root = Cgroup.new_root()
    a = root.create("a")
    assert a.io.delay_ns(0, 4096, write=True) == 0 and a.io.read_stat() == ""
    root.io_devices[DISK] = "vda"
    root.io_devices[(254, 16)] = "vdb"
    with pytest.raises(ValueError, match="name the device"):
        a.io.delay_ns(0, 1, write=False)
    a.io.delay_ns(0, 1, write=False, dev=(254, 16))
    assert a.io.read_stat().startswith("254:16 rbytes=1 ")
