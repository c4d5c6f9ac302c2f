"""What streaming costs on the shared ledger (``vlab.host.costs``).

A streaming client counts its round trips and the bytes it receives.  Charged
to a :class:`~vlab.host.ledger.Ledger`, they are priced in host cycles like
every other level's work, so a streamed launch, the HLL VM that runs it and a
hypervisor's VM exits can be compared on one scale.

The default prices (rows ``stream_round_trip`` and ``stream_byte`` of the cost
table) are :data:`~vlab.application.sandbox.network.LAN` at the host clock of
:mod:`vlab.host.clock` (2 GHz; stated assumptions, not measurements): a 0.5 ms
round trip is 1,000,000 cycles; one byte at 100 Mbit/s takes 80 ns, 160 cycles.
For another link, re-price the ledger::

    CostModel.default().with_overrides(**cycle_prices(WAN))
"""

from __future__ import annotations

from vlab.application.sandbox.network import NetworkModel
from vlab.host.clock import HOST_CLOCK_HZ, host_cycles


def cycle_prices(network: NetworkModel, clock_hz: int = HOST_CLOCK_HZ) -> dict[str, float]:
    """Cycles per round trip and per byte of ``network`` on a host clocked at ``clock_hz``."""
    return {"stream_round_trip": round(host_cycles(network.round_trip_us, clock_hz), 6),
            "stream_byte": round(host_cycles(network.transfer_us(1), clock_hz), 6)}


def charge_request(ledger, nbytes: int) -> None:
    """Charge one request that brought ``nbytes`` bytes."""
    ledger.charge("stream_round_trip")
    if nbytes:
        ledger.charge("stream_byte", nbytes)
