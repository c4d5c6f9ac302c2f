"""The physical frame allocator: zeroed frames, reference counts, cgroup charges, OOM."""
import pytest

from vlab.isa.machine import Machine
from vlab.os.errno import ENOMEM, SyscallError
from vlab.os.frames import PAGE, FrameAllocator, OutOfMemory


class Account:
    """A memory cgroup stand-in: charges up to ``max`` pages."""

    def __init__(self, max_pages):
        self.max, self.current, self.refusals = max_pages, 0, 0

    def try_charge(self, pages):
        if self.current + pages > self.max:
            self.refusals += 1
            raise OutOfMemory(self)
        self.current += pages

    def uncharge(self, pages):
        self.current -= pages
        assert self.current >= 0


@pytest.fixture
def machine():
    return Machine(ram_size=1 << 20)


def allocator(machine, frames=16):
    base = machine.ram.base + (1 << 19)
    return FrameAllocator(machine.bus, base, base + frames * PAGE)


def test_frames_are_zeroed_aligned_distinct_and_inside_the_range(machine):
    fa = allocator(machine)
    machine.bus.write_bytes(fa.base, b'\xff' * PAGE)          # garbage left in RAM
    got = [fa.alloc() for _ in range(16)]
    assert len(set(got)) == 16
    assert all(pa % PAGE == 0 and fa.base <= pa < fa.limit for pa in got)
    assert got[0] == fa.base                                   # lowest first
    assert machine.bus.read_bytes(got[0], PAGE) == bytes(PAGE)
    assert (fa.used_frames, fa.free_frames, fa.total_frames) == (16, 0, 16)


def test_reference_counts_free_at_zero_and_reuse_zeroes(machine):
    fa = allocator(machine)
    pa = fa.alloc()
    fa.ref(pa)
    assert fa.refcount(pa) == 2
    fa.unref(pa)
    assert fa.refcount(pa) == 1 and fa.used_frames == 1
    machine.bus.write_bytes(pa, b'secret')
    fa.unref(pa)
    assert fa.refcount(pa) == 0 and fa.used_frames == 0
    again = fa.alloc()
    assert again == pa                                         # LIFO free list
    assert machine.bus.read_bytes(again, 6) == bytes(6)        # no data leaks across


def test_freeing_twice_is_a_clear_error(machine):
    fa = allocator(machine)
    pa = fa.alloc()
    fa.unref(pa)
    with pytest.raises(ValueError, match='not allocated'):
        fa.unref(pa)
    with pytest.raises(ValueError, match='not allocated'):
        fa.ref(pa + PAGE)


def test_charges_follow_the_frame_to_its_last_reference(machine):
    fa = allocator(machine)
    a, b = Account(10), Account(10)
    pa = fa.alloc(a)
    fa.ref(pa)                                  # shared with a space charged to b
    assert (a.current, b.current) == (1, 0)
    fa.unref(pa)
    assert a.current == 1
    fa.unref(pa)                                # whoever drops it last, a is uncharged
    assert a.current == 0 and fa.charged_to(pa) is None


def test_cgroup_limit_refuses_without_taking_a_frame(machine):
    fa = allocator(machine)
    acct = Account(2)
    fa.alloc(acct), fa.alloc(acct)
    with pytest.raises(OutOfMemory) as info:
        fa.alloc(acct)
    assert info.value.account is acct and info.value.errno == ENOMEM
    assert isinstance(info.value, SyscallError)
    assert fa.used_frames == 2 and acct.current == 2 and acct.refusals == 1
    assert fa.alloc() in range(fa.base, fa.limit)              # uncharged still works


def test_machine_out_of_frames_is_global_oom_and_uncharges(machine):
    fa = allocator(machine, frames=2)
    acct = Account(100)
    fa.alloc(acct), fa.alloc()
    with pytest.raises(OutOfMemory, match='all 2 page frames') as info:
        fa.alloc(acct)
    assert info.value.account is None
    assert acct.current == 1                                   # the refused charge undone


def test_meminfo_in_kilobytes(machine):
    fa = allocator(machine, frames=8)
    fa.alloc()
    assert fa.meminfo() == {'MemTotal': 32, 'MemFree': 28, 'MemAvailable': 28}


def test_a_range_outside_ram_is_refused_with_the_ram_bounds(machine):
    with pytest.raises(ValueError, match='RAM is'):
        FrameAllocator(machine.bus, 0x1000, 0x9000)
    with pytest.raises(ValueError, match='non-empty'):
        FrameAllocator(machine.bus, machine.ram.base, machine.ram.base + 100)


def test_zeroing_is_charged_to_the_machines_ledger(machine):
    fa = allocator(machine)
    before = machine.ledger.count('page_zero')
    fa.alloc(), fa.alloc()
    assert machine.ledger.count('page_zero') == before + 2
    assert machine.ledger.costs.cycles_of('page_zero') == PAGE   # ~1 byte per cycle (costs.py)
