"""The modeled network between a streaming server and a client workstation.

A request costs one round trip plus the time to move its bytes::

    time = round_trip + bytes / bandwidth

which is the first-order latency model of any request/response protocol (see
Hennessy & Patterson, *Computer Architecture*, 6th ed., appendix F.2: total
latency = sender overhead + time of flight + size / bandwidth + receiver
overhead; here overheads and time of flight are folded into the round trip).
Nothing is timed: the model adds numbers, so results are deterministic.

The presets are stated assumptions, not measurements: a switched office LAN
(0.5 ms round trip, 100 Mbit/s) and a branch office reached over a WAN link
(40 ms round trip, 10 Mbit/s), the two settings App-V streaming was deployed
in (a streaming server per site, or one server across the WAN).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NetworkModel:
    """Round-trip time and bandwidth of the link a package is streamed over."""

    name: str = "lan"
    round_trip_us: float = 500.0
    bandwidth_mbit_s: float = 100.0

    def transfer_us(self, nbytes: int) -> float:
        """Microseconds to move ``nbytes`` at the link's bandwidth (1 Mbit/s = 1 bit/us)."""
        return nbytes * 8 / self.bandwidth_mbit_s

    def request_us(self, nbytes: int) -> float:
        """Microseconds for one request answered with ``nbytes``."""
        return self.round_trip_us + self.transfer_us(nbytes)


LAN = NetworkModel("lan", round_trip_us=500.0, bandwidth_mbit_s=100.0)
WAN = NetworkModel("wan", round_trip_us=40_000.0, bandwidth_mbit_s=10.0)
NETWORKS = {model.name: model for model in (LAN, WAN)}
