"""vma: the virtual memory areas of an address space -- which ranges exist, with which
protection, before any page of them is in memory.

What it models.  Linux describes a process's address space as a sorted set of
``struct vm_area_struct`` (include/linux/mm_types.h): each a page-aligned range
``[start, end)`` with protection bits (``PROT_READ``/``PROT_WRITE``/``PROT_EXEC``, man 2
mmap), private or shared, and what it holds.  The page table says which pages are
present *now*; the VMAs say which pages *may* be -- a page fault inside a VMA that
permits the access is resolved (demand zero, copy-on-write), one outside is a SIGSEGV.

``VmaList`` keeps the areas sorted and non-overlapping, and offers the range operations
``mmap``/``munmap``/``mprotect``/``mremap`` are made of (mm/mmap.c, mm/mprotect.c):
``carve`` splits areas at the ends of a range (``split_vma``), ``merge`` joins
neighbours that are alike (``vma_merge``), ``find_gap`` picks a free range top-down
below a limit (``unmapped_area_topdown``).  Simplified: a list with ``bisect`` instead
of Linux's maple tree; no file backing (``kind`` names what an area holds:
text, data, heap, stack, anon, vdso -- the kernel's signal-return page).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace

PAGE = 4096
PROT_NONE, PROT_READ, PROT_WRITE, PROT_EXEC = 0, 1, 2, 4
PROT_ALL = PROT_READ | PROT_WRITE | PROT_EXEC
KINDS = ("text", "data", "heap", "stack", "anon", "vdso")
MAPS_NAME = {"heap": "[heap]", "stack": "[stack]", "vdso": "[vdso]"}   # proc(5) maps names
USER_TOP = 0xC000_0000          # user addresses end here (Linux's classic 3 GiB split)
MMAP_MIN = 0x1_0000             # lowest address mmap hands out (vm.mmap_min_addr, 64 KiB)
STACK_GAP = 8 << 20             # mmap_base = USER_TOP - 8 MiB (Linux: the stack rlimit)


def page_down(addr: int) -> int:
    return addr & ~(PAGE - 1)


def page_up(addr: int) -> int:
    return (addr + PAGE - 1) & ~(PAGE - 1)


@dataclass
class Vma:
    """One area: ``[start, end)`` (page-aligned), ``prot`` (PROT_* bits), ``kind``, and
    ``shared`` (MAP_SHARED: fork shares its pages instead of copying them on write)."""

    start: int
    end: int
    prot: int
    kind: str = "anon"
    shared: bool = False

    @property
    def perms(self) -> str:
        """'rwxp' as /proc/<pid>/maps prints it (p private, s shared)."""
        return "".join(letter if self.prot & bit else "-" for letter, bit in
                       (("r", PROT_READ), ("w", PROT_WRITE), ("x", PROT_EXEC))) + \
            ("s" if self.shared else "p")

    @property
    def length(self) -> int:
        return self.end - self.start

    def alike(self, other: Vma) -> bool:
        """May the two areas be one (same protection, kind and sharing)?"""
        return (self.prot, self.kind, self.shared) == (other.prot, other.kind, other.shared)

    def maps_line(self, exe: str = "") -> str:
        """This area as one line of /proc/<pid>/maps (proc(5)): offset, device and inode
        0; the name column shows ``exe`` (the program's path) for its text and data."""
        name = MAPS_NAME.get(self.kind, exe if self.kind in ("text", "data") else "")
        line = f"{self.start:08x}-{self.end:08x} {self.perms} 00000000 00:00 0"
        return f"{line:<49} {name}".rstrip()


class VmaList:
    """The areas of one address space, sorted by start, never overlapping."""

    def __init__(self, areas=()):
        self.areas: list[Vma] = sorted((replace(a) for a in areas), key=lambda a: a.start)

    def copy(self) -> VmaList:
        """An independent copy (fork duplicates the VMA list: ``dup_mmap``)."""
        return VmaList(self.areas)

    def __iter__(self):
        return iter(self.areas)

    def __len__(self) -> int:
        return len(self.areas)

    def find(self, addr: int) -> Vma | None:
        """The area containing ``addr`` (Linux ``find_vma`` + the start check), or None."""
        i = bisect_right(self.areas, addr, key=lambda a: a.start) - 1
        if i >= 0 and addr < self.areas[i].end:
            return self.areas[i]
        return None

    def overlapping(self, start: int, end: int) -> list[Vma]:
        """The areas that have a byte in ``[start, end)``, in order."""
        return [a for a in self.areas if a.start < end and start < a.end]

    def is_free(self, start: int, end: int) -> bool:
        return not self.overlapping(start, end)

    def covered(self, start: int, end: int) -> bool:
        """Is every byte of ``[start, end)`` inside some area (no hole)?"""
        at = start
        for area in self.overlapping(start, end):
            if area.start > at:
                return False
            at = area.end
        return at >= end

    def carve(self, start: int, end: int) -> list[Vma]:
        """Split areas at ``start`` and ``end`` (``split_vma``); return the areas now
        lying wholly inside ``[start, end)``, in order (the caller may change them)."""
        for cut in (start, end):
            area = self.find(cut)
            if area is not None and area.start < cut:
                tail = replace(area, start=cut)
                area.end = cut
                self.areas.insert(self.areas.index(area) + 1, tail)
        return self.overlapping(start, end)

    def insert(self, area: Vma) -> Vma:
        """Add an area over a free range (the caller checked it is free)."""
        if not self.is_free(area.start, area.end):
            raise ValueError(f"[{area.start:#x}, {area.end:#x}) overlaps an existing area")
        i = bisect_right(self.areas, area.start, key=lambda a: a.start)
        self.areas.insert(i, area)
        return area

    def remove(self, start: int, end: int) -> list[Vma]:
        """Take every area out of ``[start, end)`` (splitting at the ends); the removed."""
        gone = self.carve(start, end)
        self.areas = [a for a in self.areas if a not in gone]
        return gone

    def merge(self) -> None:
        """Join touching neighbours that are alike (``vma_merge``)."""
        merged: list[Vma] = []
        for area in self.areas:
            if merged and merged[-1].end == area.start and merged[-1].alike(area):
                merged[-1].end = area.end
            else:
                merged.append(area)
        self.areas = merged

    def find_gap(self, length: int, top: int, bottom: int) -> int | None:
        """The highest free ``[addr, addr + length)`` with ``bottom <= addr`` and
        ``addr + length <= top`` (``unmapped_area_topdown``), or None."""
        for area in reversed(self.areas):
            if area.start >= top:
                continue
            if area.end <= top and top - area.end >= length:
                break
            top = area.start
        return top - length if top - length >= bottom else None


__all__ = ["KINDS", "MMAP_MIN", "PAGE", "PROT_ALL", "PROT_EXEC", "PROT_NONE", "PROT_READ",
           "PROT_WRITE", "STACK_GAP", "USER_TOP", "Vma", "VmaList", "page_down", "page_up"]
