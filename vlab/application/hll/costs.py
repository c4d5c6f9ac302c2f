"""What the HLL VM's work costs on the shared ledger (``vlab.host.costs``).

The VM counts its events (bytecodes interpreted, bytecodes run as compiled code, bytecodes
compiled, objects marked and swept by the collector) and charges them to a
:class:`~vlab.host.ledger.Ledger` in bulk at the end of a run, so the application level is
priced on the same scale as the others.  The prices are rows of the one cost table
(``hll_interpret``, ``hll_compiled``, ``hll_jit_compile``, ``gc_collection``, ``gc_mark``,
``gc_sweep``); experiments re-price them with ``CostModel.with_overrides``.
"""

from __future__ import annotations

EVENTS = ("hll_interpret", "hll_compiled", "hll_jit_compile",
          "gc_collection", "gc_mark", "gc_sweep")


def charge(ledger, counts: dict[str, int]) -> None:
    """Charge the VM's event counts (``VM.event_counts()``) to ``ledger``."""
    for event, count in counts.items():
        if count:
            ledger.charge(event, count)
