"""Ballooning (Waldspurger, OSDI 2002, sec. 3.2): the guest gives memory back itself.

A *balloon driver* inside the guest allocates pages from its own kernel -- pages the
guest's allocator then will not use -- and tells the VMM their guest-physical numbers;
the VMM unmaps them from the VM's G-stage table and frees their frames.  The guest's own
allocator decided which pages it could spare, which the VMM cannot know.  Deflating
gives the pages back to the guest's allocator; the VMM backs each with a fresh zeroed
frame on its first touch (the default guest-page fault of ``host.py``).

The hypercall (documented interface of this VMM; the shape of virtio-balloon's inflate
and deflate queues, virtio spec 1.2 sec. 5.5):

====================  =======================================================
``BALLOON_INFLATE``   a0 = 1, a1 = guest-physical address of a list of 32-bit
                      page frame numbers (gpa >> 12), a2 = their count
``BALLOON_DEFLATE``   a0 = 2, same a1/a2: the guest takes these pages back
====================  =======================================================

The VMM reads the list *through the VM's G-stage table* (it is guest memory), checks
every number (a page outside the VM's RAM is refused: the call returns -1 and nothing
changes), and charges one ``hypercall``.

Simplified: the guest's allocator is a list of free page numbers in ``BalloonDriver``
(Python standing for the guest kernel), not a guest program.
"""
from __future__ import annotations

import struct

from vlab.isa.pagetable import PAGE

BALLOON_INFLATE, BALLOON_DEFLATE = 1, 2


class Balloon:
    """The VMM side: the hypercall handler."""

    def __init__(self, host):
        self.host = host
        self.reclaimed = 0
        self.ballooned: dict[str, set[int]] = {}          # VM name -> gpas given back

    def hypercall(self, vm, a0: int, a1: int, a2: int) -> int:
        """Handle one balloon hypercall from ``vm``; returns a0 (0 OK, -1 refused)."""
        host = self.host
        host.ledger.charge('hypercall')
        if a0 not in (BALLOON_INFLATE, BALLOON_DEFLATE) or not 0 <= a2 <= 1024:
            return -1
        gpas = [pfn << 12 for pfn in struct.unpack(f'<{a2}I', vm.read(a1, 4 * a2))]
        if not all(vm.owns(g) for g in gpas) or a1 >> 12 in {g >> 12 for g in gpas}:
            return -1                       # outside its RAM, or the list's own page
        mine = self.ballooned.setdefault(vm.name, set())
        for gpa in gpas:
            if a0 == BALLOON_INFLATE and gpa not in mine:
                frame = vm.frame_of(gpa)
                if frame is not None:
                    vm.table.unmap(gpa)
                    host.release(frame)
                    self.reclaimed += 1
                mine.add(gpa)
            elif a0 == BALLOON_DEFLATE:
                mine.discard(gpa)
        return 0


class BalloonDriver:
    """The guest side: takes pages from the guest's free list and reports them."""

    def __init__(self, vm, balloon: Balloon, free_pages: list[int], list_gpa: int):
        self.vm, self.balloon, self.free, self.list_gpa = vm, balloon, free_pages, list_gpa
        self.held: list[int] = []

    def _call(self, op: int, gpas: list[int]) -> int:
        self.vm.write(self.list_gpa, struct.pack(f'<{len(gpas)}I', *(g >> 12 for g in gpas)))
        return self.balloon.hypercall(self.vm, op, self.list_gpa, len(gpas))

    def inflate(self, pages: int) -> int:
        """Take up to ``pages`` free guest pages and give them to the VMM."""
        taken = [self.free.pop() for _ in range(min(pages, len(self.free), PAGE // 4))]
        if self._call(BALLOON_INFLATE, taken):
            self.free.extend(taken)
            return 0
        self.held.extend(taken)
        return len(taken)

    def deflate(self, pages: int) -> int:
        """Give ``pages`` back to the guest's allocator."""
        back = [self.held.pop() for _ in range(min(pages, len(self.held)))]
        self._call(BALLOON_DEFLATE, back)
        self.free.extend(back)
        return len(back)


__all__ = ['BALLOON_DEFLATE', 'BALLOON_INFLATE', 'Balloon', 'BalloonDriver']
