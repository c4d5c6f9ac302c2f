"""Content-based page sharing with copy-on-write (Waldspurger, OSDI 2002, sec. 4).

The VMM does not know which guest pages are equal (guests share no information), so it
looks: ``scan`` hashes each page of every VM (``page_hash`` in the ledger); a page whose
hash is already in the table is a *hint*; the two pages are compared byte for byte (a
hash match alone never merges: sec. 4.2) and, if equal, the VM's G-stage entry is
pointed at the already-shared frame, read-only and marked ``COW`` in its software bits,
and its own frame is freed.  The first page of a hash, still private, is made read-only
too when a second copy joins it.

A guest write to a shared page fails the G-stage walk (no W): a guest-page fault, an
exit; ``break_cow`` gives the VM a private copy of the frame (``page_copy``), writable
again, and the write is retried.  The last mapping of a frame gets its W bit back
without a copy.

Simplified: the scan covers every page at once (ESX scans a few pages per second at
random), and the hash is BLAKE2b truncated to 64 bits (``hashlib``; ESX used a 64-bit
hash as well).
"""
from __future__ import annotations

import hashlib

from vlab.hardware.overcommit.host import COW, PRIVATE
from vlab.isa.pagetable import PAGE, PTE_V, PTE_W, STORE


def page_digest(data: bytes) -> bytes:
    """The 64-bit content hash of one page."""
    return hashlib.blake2b(data, digest_size=8).digest()


class PageSharer:
    """Content-based sharing over all the VMs of ``host``."""

    def __init__(self, host):
        self.host = host
        self.by_hash: dict[bytes, int] = {}           # hash -> frame shared (or hinted)
        self.merged = self.compared = self.false_hints = self.copies = 0
        host.handlers.append(self.break_cow)

    def scan(self) -> int:
        """Hash and compare every mapped page of every VM; returns pages merged now."""
        host, merged = self.host, 0
        for vm in host.vms:
            for gpa, frame, _pte in list(vm.mapped_pages()):
                data = host.bus.read_bytes(frame, PAGE)
                host.ledger.charge('page_hash')
                key = page_digest(data)
                other = self.by_hash.get(key)
                if other is None or other not in host.refs:
                    self.by_hash[key] = frame
                    continue
                if other == frame:
                    continue
                self.compared += 1
                if host.bus.read_bytes(other, PAGE) != data:
                    self.false_hints += 1                # same hash, other contents
                    continue
                self._make_read_only(other)
                vm.map(gpa, other, (PRIVATE & ~PTE_W) | COW)
                host.refs[other] += 1
                host.release(frame)
                merged += 1
        self.merged += merged
        return merged

    def _make_read_only(self, frame: int) -> None:
        """Every mapping of ``frame`` loses W (the first copy, still private)."""
        for vm in self.host.vms:
            for gpa, mapped, pte in vm.mapped_pages():
                if mapped == frame and pte & PTE_W:
                    vm.map(gpa, frame, (pte & 0x3FF & ~PTE_W) | COW)

    def break_cow(self, vm, gpa: int, pte: int, access: int) -> bool:
        """The guest-page fault handler: a write to a COW page gets a private copy."""
        if access != STORE or not pte & PTE_V or not pte & COW:
            return False
        host, frame = self.host, (pte >> 10) << 12
        if host.refs[frame] == 1:                        # the last one: just writable
            vm.map(gpa, frame, PRIVATE)
            return True
        copy = host.alloc_frame()
        host.bus.write_bytes(copy, host.bus.read_bytes(frame, PAGE))
        host.ledger.charge('page_copy')
        vm.map(gpa, copy, PRIVATE)
        host.release(frame)
        self.copies += 1
        return True


__all__ = ['PageSharer', 'page_digest']
