"""A modeled network link between two hosts: bandwidth, latency, and failure.

Time on the link is modeled, not measured: sending ``n`` bytes at ``rate`` bits/s takes
``8 n / rate`` seconds, and a request/response pair adds two one-way latencies (the
round trip a post-copy network page fault pays, Hines & Gopalan, VEE 2009, sec. 3).
Every page travels with an 8-byte header (its page number and flags), as in Xen's
migration stream.  ``fail_after`` makes the link drop after that many bytes: the
failure a migration must survive (Clark et al., NSDI 2005, sec. 3: the source keeps
the VM until the destination has it all).
"""
from __future__ import annotations

from dataclasses import dataclass

from vlab.isa.pagetable import PAGE

PAGE_HEADER = 8
PAGE_ON_WIRE = PAGE + PAGE_HEADER


class LinkDown(ConnectionError):
    """The link dropped; the message says after how many bytes."""


@dataclass
class Link:
    """A point-to-point link: ``bandwidth`` in bits/s, one-way ``latency`` in seconds."""

    bandwidth: float = 1e9
    latency: float = 100e-6
    fail_after: int | None = None
    sent: int = 0

    def __post_init__(self):
        if not self.bandwidth > 0:
            raise ValueError(f'link bandwidth must be positive, got {self.bandwidth!r} bit/s')
        if not self.latency >= 0:
            raise ValueError(f'link latency must be >= 0, got {self.latency!r} s')

    def send(self, nbytes: int, rate: float | None = None) -> float:
        """Send ``nbytes`` at ``rate`` (at most the bandwidth); the seconds it takes."""
        if self.fail_after is not None and self.sent + nbytes > self.fail_after:
            self.sent = self.fail_after
            raise LinkDown(f'the link dropped after {self.fail_after} bytes')
        self.sent += nbytes
        return 8 * nbytes / min(rate or self.bandwidth, self.bandwidth)

    def request(self, reply_bytes: int) -> float:
        """A request and its reply of ``reply_bytes``: a round trip plus the transfer."""
        return 2 * self.latency + self.send(reply_bytes + PAGE_HEADER)

    def page_time(self, rate: float | None = None) -> float:
        return 8 * PAGE_ON_WIRE / min(rate or self.bandwidth, self.bandwidth)


def parse_rate(text: str) -> float:
    """'1G', '100M', '500Mbit', '2.5e8' -> bits/s (a clear ValueError otherwise)."""
    units = {'': 1, 'k': 1e3, 'm': 1e6, 'g': 1e9}
    s = text.strip().lower().removesuffix('bit/s').removesuffix('bps').removesuffix('bit')
    unit = s[-1:] if s[-1:] in 'kmg' else ''
    try:
        value = float(s[:len(s) - len(unit)]) * units[unit]
    except ValueError:
        raise ValueError(f'bandwidth {text!r}: give bits per second, e.g. 1G, 100M, '
                         '500Mbit') from None
    if value <= 0:
        raise ValueError(f'bandwidth {text!r} must be positive')
    return value


def parse_time(text: str) -> float:
    """'100us', '1ms', '0.5s', '2e-4' -> seconds."""
    s = text.strip().lower()
    for suffix, scale in (('us', 1e-6), ('ms', 1e-3), ('ns', 1e-9), ('s', 1.0)):
        if s.endswith(suffix):
            s, factor = s[:-len(suffix)], scale
            break
    else:
        factor = 1.0
    try:
        value = float(s) * factor
    except ValueError:
        raise ValueError(f'latency {text!r}: give a time, e.g. 100us, 1ms') from None
    if value < 0:
        raise ValueError(f'latency {text!r} must be >= 0')
    return value


__all__ = ['PAGE_ON_WIRE', 'Link', 'LinkDown', 'parse_rate', 'parse_time']
