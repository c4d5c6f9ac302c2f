"""Pre-copy live migration (Clark et al., "Live Migration of Virtual Machines", NSDI 2005).

The VM keeps running on the source while its memory is copied in *rounds*:

1. turn on dirty logging for guest RAM (vlab/host/watch.py, the shape of KVM's
   ``KVM_GET_DIRTY_LOG``: clean pages are write-protected, the first write marks them);
2. round 1 sends every page of guest RAM; each later round sends the pages the dirty log
   says were written during the previous one;
3. a page written again *before its turn* in the current round is skipped (it is dirty
   again, it will go next round anyway: Clark et al. sec. 5.2, "we skip pages dirtied
   during the current round");
4. the rate adapts (sec. 5.1): round 1 at ``min_rate``; each later round at the previous
   round's dirtying rate plus ``rate_increment``, at most ``max_rate`` (Xen: 100 and 500
   Mbit/s, increment 50 Mbit/s) and never above the link's bandwidth;
5. **stop-and-copy** when the pages left are at most ``stop_pages`` (the writable working
   set fits the downtime budget), or after ``max_rounds`` rounds (Xen: 30), or after
   ``max_factor`` times guest memory was sent (Xen: 3x), or when the guest dirties faster
   than ``max_rate`` (it cannot converge -- Clark et al.'s "diabolical" MMuncher): the
   guest is paused, the remaining dirty pages and the vCPU and device state are sent at
   the link's full bandwidth, and the destination resumes it.  **Downtime** is that last
   transfer plus one latency.

While pages are on the wire the source guest really runs: after each batch of pages the
guest executes the instructions that fit in the batch's transfer time (``guest_ips``,
vlab/hardware/lifecycle/migration_report.py), and its stores really mark the dirty log.
Each page sent is charged to the source host's ledger as one ``page_copy`` (copying it
into the send buffer).

A link failure (vlab/hardware/lifecycle/link.py ``LinkDown``) at any point aborts the
migration: dirty logging is turned off and the source VM, which never stopped owning its
state, keeps running (the report says 'aborted').
"""
from __future__ import annotations

from vlab.host.watch import dirty_pages
from vlab.isa.pagetable import PAGE

from .destination import check_room
from .link import PAGE_ON_WIRE, Link, LinkDown
from .migration_report import DEFAULT_GUEST_IPS, MigrationReport, Round
from .snapshot_file import to_bytes
from .vmstate import capture_cpu, guest_ram_view, restore

SLOT = 'migration'


class GuestFinished(Exception):
    """The guest ended (exit, fault) while it was being migrated."""

    def __init__(self, result):
        super().__init__(f'the guest stopped while migrating: {result.status}')
        self.result = result


class RunningGuest:
    """The source guest, run in step with modeled time (``guest_ips`` per second)."""

    def __init__(self, vm, guest_ips: float):
        self.vm, self.guest_ips = vm, guest_ips
        self.time, self.start = 0.0, vm.machine.hart.instret

    def advance(self, seconds: float) -> None:
        self.time += seconds
        due = int(self.time * self.guest_ips) - self.executed
        if due > 0:
            result = self.vm.run(max_instructions=due)
            if result.status != 'budget':
                raise GuestFinished(result)

    @property
    def executed(self) -> int:
        return self.vm.machine.hart.instret - self.start


def precopy(vm, link: Link, *, guest_ips: float = DEFAULT_GUEST_IPS,
            min_rate: float = 100e6, max_rate: float = 500e6, rate_increment: float = 50e6,
            stop_pages: int = 16, max_rounds: int = 30, max_factor: float = 3.0,
            batch: int = 8, costs=None, dest_cpu: str | None = None,
            dest_ram: int | None = None):
    """Migrate running ``vm`` over ``link``; returns (report, destination VM or None).
    ``dest_cpu``: the destination's CPU-virtualization method, if not the source's
    (vlab/hardware/lifecycle/vmstate.py ``restore``); ``dest_ram``: the destination's free
    RAM (DestinationError before anything is sent if the VM does not fit)."""
    check_room(vm, dest_ram)
    memory = vm.memory
    npages = memory.size // PAGE
    watch = vm.machine.bus.watch
    report = MigrationReport('precopy', memory_pages=npages)
    guest = RunningGuest(vm, guest_ips)
    received: dict[int, bytes] = {}
    ram = guest_ram_view(vm)
    watch.enable_dirty_log(SLOT, memory.base, memory.size)
    try:
        to_send, rate = list(range(npages)), min(min_rate, link.bandwidth)
        while True:
            number = len(report.rounds) + 1
            began = guest.time
            sent, skipped = _send_round(to_send, watch.slots[SLOT].bitmap, ram, received,
                                        link, rate, guest, batch, vm)
            dirty = dirty_pages(watch.get_dirty_log(SLOT))
            seconds = guest.time - began
            report.rounds.append(Round(number, sent, skipped, rate, seconds, len(dirty)))
            report.pages_sent += sent
            dirtying = len(dirty) * PAGE_ON_WIRE * 8 / seconds if seconds else 0.0
            report.stop_reason = _stop_reason(len(dirty), number, report.pages_sent, npages,
                                              dirtying, rate, stop_pages, max_rounds,
                                              max_factor, max_rate, link)
            if report.stop_reason:
                break
            rate = min(max_rate, link.bandwidth, max(min_rate, dirtying + rate_increment))
            to_send = dirty
        # stop-and-copy: the guest is paused from here on
        state = capture_cpu(vm)
        for page in dirty:
            received[page] = bytes(ram[page * PAGE:(page + 1) * PAGE])
        cpu_bytes = len(to_bytes(state))
        last = link.send(len(dirty) * PAGE_ON_WIRE + cpu_bytes)
        vm.ledger.charge('page_copy', len(dirty))
        report.pages_sent += len(dirty)
        report.downtime = last + link.latency
        report.total_time = guest.time + report.downtime
    except LinkDown as exc:
        report.status, report.reason = 'aborted', f'{exc}; the source VM keeps running'
        return _finish(report, guest, link, watch), None
    except GuestFinished as exc:
        report.status = 'finished-early'
        report.reason = f'the guest stopped ({exc.result.status}) before the migration ended'
        return _finish(report, guest, link, watch), None
    _finish(report, guest, link, watch)
    state.pages = {page: data for page, data in received.items() if any(data)}
    return report, restore(state, costs=costs, cpu=dest_cpu)


def _send_round(to_send, bitmap, ram, received, link, rate, guest, batch, vm):
    sent = skipped = 0
    for i in range(0, len(to_send), batch):
        chunk = [p for p in to_send[i:i + batch] if not bitmap[p >> 3] >> (p & 7) & 1]
        skipped += min(batch, len(to_send) - i) - len(chunk)
        for page in chunk:
            received[page] = bytes(ram[page * PAGE:(page + 1) * PAGE])
        if chunk:
            seconds = link.send(len(chunk) * PAGE_ON_WIRE, rate)
            vm.ledger.charge('page_copy', len(chunk))
            sent += len(chunk)
            guest.advance(seconds)
    return sent, skipped


def _stop_reason(dirty, number, pages_sent, npages, dirtying, rate, stop_pages,
                 max_rounds, max_factor, max_rate, link) -> str:
    """Why to stop and copy now ('' = another round); the checks of Clark et al. 2005
    and Xen's, in order."""
    if dirty <= stop_pages:
        return f'{dirty} dirty pages <= the threshold of {stop_pages}'
    if number >= max_rounds:
        return f'{max_rounds} rounds done'
    if pages_sent >= max_factor * npages:
        return f'{pages_sent} pages sent >= {max_factor:g}x guest memory'
    ceiling = min(max_rate, link.bandwidth)
    if number > 1 and rate >= ceiling and dirtying > ceiling:
        return (f'the guest dirties {dirtying / 1e6:.0f} Mbit/s, faster than the '
                f'{ceiling / 1e6:.0f} Mbit/s it may be sent at: no convergence')
    return ''


def _finish(report, guest, link, watch):
    if SLOT in watch.slots:
        watch.disable_dirty_log(SLOT)
    report.bytes_sent = link.sent
    report.instructions_during = guest.executed
    if report.status != 'done':
        report.total_time = guest.time
    return report


__all__ = ['GuestFinished', 'RunningGuest', 'precopy']
