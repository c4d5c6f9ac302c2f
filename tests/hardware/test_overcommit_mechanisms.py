"""Overcommit on real G-stage tables: page sharing with COW, ballooning, host swapping.

Each test measures what the mechanism is for: host frames saved, guest-page faults, and
the ledger's modeled cycles -- and checks the guest still reads what it wrote.
"""
import struct

import pytest

from vlab.hardware.overcommit import (
    Balloon,
    BalloonDriver,
    GuestMemoryError,
    GuestSwap,
    Host,
    PageSharer,
)
from vlab.hardware.overcommit.host import GPA_BASE
from vlab.isa.machine import Machine
from vlab.isa.pagetable import PAGE, PTE_W

PAGES = 16


def host_with(vms=2, pages=PAGES):
    host = Host(Machine(ram_size=1 << 20))
    for i in range(vms):
        host.create_vm(f'vm{i}', pages).populate()
    return host


def fill_same_kernel(vm, distinct: int):
    """Half the pages hold the same 'kernel image' in every VM; ``distinct`` pages
    hold data of this VM only; the rest stay zero."""
    for i in range(PAGES // 2):
        vm.write(GPA_BASE + i * PAGE, bytes([i + 1]) * PAGE)
    for i in range(distinct):
        vm.write(GPA_BASE + (PAGES // 2 + i) * PAGE, vm.name.encode() * 100 + bytes([i]))


def test_two_vms_are_relocated_to_different_frames():
    host = host_with()
    a, b = host.vms
    assert a.frame_of(GPA_BASE) != b.frame_of(GPA_BASE)
    a.write(GPA_BASE, b'AAAA')
    assert b.read(GPA_BASE, 4) == bytes(4)
    assert host.frames_in_use == 2 * PAGES


def test_sharing_merges_identical_pages_across_vms_and_saves_frames():
    host = host_with(vms=3)
    for vm in host.vms:
        fill_same_kernel(vm, distinct=2)
    sharer = PageSharer(host)
    before = host.frames_in_use
    merged = sharer.scan()
    # per VM: 8 kernel pages, 2 private, 6 zero pages; all zero pages of all VMs: one frame
    assert before == 48
    assert host.frames_in_use == 8 + 3 * 2 + 1
    assert merged == before - host.frames_in_use
    assert host.ledger.count('page_hash') == 48
    assert host.guest_pages_backed == 48                     # every guest page still backed
    for vm in host.vms:
        assert vm.read(GPA_BASE + 3 * PAGE, 4) == bytes([4]) * 4
        assert not vm.table.lookup(GPA_BASE).pte & PTE_W   # read-only now


def test_a_write_to_a_shared_page_breaks_it_and_the_others_keep_the_old_contents():
    host = host_with(vms=2)
    for vm in host.vms:
        fill_same_kernel(vm, distinct=0)
    sharer = PageSharer(host)
    sharer.scan()
    a, b = host.vms
    shared = a.frame_of(GPA_BASE)
    assert b.frame_of(GPA_BASE) == shared
    faults, frames = a.faults, host.frames_in_use
    a.write(GPA_BASE + 8, b'new!')
    assert a.faults == faults + 1 and sharer.copies == 1
    assert host.ledger.count('page_copy') == 1 and host.ledger.count('vm_exit') >= 1
    assert a.frame_of(GPA_BASE) != shared and host.frames_in_use == frames + 1
    assert a.read(GPA_BASE + 8, 4) == b'new!'
    assert b.read(GPA_BASE + 8, 4) == bytes([1]) * 4
    b.write(GPA_BASE, b'x')                                  # the last mapping: no copy
    assert sharer.copies == 1 and b.frame_of(GPA_BASE) == shared


def test_a_hash_match_alone_does_not_merge(monkeypatch):
    import vlab.hardware.overcommit.page_sharing as sharing
    monkeypatch.setattr(sharing, 'page_digest', lambda data: b'collide!')
    host = host_with(vms=2, pages=2)
    a, b = host.vms
    a.write(GPA_BASE, b'one')
    b.write(GPA_BASE, b'two')
    sharer = PageSharer(host)
    sharer.scan()
    assert sharer.false_hints >= 1
    assert a.read(GPA_BASE, 3) == b'one' and b.read(GPA_BASE, 3) == b'two'


def test_the_balloon_returns_frames_and_a_deflated_page_is_backed_again_on_touch():
    host = host_with(vms=1)
    vm = host.vms[0]
    balloon = Balloon(host)
    free = [GPA_BASE + i * PAGE for i in range(4, PAGES)]      # the guest's free list
    driver = BalloonDriver(vm, balloon, free, list_gpa=GPA_BASE)
    frames = host.frames_in_use
    assert driver.inflate(8) == 8
    assert host.frames_in_use == frames - 8 and balloon.reclaimed == 8
    assert host.ledger.count('hypercall') == 1
    gpa = driver.held[-1]
    assert vm.frame_of(gpa) is None
    assert driver.deflate(8) == 8
    faults = vm.faults
    assert vm.read(gpa, 4) == bytes(4)                       # a fresh zeroed frame
    assert vm.faults == faults + 1 and host.ledger.count('page_zero') >= 1


def test_the_vmm_refuses_a_balloon_list_naming_memory_outside_the_vm():
    host = host_with(vms=1)
    vm = host.vms[0]
    balloon = Balloon(host)
    vm.write(GPA_BASE, struct.pack('<2I', (GPA_BASE >> 12) + 3, 0x1234))
    frames = host.frames_in_use
    assert balloon.hypercall(vm, 1, GPA_BASE, 2) == -1
    assert host.frames_in_use == frames and vm.frame_of(GPA_BASE + 3 * PAGE)


def test_host_swapping_moves_pages_to_disk_and_back_on_a_fault():
    host = host_with(vms=1)
    vm = host.vms[0]
    for i in range(PAGES):
        vm.write(GPA_BASE + i * PAGE, bytes([0x40 + i]) * 64)
    swap = GuestSwap(host, slots=8)
    frames = host.frames_in_use
    assert swap.swap_out_oldest(vm, 6) == 6
    assert host.frames_in_use == frames - 6
    assert host.ledger.count('dma_byte') == 6 * PAGE
    faults = vm.faults
    assert vm.read(GPA_BASE + 2 * PAGE, 64) == bytes([0x42]) * 64
    assert vm.faults == faults + 1 and swap.swapped_in == 1
    assert host.ledger.count('swap_io') == 7
    assert vm.read(GPA_BASE + 9 * PAGE, 1) == bytes([0x49])  # never swapped: no fault
    assert vm.faults == faults + 1


def test_shared_pages_are_not_swapped():
    host = host_with(vms=2, pages=2)
    PageSharer(host).scan()                                  # all zero: one frame
    swap = GuestSwap(host, slots=4)
    assert swap.swap_out_oldest(host.vms[0], 2) == 0


def test_a_guest_touching_memory_it_does_not_own_stops_with_a_clear_error():
    host = host_with(vms=1, pages=2)
    with pytest.raises(GuestMemoryError, match='outside its RAM'):
        host.vms[0].read(GPA_BASE + 5 * PAGE, 4)


def test_the_host_says_when_it_runs_out_of_frames():
    host = Host(Machine(ram_size=1 << 20))
    vm = host.create_vm('big', 1000)
    with pytest.raises(MemoryError, match='no free frame'):
        vm.populate()
