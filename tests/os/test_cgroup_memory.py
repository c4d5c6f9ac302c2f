"""memory controller: charge/uncharge up the tree, memory.max (hierarchical), events,
peak, the OOM victim choice, memory.max parse/format."""
from __future__ import annotations

import pytest

from vlab.os.cgroup import Cgroup
from vlab.os.errno import EINVAL, ENOMEM, SyscallError
from vlab.os.frames import OutOfMemory

PAGE = 4096


class Space:
    def __init__(self, rss):
        self.rss_pages = rss


class Proc:
    def __init__(self, pid, rss=0):
        self.pid, self.state, self.exit_status, self.cgroup = pid, "R", None, None
        self.space = Space(rss)


def events(memory):
    return dict((k, int(v)) for k, v in (line.split() for line in
                                         memory.read_events().splitlines()))


def test_charges_propagate_to_ancestors_and_back():
    root = Cgroup.new_root()
    a = root.create("a")
    b = a.create("b")
    b.memory.try_charge(3)
    a.memory.try_charge(1)
    assert (root.memory.current_pages, a.memory.current_pages, b.memory.current_pages) == \
        (4, 4, 3)
    assert b.memory.read_current() == f"{3 * PAGE}\n"
    b.memory.uncharge(2)
    assert (root.memory.current_pages, a.memory.current_pages, b.memory.current_pages) == \
        (2, 2, 1)
    assert a.memory.read_peak() == f"{4 * PAGE}\n"
    a.memory.write_peak("reset\n")
    assert a.memory.read_peak() == f"{2 * PAGE}\n"
    with pytest.raises(ValueError, match="freed twice"):
        b.memory.uncharge(5)


def test_limit_anywhere_up_the_tree_applies():
    root = Cgroup.new_root()
    a = root.create("a")
    b = a.create("b")
    a.memory.write_max(f"{4 * PAGE}\n")                    # the parent's limit: 4 pages
    b.memory.write_max("max")
    b.memory.try_charge(4)
    with pytest.raises(OutOfMemory) as info:
        b.memory.try_charge(1)
    assert info.value.account is a.memory and info.value.account.cgroup is a
    assert info.value.errno == ENOMEM and "memory.max of cgroup /a" in info.value.why
    assert b.memory.current_pages == 4                      # nothing charged
    assert events(a.memory) == {"low": 0, "high": 0, "max": 1, "oom": 1, "oom_kill": 0}
    assert events(b.memory)["oom"] == 0                     # the limit was a's
    assert events(root.memory)["oom"] == 1                  # events are hierarchical


def test_oom_victim_is_the_largest_rss_inside_the_cgroup():
    root = Cgroup.new_root()
    box, other = root.create("box"), root.create("other")
    inner = box.create("inner")
    small, big, bigger_outside, init = Proc(10, 5), Proc(11, 50), Proc(12, 500), Proc(1, 900)
    tie = Proc(13, 50)
    box.fork(small)
    inner.fork(big)
    inner.fork(tie)
    other.fork(bigger_outside)
    box.fork(init)                                          # pid 1 is never chosen
    procs = [small, big, tie, bigger_outside, init]
    assert box.memory.oom_victim(procs) is tie              # equal rss: the higher pid
    tie.state = "Z"
    assert box.memory.oom_victim(procs) is big
    assert other.memory.oom_victim(procs) is bigger_outside
    assert root.create("empty").memory.oom_victim(procs) is None
    box.memory.record_oom_kill(big)
    assert events(inner.memory)["oom_kill"] == 1 and events(box.memory)["oom_kill"] == 1
    assert events(other.memory)["oom_kill"] == 0


def test_memory_max_parse_and_format():
    memory = Cgroup.new_root().create("a").memory
    assert memory.read_max() == "max\n"
    memory.write_max("64M\n")
    assert memory.read_max() == f"{64 << 20}\n" and memory.max_pages == 16384
    memory.write_max("10000")                               # rounded down to pages
    assert memory.read_max() == f"{2 * PAGE}\n"
    memory.write_max("1g")
    assert memory.max_pages == (1 << 30) // PAGE
    memory.write_max("max")
    assert memory.max_pages is None
    for bad in ("", "-1", "12X", "1.5G", "max max", "K"):
        with pytest.raises(SyscallError) as info:
            memory.write_max(bad)
        assert info.value.errno == EINVAL and "memory.max" in info.value.why


def test_lowering_max_below_usage_calls_the_oom_handler():
    root = Cgroup.new_root()
    a = root.create("a")
    a.memory.try_charge(10)
    seen = []
    root.oom_handler = seen.append
    a.memory.write_max(str(5 * PAGE))
    assert seen == [a.memory] and events(a.memory)["oom"] == 1
    a.memory.write_max(str(20 * PAGE))                      # fits: no OOM
    assert seen == [a.memory]


def test_oom_chooses_and_counts_in_one_call():
    root = Cgroup.new_root()
    box = root.create("box")
    a, b = Proc(2, 10), Proc(3, 20)
    box.fork(a)
    box.fork(b)
    assert box.memory.oom([a, b]) is b
    assert events(box.memory)["oom_kill"] == 1
    assert root.create("empty").memory.oom([a, b]) is None


def test_effective_limit_is_the_smallest_up_the_tree():
    root = Cgroup.new_root()
    a = root.create("a")
    b = a.create("b")
    assert b.memory.effective_max_pages is None and b.pids.effective_max is None
    a.memory.write_max(str(10 * PAGE))
    b.memory.write_max(str(20 * PAGE))
    a.pids.write_max("7")
    assert b.memory.effective_max_pages == 10 and b.pids.effective_max == 7
    b.memory.write_max(str(5 * PAGE))
    assert b.memory.effective_max_pages == 5 and a.memory.effective_max_pages == 10


def test_numbers_of_the_common_interface():
    root = Cgroup.new_root()
    root.io_devices[(254, 0)] = "vda"
    box = root.create("box")
    box.write_file("memory.max", "1M")
    box.memory.try_charge(3)
    box.write_file("cpu.max", "30000 100000")
    box.write_file("io.max", "254:0 wbps=4096")
    assert (box.memory.max, box.memory.current) == (1 << 20, 3 * PAGE)
    assert box.cpu.max == (30000, 100000)
    box.cpu.charge(2_000_000, 2_000_000)
    assert box.cpu.stat["usage_usec"] == 2000 and box.cpu.stat["nr_periods"] == 1
    assert box.io.max == {(254, 0): {"rbps": None, "wbps": 4096, "riops": None,
                                     "wiops": None}}
