"""Write watches on physical pages of RAM, with a reason per watch, and dirty-page logging.

Several mechanisms of the course must see writes to particular pages of RAM:

* ``CODE``: a page holding predecoded or translated code -- a write must drop the stale
  code (self-modifying code; Smith & Nair, *Virtual Machines*, 2005, sec. 3.4.3);
* ``PAGE_TABLE``: a guest page-table page that a shadow-paging VMM has write-protected, so
  that it can keep its shadow table in sync (Adams & Agesen, ASPLOS 2006, sec. 2.3
  "tracing");
* ``DEVICE``: a RAM word a device polls (the HTIF ``tohost`` mailbox);
* ``DIRTY_LOG``: a page of a memory region whose dirty pages are being logged, for live
  migration (Clark et al., NSDI 2005).

One byte per page holds the reasons as bits, so "is this page watched at all?" is one
index: the CPU's fast paths (vlab/isa/mmu.py, the interpreter's and the DBT's inline
stores) test ``pages[offset >> 12]`` and take their slow path, which calls ``written``,
only when it is non-zero.  A page with no watch costs nothing.  The byte past the end of
RAM is permanently watched (``GUARD``): an offset of -1 indexes it, which translated code
uses as a "no valid offset" marker (vlab/isa/dbt/memory.py ``POISON``).

Every writer reports here: CPU stores (their slow path), and everything that writes RAM
through the bus -- DMA, loaders, a Python kernel, the MMU's A/D-bit updates -- because
the service listens to the bus (vlab/host/bus.py ``write_listeners``).

Dirty logging has the shape of KVM's ``KVM_GET_DIRTY_LOG`` (Linux
Documentation/virt/kvm/api.rst, sec. 4.8): logging is enabled per memory *slot* (a named
region of guest-physical memory); ``get_dirty_log(slot)`` returns a bitmap with bit ``i``
set when page ``i`` of the slot was written since the previous call, and clears it.  As in
KVM, a page is write-protected (watched) while clean; its first write marks the bitmap
and lifts the protection, so later writes run at full speed until the log is read again.
"""
from __future__ import annotations

from dataclasses import dataclass

PAGE_SHIFT = 12
CODE, PAGE_TABLE, DEVICE, DIRTY_LOG, GUARD = 1, 2, 4, 8, 0x80
REASONS = {'code': CODE, 'page-table': PAGE_TABLE, 'device': DEVICE,
           'dirty-log': DIRTY_LOG}
NOTIFIED = (CODE, PAGE_TABLE, DEVICE)      # reasons whose handlers are called on a write


@dataclass
class DirtySlot:
    """One memory region with dirty logging on: pages ``[first, first + count)`` of RAM."""

    name: str
    first: int
    count: int
    bitmap: bytearray

    def covers(self, page: int) -> bool:
        return self.first <= page < self.first + self.count


class WriteWatch:
    """The write-watch service of one RAM (see the module docstring)."""

    def __init__(self, ram_base: int, ram_size: int):
        self.base, self.size = ram_base, ram_size
        self.pages = bytearray((ram_size >> PAGE_SHIFT) + 2)   # reason bits per page
        self.pages[-1] = GUARD
        self.handlers: dict[int, list] = {reason: [] for reason in NOTIFIED}
        self.on_protect: list = []       # callables(): a page became watched
        self.slots: dict[str, DirtySlot] = {}

    # ------------------------------------------------------------ watches
    def _page(self, pa: int) -> int:
        offset = pa - self.base
        if not 0 <= offset < self.size:
            raise ValueError(f'{pa:#x} is not in RAM [{self.base:#x}, '
                             f'{self.base + self.size:#x}): only RAM pages can be watched')
        return offset >> PAGE_SHIFT

    def watch(self, pa: int, reason: int) -> None:
        """Watch the page holding physical address ``pa`` for ``reason``."""
        self._set(self._page(pa), reason)

    def unwatch(self, pa: int, reason: int) -> None:
        """Stop watching the page for ``reason`` (its other reasons stay)."""
        self.pages[self._page(pa)] &= ~reason

    def reasons(self, pa: int) -> set[str]:
        """The names of the reasons the page holding ``pa`` is watched for."""
        bits = self.pages[self._page(pa)]
        return {name for name, bit in REASONS.items() if bits & bit}

    def on_write(self, reason: int, handler) -> None:
        """Call ``handler(pa, size)`` after each write to a page watched for ``reason``."""
        if reason not in self.handlers:
            raise ValueError(f'reason {reason} has no handlers; use one of {NOTIFIED}')
        self.handlers[reason].append(handler)

    def _set(self, page: int, reason: int) -> None:
        pages = self.pages
        before = pages[page]
        pages[page] = before | reason
        if not before:
            for protect in self.on_protect:
                protect()

    # ------------------------------------------------------------ writes
    def bus_written(self, pa: int, size: int) -> None:
        """A bus write listener: ``size`` bytes at physical ``pa`` were written."""
        self.written(pa - self.base, size)

    def written(self, offset: int, size: int) -> None:
        """``size`` bytes at RAM ``offset`` were written: mark and notify."""
        pages = self.pages
        first, last = offset >> PAGE_SHIFT, (offset + size - 1) >> PAGE_SHIFT
        bits = pages[first] | pages[last]
        if last - first > 1:
            for value in set(pages[first + 1:last]):
                bits |= value
        if not bits:
            return
        if bits & DIRTY_LOG:
            self._mark_dirty(first, last)
        for reason in NOTIFIED:
            if bits & reason:
                for handler in self.handlers[reason]:
                    handler(self.base + offset, size)

    def _mark_dirty(self, first: int, last: int) -> None:
        pages = self.pages
        for page in range(first, last + 1):
            if pages[page] & DIRTY_LOG:
                pages[page] &= ~DIRTY_LOG                 # writable until the log is read
                for slot in self.slots.values():
                    if slot.covers(page):
                        index = page - slot.first
                        slot.bitmap[index >> 3] |= 1 << (index & 7)

    # ------------------------------------------------------------ dirty logging
    def enable_dirty_log(self, slot: str, pa: int, size: int) -> None:
        """Log writes to the pages of ``[pa, pa + size)`` (whole pages) as ``slot``."""
        if slot in self.slots:
            raise ValueError(f'dirty logging is already on for slot {slot!r}')
        if pa & 0xFFF or size <= 0 or size & 0xFFF:
            raise ValueError('a dirty-log slot is a positive whole number of 4 KiB pages, '
                             f'page aligned (got {pa:#x}, {size:#x})')
        first, count = self._page(pa), size >> PAGE_SHIFT
        self._page(pa + size - 1)
        self.slots[slot] = DirtySlot(slot, first, count, bytearray((count + 7) // 8))
        self._protect(first, count)

    def disable_dirty_log(self, slot: str) -> None:
        """Stop logging ``slot`` (its pages lose the dirty-log watch)."""
        gone = self._slot(slot)
        del self.slots[slot]
        for page in range(gone.first, gone.first + gone.count):
            if not any(other.covers(page) for other in self.slots.values()):
                self.pages[page] &= ~DIRTY_LOG

    def get_dirty_log(self, slot: str) -> bytes:
        """KVM_GET_DIRTY_LOG: the slot's bitmap (bit ``i`` of byte ``i // 8``: page ``i``
        of the slot written since the last call), then clear it and write-protect the
        pages that were dirty again."""
        found = self._slot(slot)
        bitmap = bytes(found.bitmap)
        found.bitmap[:] = bytes(len(bitmap))
        for index in dirty_pages(bitmap):
            self._set(found.first + index, DIRTY_LOG)
        return bitmap

    def _protect(self, first: int, count: int) -> None:
        pages = self.pages
        newly = False
        for page in range(first, first + count):
            newly |= not pages[page]
            pages[page] |= DIRTY_LOG
        if newly:
            for protect in self.on_protect:
                protect()

    def _slot(self, slot: str) -> DirtySlot:
        try:
            return self.slots[slot]
        except KeyError:
            raise KeyError(f'no dirty-log slot {slot!r}; enabled: {sorted(self.slots)}') \
                from None


def dirty_pages(bitmap: bytes) -> list[int]:
    """The page indices whose bits are set in a dirty bitmap."""
    return [8 * i + bit for i, byte in enumerate(bitmap) if byte
            for bit in range(8) if byte >> bit & 1]


__all__ = ['CODE', 'DEVICE', 'DIRTY_LOG', 'GUARD', 'PAGE_TABLE', 'REASONS', 'DirtySlot',
           'WriteWatch', 'dirty_pages']
