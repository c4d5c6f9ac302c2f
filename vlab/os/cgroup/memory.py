"""The memory controller: ``memory.max`` enforced by the page allocator, OOM in the cgroup.

Documentation/admin-guide/cgroup-v2.rst, "Memory"; the mechanism is mm/memcontrol.c's
``try_charge`` over mm/page_counter.c: every page a process of the cgroup gets is
*charged* to its cgroup and to each ancestor; a charge that would take any level past
its ``memory.max`` fails, the kernel's OOM killer then picks a victim *inside the cgroup
whose limit was hit* (mm/oom_kill.c, ``mem_cgroup_out_of_memory``) and kills it with
SIGKILL -- a container's process killed that way exits with status 137 (128 + 9).

This object is the charge ``account`` the frame allocator (``../frames.py``) calls:
``try_charge(pages)`` (raises the allocator's ``OutOfMemory`` -- a SyscallError ENOMEM --
with ``account`` = the controller whose limit was hit) and ``uncharge(pages)``.  Memory stays
charged to the cgroup that allocated it when a process moves (cgroup-v2.rst, "Organize
Once and Control"): an address space keeps its account.

``memory.events`` is hierarchical (an event counts in the cgroup and its ancestors,
mm/memcontrol.c ``memcg_memory_event``): ``max`` and ``oom`` each time a charge hit a
limit, ``oom_kill`` for each process killed.  ``low`` and ``high`` stay 0.

Simplified, as a model: there is no reclaim (no page cache, no swap), so a charge past
the limit goes straight to OOM (Linux first tries to reclaim); no memory.low/high/min;
``memory.peak`` is reset by any write for every reader (Linux: per open file).
Lowering memory.max below the current usage counts an ``oom`` event and calls the
kernel's ``oom_handler`` once (if it registered one on the root cgroup: a callable
taking this controller), which may kill with ``oom()`` until the usage fits, as Linux's
``memory_max_write`` does; without one, later charges meet the new limit.
"""

from __future__ import annotations

from ..frames import OutOfMemory
from .parse import format_flat, format_limit, parse_bytes_limit

PAGE_SIZE = 4096
EVENT_NAMES = ("low", "high", "max", "oom", "oom_kill")
INIT_PID = 1                                  # the host's init is never an OOM victim


class MemoryController:
    """memory.max/current/peak/events of one cgroup; the charge object of its pages."""

    name = "memory"

    def __init__(self, cgroup):
        self.cgroup = cgroup
        self.current_pages = 0                # this cgroup and its descendants
        self.peak_pages = 0
        self.events = dict.fromkeys(EVENT_NAMES, 0)   # hierarchical counts
        self.reset()

    def reset(self) -> None:
        """The default limit: none (``max``)."""
        self.max_pages: int | None = None

    @property
    def path(self) -> str:
        """The cgroup's path (how the allocator's OutOfMemory names the account)."""
        return self.cgroup.path

    def _levels(self):
        return [cg.memory for cg in self.cgroup.ancestors()]

    @property
    def max(self) -> int | None:
        """memory.max in bytes (None: no limit)."""
        return None if self.max_pages is None else self.max_pages * PAGE_SIZE

    @property
    def current(self) -> int:
        """memory.current in bytes."""
        return self.current_pages * PAGE_SIZE

    @property
    def effective_max_pages(self) -> int | None:
        """The limit that applies here: the smallest memory.max of this cgroup and its
        ancestors (None: no limit anywhere)."""
        limits = [level.max_pages for level in self._levels() if level.max_pages is not None]
        return min(limits) if limits else None

    # -- the allocator's interface ----------------------------------------------------

    def try_charge(self, pages: int = 1) -> None:
        """Charge ``pages`` here and in every ancestor, or raise ``OutOfMemory`` naming the
        nearest level whose memory.max it would pass (nothing charged then)."""
        for level in self._levels():
            if level.max_pages is not None and level.current_pages + pages > level.max_pages:
                level._event("max")
                level._event("oom")
                raise OutOfMemory(level, f"memory.max of cgroup {level.path} reached: "
                                  f"{level.current_pages} of {level.max_pages} pages in "
                                  f"use, {pages} more asked")
        for level in self._levels():
            level.current_pages += pages
            level.peak_pages = max(level.peak_pages, level.current_pages)

    def uncharge(self, pages: int = 1) -> None:
        """Pages freed: uncharge here and in every ancestor."""
        if pages > self.current_pages:
            raise ValueError(f"memory uncharge of {pages} pages from cgroup "
                             f"{self.cgroup.path}, which has only {self.current_pages} "
                             "charged: a page was freed twice or charged elsewhere")
        for level in self._levels():
            level.current_pages -= pages

    def _event(self, name: str) -> None:
        for level in self._levels():
            level.events[name] += 1

    # -- the OOM killer's interface ---------------------------------------------------

    def oom_victim(self, processes):
        """The process the OOM killer kills for this cgroup: among the live processes in
        this cgroup's subtree, the one with the largest resident set (mm/oom_kill.c
        ``oom_badness``: rss); ties go to the higher pid (the later one the kernel's
        scan meets).  None if there is none (then the allocation fails with ENOMEM)."""
        candidates = [proc for proc in processes
                      if getattr(proc, "state", "R") != "Z" and proc.pid != INIT_PID
                      and proc.cgroup is not None and proc.cgroup.is_within(self.cgroup)]
        if not candidates:
            return None
        return max(candidates, key=lambda proc: (_rss(proc), proc.pid))

    def record_oom_kill(self, proc) -> None:
        """The kernel killed ``proc`` for OOM: count ``oom_kill`` in its cgroup and up."""
        proc.cgroup.memory._event("oom_kill")

    def oom(self, processes):
        """The OOM killer of this cgroup in one call: choose the victim among
        ``processes`` (``oom_victim``) and count its kill; the kernel then sends it
        SIGKILL.  None if there is no candidate."""
        victim = self.oom_victim(processes)
        if victim is not None:
            self.record_oom_kill(victim)
        return victim

    # -- interface files --------------------------------------------------------------

    def read_current(self) -> str:
        return f"{self.current_pages * PAGE_SIZE}\n"

    def read_peak(self) -> str:
        return f"{self.peak_pages * PAGE_SIZE}\n"

    def write_peak(self, text: str) -> None:
        """Any non-empty write resets the peak to the current usage."""
        if text.strip():
            self.peak_pages = self.current_pages

    def read_max(self) -> str:
        return format_limit(None if self.max_pages is None else self.max_pages * PAGE_SIZE)

    def write_max(self, text: str) -> None:
        """A byte count, rounded down to whole pages (mm/page_counter.c
        ``page_counter_memparse``), or ``max``."""
        limit = parse_bytes_limit("memory.max", text)
        self.max_pages = None if limit is None else limit // PAGE_SIZE
        if self.max_pages is not None and self.current_pages > self.max_pages:
            self._event("oom")                # memory_max_write: MEMCG_OOM, then OOM kill
            handler = self.cgroup.root.oom_handler
            if handler is not None:
                handler(self)

    def read_events(self) -> str:
        return format_flat((name, self.events[name]) for name in EVENT_NAMES)


def _rss(proc) -> int:
    space = getattr(proc, "space", None)
    return getattr(space, "rss_pages", 0) if space is not None else 0
