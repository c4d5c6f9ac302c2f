"""frames: the kernel's physical page allocator -- free list, reference counts, zeroing,
and the memory-cgroup charge of every frame.

What it models.  Linux keeps one ``struct page`` per physical frame, with a reference
count (``page_ref_count``, include/linux/page_ref.h) and the memory cgroup the page is
charged to (``page->memcg_data``, mm/memcontrol.c); the buddy allocator
(mm/page_alloc.c) hands out free frames.  Here:

* the frames are the 4 KiB pages of RAM in ``[base, limit)`` (the RAM above the kernel's
  own area); a *free list* holds the free ones.  Simplified: no buddy system, no zones,
  no higher orders -- every allocation is one frame, so there is no fragmentation.  The
  list is a stack, lowest address on top at the start, so runs are deterministic;
* ``alloc`` returns a **zeroed** frame with reference count 1 (Linux's
  ``alloc_page(GFP_USER | __GFP_ZERO)``); the zeroing is a real write to modeled RAM, so
  the machine's write watches see it (a frame that held code is forgotten by the
  predecode cache before it is reused);
* a frame shared by several page tables (copy-on-write after ``fork``) is ``ref``-ed
  once per extra mapping; ``unref`` at count 0 puts it back on the free list
  (``put_page``);
* ``account`` is the memory cgroup the frame is charged to (``mem_cgroup_charge``): an
  object with ``try_charge(pages)``, which raises ``OutOfMemory(account)`` past its
  ``memory.max``, and ``uncharge(pages)``.  The allocator remembers it per frame, so the
  last ``unref`` uncharges the cgroup that was charged, whoever drops the last
  reference (as ``page->memcg_data`` does).  ``None``: the frame is charged to nobody;
* out of free frames, ``alloc`` raises ``OutOfMemory(None)`` -- the machine is out of
  memory, where Linux would reclaim and then run the global OOM killer.

``OutOfMemory`` is a ``SyscallError`` with errno ENOMEM, so a system call that runs out
gets ``-ENOMEM``; the page-fault path catches it to OOM-kill (see ``aspace.py``).

Cost.  The kernel's memory work is charged to the machine's ledger (the bus's): one
``page_zero`` per frame handed out, one ``page_copy`` per copy-on-write copy
(``aspace.py``), priced in the one cost table (``vlab/host/costs.py``): 4 KiB at
main-memory bandwidth to clear, twice that to copy.

Counts for ``/proc/meminfo``: ``total_frames``, ``free_frames``, ``used_frames``
(``meminfo()`` gives MemTotal/MemFree/MemAvailable in kB, as proc(5) prints them).
"""

from __future__ import annotations

from .errno import ENOMEM, SyscallError

PAGE = 4096


class OutOfMemory(SyscallError):
    """No frame could be had: ``account`` is the memory cgroup whose ``memory.max``
    refused the charge, or None when the machine itself has no free frame."""

    def __init__(self, account=None, why: str = ""):
        if not why:
            why = ("the machine has no free page frame" if account is None else
                   f"the memory cgroup {getattr(account, 'path', account)!s} is at its "
                   "memory.max")
        super().__init__(ENOMEM, why)
        self.account = account


class FrameAllocator:
    """The 4 KiB frames of RAM in ``[base, limit)`` on ``bus``: a free list, a reference
    count and a cgroup charge per allocated frame (see the module docstring)."""

    def __init__(self, bus, base: int, limit: int):
        first = (base + PAGE - 1) & -PAGE
        last = limit & -PAGE
        if not bus.is_ram(first, max(last - first, 1)) or last <= first:
            ram = bus.ram
            raise ValueError(f"frames [{base:#x}, {limit:#x}) must be a non-empty range of "
                             f"RAM (RAM is [{ram.base:#x}, {ram.base + ram.size:#x}))")
        self.bus = bus
        self.ledger = getattr(bus, "ledger", None)    # the machine's (None: not charged)
        self.base, self.limit = first, last
        self.total_frames = (last - first) // PAGE
        self._free = list(range(last - PAGE, first - PAGE, -PAGE))   # lowest on top
        self._refs: dict[int, int] = {}          # pa -> reference count (allocated only)
        self._charged: dict[int, object] = {}    # pa -> the account charged for it
        self.allocations = self.frees = 0        # statistics
        self.fence = None     # the kernel's fence(code) for its spaces (aspace.py), if any
        self.retired_roots: set[int] = set()   # roots of dead spaces, maybe still cached

    # ------------------------------------------------------------ counts
    @property
    def free_frames(self) -> int:
        return len(self._free)

    @property
    def used_frames(self) -> int:
        return len(self._refs)

    def meminfo(self) -> dict[str, int]:
        """The first lines of /proc/meminfo, in kB (proc(5)): no page cache or swap is
        modeled, so MemAvailable equals MemFree."""
        kb = PAGE // 1024
        return {"MemTotal": self.total_frames * kb, "MemFree": self.free_frames * kb,
                "MemAvailable": self.free_frames * kb}

    # ------------------------------------------------------------ alloc and free
    def alloc(self, account=None) -> int:
        """A zeroed frame with reference count 1, charged to ``account`` (may be None);
        raises OutOfMemory when the cgroup refuses or no frame is free."""
        if account is not None:
            account.try_charge(1)                # raises OutOfMemory(account)
        if not self._free:
            if account is not None:
                account.uncharge(1)
            raise OutOfMemory(None, f"all {self.total_frames} page frames are in use "
                                    "(enlarge the machine's RAM)")
        pa = self._free.pop()
        self.bus.write_bytes(pa, bytes(PAGE))
        self.charge("page_zero")
        self._refs[pa] = 1
        self._charged[pa] = account
        self.allocations += 1
        return pa

    def charge(self, event: str) -> None:
        """Charge one ``event`` of the kernel's memory work to the ledger."""
        if self.ledger is not None:
            self.ledger.charge(event)

    def ref(self, pa: int) -> None:
        """One more mapping shares frame ``pa``."""
        self._refs[self._check(pa)] += 1

    def unref(self, pa: int) -> None:
        """One mapping of ``pa`` is gone; at count 0 the frame is free again and its
        cgroup uncharged."""
        count = self._refs[self._check(pa)] - 1
        if count:
            self._refs[pa] = count
            return
        del self._refs[pa]
        account = self._charged.pop(pa)
        if account is not None:
            account.uncharge(1)
        self._free.append(pa)
        self.frees += 1

    def refcount(self, pa: int) -> int:
        """How many mappings share frame ``pa`` (0: it is free)."""
        return self._refs.get(pa, 0)

    def charged_to(self, pa: int):
        """The account frame ``pa`` is charged to (None: nobody, or a free frame)."""
        return self._charged.get(pa)

    def _check(self, pa: int) -> int:
        if pa not in self._refs:
            raise ValueError(f"frame {pa:#x} is not allocated (a kernel bug: a page "
                             "freed twice or never allocated)")
        return pa

    def __repr__(self) -> str:
        return (f"<FrameAllocator [{self.base:#x}, {self.limit:#x}) "
                f"used={self.used_frames} free={self.free_frames}>")


__all__ = ["PAGE", "FrameAllocator", "OutOfMemory"]
