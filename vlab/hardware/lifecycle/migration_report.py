"""What a live migration reports: rounds, pages, downtime, total time, bytes.

**Time scale.** The guest runs on the modeled machine; while pages are on the wire it
keeps executing, ``guest_ips`` instructions per modeled second.  The default, 50 million
instructions per second, is a deliberately slow guest CPU (a real one retires billions):
it keeps the Python simulation of a round to ~10^5 instructions.  Convergence depends
only on the *ratio* of the guest's dirtying rate (pages per second) to the link's page
rate, so the results keep their shape; times scale with memory size (a VM 1000x larger
at the same link and same per-page dirtying rate takes 1000x longer per round).
"""
from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_GUEST_IPS = 50e6


@dataclass
class Round:
    """One pre-copy round: pages sent, pages skipped (dirtied again before their turn),
    the rate used, its duration, and how many pages were dirty when it ended."""

    number: int
    sent: int
    skipped: int
    rate: float
    seconds: float
    dirty_after: int


@dataclass
class MigrationReport:
    """The outcome of one migration (pre-copy or post-copy)."""

    method: str
    status: str = 'done'          # 'done', 'aborted' (source still runs), 'finished-early'
    reason: str = ''
    rounds: list = field(default_factory=list)
    downtime: float = 0.0         # seconds the guest ran nowhere
    total_time: float = 0.0       # seconds from start to the source being released
    bytes_sent: int = 0
    pages_sent: int = 0
    memory_pages: int = 0
    network_faults: int = 0       # post-copy: pages the destination had to ask for
    prepaged: int = 0             # post-copy: pages sent around a faulting address
    pushed: int = 0               # post-copy: pages pushed in the background
    fault_stall: float = 0.0      # post-copy: seconds the guest waited on faults
    instructions_during: int = 0  # guest instructions retired while migrating
    stop_reason: str = ''

    def text(self) -> str:
        lines = [f'{self.method}: {self.status}' + (f' ({self.reason})' if self.reason else '')]
        for r in self.rounds:
            lines.append(f'  round {r.number:2d}: sent {r.sent:5d} pages, skipped '
                         f'{r.skipped:4d}, rate {r.rate / 1e6:7.1f} Mbit/s, '
                         f'{r.seconds * 1e3:8.3f} ms, dirty after {r.dirty_after}')
        if self.stop_reason:
            lines.append(f'  stop-and-copy because: {self.stop_reason}')
        if self.method == 'postcopy':
            lines.append(f'  network faults: {self.network_faults}, pre-paged: '
                         f'{self.prepaged}, pushed: {self.pushed}, stalled '
                         f'{self.fault_stall * 1e3:.3f} ms')
        lines += [f'  downtime: {self.downtime * 1e3:.3f} ms',
                  f'  total migration time: {self.total_time * 1e3:.3f} ms',
                  f'  bytes sent: {self.bytes_sent} ({self.pages_sent} pages; memory '
                  f'{self.memory_pages} pages, {self.pages_sent / max(1, self.memory_pages):.2f}x)']
        return '\n'.join(lines)


__all__ = ['DEFAULT_GUEST_IPS', 'MigrationReport', 'Round']
