"""The host side of overcommit: host frames, each VM's G-stage table, guest accesses.

A ``Host`` owns a machine's RAM: the low part is the VMM's (the VMs' G-stage tables),
the rest is cut into 4 KiB *frames* handed to VMs.  Each frame has a reference count --
more than one when page sharing maps it into several VMs.

An ``OvercommitVM`` has ``pages`` pages of guest-physical RAM from ``GPA_BASE`` and a
G-stage table (Sv32x4, ``vlab.isa.pagetable.PageTable``) in the VMM's part of host RAM
mapping each of its guest-physical pages to a host frame -- a real relocation: two VMs'
page 0 are different frames.  A guest access (``read``/``write``) is checked by walking
that table exactly as the hardware's G-stage does (``vlab.isa.pagetable.walk`` with
SV32X4, as U-mode, privileged spec sec. 8.5.1); a failed walk is a *guest-page fault*, an
exit to the VMM (one ``vm_exit`` in the ledger), whose handlers (copy-on-write, swap-in,
a ballooned page touched again) fix the table, and the access is retried.

Simplified: guest accesses are issued from Python (not by a running guest program), and
there is no TLB in front of the walk, so a changed G-stage entry needs no HFENCE.GVMA
here (a real VMM issues one after every change below).

G-stage PTE states used by the overcommit mechanisms (RSW bits 8-9 are software's):

=======================  =====================================================
valid, R W X U           a private page
valid, R X U, ``COW``    a shared page (page sharing): a write faults
invalid, ``SWAPPED``     on disk: PPN field = swap slot (as Linux's swap entries)
zero                     never touched, or given back by the balloon
=======================  =====================================================
"""
from __future__ import annotations

from vlab.isa.pagetable import (
    LOAD,
    PAGE,
    PTE_A,
    PTE_D,
    PTE_R,
    PTE_U,
    PTE_W,
    PTE_X,
    STORE,
    SV32X4,
    PageTable,
    PoolAllocator,
    make_pte,
    walk,
)

GPA_BASE = 0x8000_0000
PRIVATE = PTE_R | PTE_W | PTE_X | PTE_U | PTE_A | PTE_D
COW, SWAPPED = 1 << 9, 1 << 8              # RSW bits of a G-stage PTE
VMM_TABLES = 64 * PAGE                     # host RAM kept for G-stage tables


class GuestMemoryError(Exception):
    """A guest touched a guest-physical address it does not own."""


class Host:
    """The frames of ``machine``'s RAM and the fault handlers of the overcommit
    mechanisms (each registers ``handles(vm, gpa, pte, access) -> bool``)."""

    def __init__(self, machine):
        self.machine, self.bus, self.ledger = machine, machine.bus, machine.ledger
        base, size = machine.bus.ram.base, machine.bus.ram.size
        self.tables = PoolAllocator(base, VMM_TABLES)
        first = base + VMM_TABLES
        self.free = list(range(base + size - PAGE, first - 1, -PAGE))   # a stack
        self.total_frames = len(self.free)
        self.refs: dict[int, int] = {}                  # frame -> VMs' mappings of it
        self.handlers: list = []
        self.vms: list[OvercommitVM] = []

    # ------------------------------------------------------------ frames
    def alloc_frame(self) -> int:
        if not self.free:
            raise MemoryError(f'the host has no free frame left (all {self.total_frames} '
                              'in use): reclaim some (balloon, sharing, swap) first')
        frame = self.free.pop()
        self.refs[frame] = 1
        return frame

    def release(self, frame: int) -> None:
        """One mapping of ``frame`` is gone; free it with its last."""
        self.refs[frame] -= 1
        if not self.refs[frame]:
            del self.refs[frame]
            self.free.append(frame)

    @property
    def frames_in_use(self) -> int:
        return len(self.refs)

    @property
    def guest_pages_backed(self) -> int:
        """Guest pages mapped to a frame (a shared frame counts once per mapping)."""
        return sum(self.refs.values())

    # ------------------------------------------------------------ VMs
    def create_vm(self, name: str, pages: int, vmid: int | None = None) -> OvercommitVM:
        vm = OvercommitVM(self, name, pages, len(self.vms) + 1 if vmid is None else vmid)
        self.vms.append(vm)
        return vm

    def guest_page_fault(self, vm, gpa: int, access: int) -> None:
        """The exit: the first handler that recognizes the PTE fixes it."""
        self.ledger.charge('vm_exit')
        vm.faults += 1
        found = vm.table.lookup(gpa & ~(PAGE - 1))
        pte = found.pte if found else vm.table_entry(gpa)
        for handler in self.handlers:
            if handler(vm, gpa & ~(PAGE - 1), pte, access):
                return
        if not vm.owns(gpa):
            raise GuestMemoryError(
                f'VM {vm.name!r} touched guest-physical {gpa:#010x}, outside its RAM '
                f'[{GPA_BASE:#010x}, {GPA_BASE + vm.pages * PAGE:#010x}): the VM stops')
        vm.map(gpa & ~(PAGE - 1), self.alloc_frame())          # first touch: a zeroed frame
        self.bus.write_bytes(vm.frame_of(gpa), bytes(PAGE))
        self.ledger.charge('page_zero')


class OvercommitVM:
    """One VM's guest-physical RAM through its G-stage table (module docstring)."""

    def __init__(self, host: Host, name: str, pages: int, vmid: int):
        self.host, self.name, self.pages, self.vmid = host, name, pages, vmid
        self.table = PageTable(host.bus, host.tables, scheme=SV32X4)
        self.faults = 0

    def owns(self, gpa: int) -> bool:
        return GPA_BASE <= gpa < GPA_BASE + self.pages * PAGE

    def populate(self) -> None:
        """Back every guest page with a zeroed frame of its own (a VM booted)."""
        for gpa in range(GPA_BASE, GPA_BASE + self.pages * PAGE, PAGE):
            self.map(gpa, self.host.alloc_frame())
            self.host.bus.write_bytes(self.frame_of(gpa), bytes(PAGE))

    def map(self, gpa: int, frame: int, flags: int = PRIVATE) -> None:
        self.table.map(gpa, frame, flags)

    def table_entry(self, gpa: int) -> int:
        """The raw level-0 G-stage PTE of ``gpa`` (valid or not; 0 if no table)."""
        slot = self.table._slot(gpa & ~(PAGE - 1), 0, create=False)
        return self.host.bus.load(slot, 4) if slot is not None else 0

    def set_entry(self, gpa: int, pte: int) -> None:
        self.host.bus.store(self.table._slot(gpa & ~(PAGE - 1), 0, create=True), 4, pte)

    def frame_of(self, gpa: int) -> int | None:
        """The host frame ``gpa`` is mapped to now, or None."""
        found = self.table.lookup(gpa & ~(PAGE - 1))
        return (found.pte >> 10) << 12 if found else None

    def mapped_pages(self):
        """(gpa, frame, pte) of every page with a frame."""
        for gpa in range(GPA_BASE, GPA_BASE + self.pages * PAGE, PAGE):
            found = self.table.lookup(gpa)
            if found:
                yield gpa, (found.pte >> 10) << 12, found.pte

    # ------------------------------------------------------------ guest accesses
    def translate(self, gpa: int, access: int) -> int:
        """The host-physical address of a guest access, after any guest-page faults."""
        bus = self.host.bus
        for _ in range(4):
            found = walk(lambda a: bus.load(a, 4), self.table.root >> 12, gpa, access, 0,
                         scheme=SV32X4)
            if found.fault is None:
                return found.pa
            self.host.guest_page_fault(self, gpa, access)
        raise GuestMemoryError(f'VM {self.name!r}: {gpa:#010x} still faults after its '
                               'handlers ran (a VMM bug, the VM stops)')

    def read(self, gpa: int, n: int) -> bytes:
        out = b''
        while n:
            chunk = min(n, PAGE - (gpa & (PAGE - 1)))
            out += self.host.bus.read_bytes(self.translate(gpa, LOAD), chunk)
            gpa, n = gpa + chunk, n - chunk
        return out

    def write(self, gpa: int, data: bytes) -> None:
        while data:
            chunk = min(len(data), PAGE - (gpa & (PAGE - 1)))
            self.host.bus.write_bytes(self.translate(gpa, STORE), data[:chunk])
            gpa, data = gpa + chunk, data[chunk:]


__all__ = ['COW', 'GPA_BASE', 'PRIVATE', 'SWAPPED', 'GuestMemoryError', 'Host',
           'OvercommitVM', 'make_pte']
