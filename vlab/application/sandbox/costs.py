"""What streaming costs on the shared ledger (``vlab.host.costs``).

A streaming client counts its round trips and the bytes it receives.  Charged
to a :class:`~vlab.host.ledger.Ledger`, they are priced in host cycles like
every other level's work (DESIGN.md, invariant 3), so a streamed launch, the
HLL VM that runs it and a hypervisor's VM exits can be compared on one scale.

The default prices are :data:`~vlab.application.sandbox.network.LAN` on a
2 GHz host (stated assumptions, not measurements): a 0.5 ms round trip is
1,000,000 cycles; one byte at 100 Mbit/s takes 80 ns, 160 cycles.  For another
link, re-price the ledger::

    CostModel.default().with_overrides(**cycle_prices(WAN))
"""

from __future__ import annotations

from vlab.application.sandbox.network import LAN, NetworkModel
from vlab.host.costs import CostModel

HOST_CLOCK_GHZ = 2.0

SOURCES = {
    "stream_round_trip": "one streaming request/response round trip: 0.5 ms on a switched LAN "
                         "at a 2 GHz host clock (stated assumption, network.LAN)",
    "stream_byte": "one package byte received at 100 Mbit/s: 80 ns at a 2 GHz host clock "
                   "(stated assumption, network.LAN)",
}


def cycle_prices(network: NetworkModel, clock_ghz: float = HOST_CLOCK_GHZ) -> dict[str, float]:
    """Cycles per round trip and per byte of ``network`` on a host clocked at ``clock_ghz``."""
    cycles_per_us = 1000 * clock_ghz
    return {"stream_round_trip": round(network.round_trip_us * cycles_per_us, 6),
            "stream_byte": round(network.transfer_us(1) * cycles_per_us, 6)}


for _event, _cycles in cycle_prices(LAN).items():
    CostModel.register(_event, _cycles, "network", SOURCES[_event])


def charge_request(ledger, nbytes: int) -> None:
    """Charge one request that brought ``nbytes`` bytes."""
    ledger.charge("stream_round_trip")
    if nbytes:
        ledger.charge("stream_byte", nbytes)
