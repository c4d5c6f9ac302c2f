"""What the HLL VM's work costs on the shared ledger (``vlab.host.costs``).

The VM counts its events (bytecodes interpreted, bytecodes run as compiled code, bytecodes
compiled, objects marked and swept by the collector) and charges them to a
:class:`~vlab.host.ledger.Ledger` in bulk at the end of a run, so the application level is
priced on the same scale as the others (DESIGN.md, invariant 3).  Prices are modeled,
illustrative defaults; experiments re-price them with ``CostModel.with_overrides``.
"""

from __future__ import annotations

from vlab.host.costs import CostModel

from .gc import COSTS as GC_COSTS

EVENTS = {
    "hll_interpret": (45, "interpreting one bytecode (fetch, dispatch, operate): tens of host "
                          "instructions; FX!32's interpreter took ~45 per instruction "
                          "(Chernoff et al., IEEE Micro 1998); illustrative"),
    "hll_compiled": (4.4, "one bytecode run as JIT-compiled code; FX!32's translated code "
                          "took ~4.4 host instructions per guest instruction (Chernoff et al. "
                          "1998); illustrative"),
    "hll_jit_compile": (500, "compiling one bytecode to host code in a baseline JIT; no single "
                             "published figure (illustrative)"),
    "gc_collection": (GC_COSTS["fixed"], "fixed cost of one collection: stop, scan roots "
                                         "(illustrative)"),
    "gc_mark": (GC_COSTS["mark_per_object"], "marking one live object: proportional to the "
                                             "live set (Jones et al., GC Handbook 2011, "
                                             "sec. 2.5); illustrative"),
    "gc_sweep": (GC_COSTS["sweep_per_object"], "sweeping one heap object: proportional to the "
                                               "heap (GC Handbook sec. 2.5); illustrative"),
}

for _event, (_cycles, _source) in EVENTS.items():
    CostModel.register(_event, _cycles, "application", _source)


def charge(ledger, counts: dict[str, int]) -> None:
    """Charge the VM's event counts (``VM.event_counts()``) to ``ledger``."""
    for event, count in counts.items():
        if count:
            ledger.charge(event, count)
