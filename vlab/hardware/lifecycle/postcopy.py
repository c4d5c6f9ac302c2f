"""Post-copy live migration (Hines & Gopalan, "Post-Copy Based Live Virtual Machine
Migration Using Adaptive Pre-Paging and Dynamic Self-Ballooning", VEE 2009).

Pre-copy sends memory first and the CPU last; post-copy does the opposite:

1. stop the guest on the source and send only its vCPU and device state (a few KiB):
   that transfer plus one latency is the whole **downtime**;
2. resume it at once on the destination, with *no* guest memory there;
3. a guest access to a page that has not arrived is a **network page fault**: the
   destination's VMM asks the source for it (a round trip plus one page on the wire)
   and the guest waits;
4. **pre-paging** (their sec. 3.2): the source answers with the faulting page and up to
   ``prepage`` pages on either side of it (the *bubble* around the faulting address,
   guessing spatial locality), so nearby accesses do not fault too;
5. **active push**: while the guest computes, the link's idle time pushes the remaining
   pages in the background, nearest to the last fault first; when every page has
   arrived the source is released.  Each page is sent exactly once.

How the faults are real here: the destination VMM's guest-physical map (the Sv32 table
the hardware uses while the guest runs untranslated, vlab/hardware/guest_memory.py) is
replaced by a *post-copy map* that maps only the pages that have arrived.  A guest load,
store or fetch of any other page is a real page fault; the pager is registered on the
trap router ahead of the VMM (vlab/isa/trap_router.py: the latest registration is asked
first), takes the faults on missing guest RAM, fetches, maps, and retries the
instruction; every other fault it declines to the VMM.  When all pages are present the
original map is put back.

Simplified: the destination must be a VMM whose guest-physical map is that one table
(``trap-emulate``, ``bt``) and the guest must not turn on its own paging while pages are
missing; the ``hw`` VMM's G-stage map would need the same treatment (coming).  The
source's copy is frozen when it stops (a destination failure would lose the VM:
Hines & Gopalan's noted weakness of post-copy).
"""
from __future__ import annotations

from vlab.isa.causes import PAGE_FAULTS
from vlab.isa.pagetable import PAGE, PageTable, PoolAllocator

from ..guest_memory import USER_RWX
from .destination import check_room
from .link import PAGE_ON_WIRE, Link
from .migration_report import DEFAULT_GUEST_IPS, MigrationReport
from .snapshot_file import to_bytes
from .vmstate import capture, restore

POSTCOPY_METHODS = ('trap-emulate', 'bt')
MAP_PAGES = 8                  # VMM pages for the post-copy map (root + second levels)


class PostcopyError(ValueError):
    """Post-copy cannot be used for this VM (the message says why)."""


class PostcopyPager:
    """The destination's side: the post-copy map and the network page-fault handler."""

    def __init__(self, vm, source_pages: dict, link: Link, prepage: int):
        memory = vm.memory
        self.vm, self.memory, self.link, self.prepage = vm, memory, link, prepage
        self.source_pages = source_pages          # page -> bytes (absent: zero page)
        self.npages = memory.size // PAGE
        self.missing = set(range(self.npages))
        self.faults = self.prepaged = self.pushed = 0
        self.stall = 0.0
        self.last_fault = 0
        top = memory.vmm_base + memory.vmm_size - MAP_PAGES * PAGE
        self.table = PageTable(vm.machine.bus, PoolAllocator(top, MAP_PAGES * PAGE))
        for base, size, _ in memory.devices:
            self.table.map_range(base, base, size, USER_RWX)
        self.original = memory.physical_table
        memory.physical_table = self.table
        vm.vmm.select_address_space()
        vm.machine.sfence_vma()
        self.registration = vm.machine.traps.register(
            'M', self.on_fault, causes=set(PAGE_FAULTS), charge_as='vm_exit',
            name='post-copy pager')

    # ------------------------------------------------------------ pages arriving
    def _arrive(self, page: int) -> None:
        data = self.source_pages.get(page)
        address = self.memory.base + page * PAGE
        if data is not None:
            self.vm.machine.load_bytes(address, data)
        self.table.map_range(address, address, PAGE, USER_RWX)
        self.missing.discard(page)

    def on_fault(self, ctx):
        """A page fault in the guest: a missing page of guest RAM is fetched."""
        page = (ctx.tval - self.memory.base) // PAGE if ctx.tval is not None else -1
        if not (0 <= page < self.npages and page in self.missing):
            return ctx.decline()
        bubble = [p for p in range(page - self.prepage, page + self.prepage + 1)
                  if p != page and p in self.missing]
        self.stall += self.link.request(PAGE) + self.link.send(len(bubble) * PAGE_ON_WIRE)
        for p in (page, *bubble):
            self._arrive(p)
        self.faults += 1
        self.prepaged += len(bubble)
        self.last_fault = page
        self.vm.machine.sfence_vma()
        return ctx.resume(ctx.epc)

    def push(self, seconds: float) -> float:
        """Push missing pages for ``seconds`` of idle link time, nearest to the last
        fault first; returns the time used."""
        count = min(len(self.missing), int(seconds / self.link.page_time()))
        if count <= 0:
            return 0.0
        order = sorted(self.missing, key=lambda p: (abs(p - self.last_fault), p))[:count]
        used = self.link.send(count * PAGE_ON_WIRE)
        for page in order:
            self._arrive(page)
        self.pushed += count
        self.vm.machine.sfence_vma()
        return used

    def done(self) -> None:
        """Every page is here: the ordinary guest-physical map again."""
        self.vm.machine.traps.unregister(self.registration)
        self.memory.physical_table = self.original
        self.vm.vmm.select_address_space()
        self.vm.machine.sfence_vma()


def postcopy(vm, link: Link, *, guest_ips: float = DEFAULT_GUEST_IPS, prepage: int = 2,
             slice_pages: int = 4, costs=None, max_instructions: int = 10**8,
             dest_cpu: str | None = None, dest_ram: int | None = None):
    """Migrate ``vm`` over ``link`` by post-copy; returns (report, destination VM).

    The destination runs until every page has arrived (or the guest stops); the caller
    runs it on from there.  ``dest_cpu``: the destination's CPU-virtualization method,
    if not the source's."""
    check_room(vm, dest_ram)
    target = dest_cpu or vm.cpu
    if target not in POSTCOPY_METHODS:
        raise PostcopyError(f'post-copy needs a destination VMM with a one-stage '
                            f'guest-physical map ({", ".join(POSTCOPY_METHODS)}); '
                            f'--cpu {target} is not supported there (use pre-copy, or '
                            'another destination method)')
    state = capture(vm)                                    # the source stops here
    source_pages, state.pages = state.pages, {}
    report = MigrationReport('postcopy', memory_pages=vm.memory.size // PAGE)
    report.downtime = link.send(len(to_bytes(state))) + link.latency
    dest = restore(state, costs=costs, cpu=dest_cpu)
    pager = PostcopyPager(dest, source_pages, link, prepage)
    clock, start = report.downtime, dest.machine.hart.instret
    slice_time = slice_pages * link.page_time()
    while pager.missing:
        stall_before = pager.stall
        result = dest.run(max_instructions=max(1, int(slice_time * guest_ips)))
        clock += pager.stall - stall_before + slice_time
        pager.push(slice_time)
        if result.status != 'budget' or dest.machine.hart.instret - start > max_instructions:
            while pager.missing:                          # the guest ended: send the rest
                clock += pager.push(len(pager.missing) * link.page_time())
            break
    pager.done()
    report.network_faults, report.prepaged, report.pushed = (pager.faults, pager.prepaged,
                                                             pager.pushed)
    report.fault_stall = pager.stall
    report.pages_sent = pager.faults + pager.prepaged + pager.pushed
    report.total_time = clock
    report.bytes_sent = link.sent
    report.instructions_during = dest.machine.hart.instret - start
    return report, dest


__all__ = ['POSTCOPY_METHODS', 'PostcopyError', 'PostcopyPager', 'postcopy']
