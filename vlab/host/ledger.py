"""The ledger: how many times each event happened, and what that cost.

Every level of vlab reports its work here: the interpreter charges retired
instructions, the MMU charges TLB hits and page-walk references, a hypervisor
written in Python charges the VM exits and shadow-page-table updates it
performs (ARCHITECTURE.md, invariants 2 and 3). The ledger stores *counts*; cycles
are counts times the price in its :class:`~vlab.host.costs.CostModel`. So the
same run can be re-priced under another cost model (``repriced``) without
running it again.

``charge`` is on hot paths, so it is one dictionary update; the event name is
validated only the first time it is charged (an unknown name is a KeyError
listing the valid ones). Hot loops should still count locally and charge in
bulk: ``ledger.charge('instruction', n)``.

``snapshot()`` freezes the current counts; ``after - before`` is what happened
in between, which is how an experiment measures one phase of a run.
"""

from __future__ import annotations

from types import MappingProxyType

from .costs import CostModel


class _LedgerView:
    """Reading API shared by :class:`Ledger` and :class:`LedgerSnapshot`."""

    costs: CostModel
    _counts: dict[str, int]

    @property
    def counts(self) -> dict[str, int]:
        """Occurrences per event (events never charged are absent), in table order."""
        order = self.costs.events()
        return {e: self._counts[e] for e in order if self._counts.get(e)}

    @property
    def cycles(self) -> dict[str, int | float]:
        """Cycles per event: count x price."""
        price = self.costs.cycles_of
        return {e: n * price(e) for e, n in self.counts.items()}

    def by_category(self) -> dict[str, int | float]:
        """Cycles per category, in table order of categories."""
        totals: dict[str, int | float] = {}
        for event, cycles in self.cycles.items():
            category = self.costs.category_of(event)
            totals[category] = totals.get(category, 0) + cycles
        order = self.costs.categories()
        return {c: totals[c] for c in order if c in totals}

    @property
    def total_cycles(self) -> int | float:
        return sum(self.cycles.values())

    def count(self, event: str) -> int:
        """Occurrences of one event (0 if never charged; KeyError if unknown)."""
        self.costs.cycles_of(event)  # validates the name
        return self._counts.get(event, 0)

    def table(self) -> str:
        """Plain-text table: event, category, count, cycles each, cycles, share."""
        return _render_table(self)

    def plot(self, ax=None):
        """Horizontal bar chart of cycles per category; returns the axes."""
        import matplotlib.pyplot as plt  # only experiments that plot need matplotlib

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 3))
        totals = self.by_category()
        names = list(totals)[::-1]  # first category on top
        ax.barh(names, [totals[n] for n in names], color="tab:blue")
        ax.set_xlabel("modeled cycles")
        ax.set_title(f"Cycles by category (total {self.total_cycles:,})")
        return ax

    def snapshot(self) -> LedgerSnapshot:
        return LedgerSnapshot(self._counts, self.costs)

    def repriced(self, costs: CostModel) -> LedgerSnapshot:
        """The same counts priced by another cost model."""
        return LedgerSnapshot(self._counts, costs)


class Ledger(_LedgerView):
    """Counts of events charged so far, priced by ``costs``."""

    def __init__(self, costs: CostModel | None = None):
        self.costs = costs if costs is not None else CostModel.default()
        self._counts: dict[str, int] = {}

    def charge(self, event: str, count: int = 1) -> None:
        """Record ``count`` occurrences of ``event``."""
        try:
            self._counts[event] += count
        except KeyError:
            self._first_charge(event, count)

    def _first_charge(self, event: str, count: int) -> None:
        self.costs.cycles_of(event)  # KeyError naming the valid events
        if not isinstance(count, int) or count < 0:
            raise ValueError(f"charge({event!r}, {count!r}): count must be a non-negative int")
        self._counts[event] = count

    def reset(self) -> None:
        """Forget every count."""
        self._counts.clear()

    def __repr__(self) -> str:
        return f"<Ledger {len(self.counts)} events, {self.total_cycles:,} cycles>"


class LedgerSnapshot(_LedgerView):
    """An immutable copy of a ledger's counts; ``b - a`` is their difference."""

    def __init__(self, counts: dict[str, int], costs: CostModel):
        self._counts = dict(counts)
        self.costs = costs

    @property
    def counts(self) -> MappingProxyType:  # read-only view
        return MappingProxyType(super().counts)

    def __sub__(self, other: LedgerSnapshot) -> LedgerSnapshot:
        if not isinstance(other, LedgerSnapshot):
            return NotImplemented
        if other.costs != self.costs:
            raise ValueError("cannot subtract snapshots priced by different cost models "
                             f"({self.costs!r} vs {other.costs!r}); use repriced() first")
        events = dict.fromkeys([*self._counts, *other._counts])
        diff = {e: self._counts.get(e, 0) - other._counts.get(e, 0) for e in events}
        return LedgerSnapshot({e: n for e, n in diff.items() if n}, self.costs)

    def __eq__(self, other) -> bool:
        return (isinstance(other, LedgerSnapshot) and self.costs == other.costs
                and dict(self.counts) == dict(other.counts))

    def __hash__(self) -> int:
        return hash((self.costs, tuple(self.counts.items())))

    def __repr__(self) -> str:
        return f"<LedgerSnapshot {len(self.counts)} events, {self.total_cycles:,} cycles>"


def _cycles(value) -> str:
    """Cycles with thousands separators; a fractional price times a count is rounded to
    6 decimals, so 11,974 x 4.4 prints 52,685.6, not the float's 52,685.600000000006."""
    return f"{round(value, 6):,}"


def _render_table(view: _LedgerView) -> str:
    header = ("event", "category", "count", "cycles/ev", "cycles", "share")
    total = view.total_cycles
    rows = []
    for event, n in view.counts.items():
        price = view.costs.cycles_of(event)
        share = f"{100 * n * price / total:.1f}%" if total else "-"
        rows.append((event, view.costs.category_of(event), f"{n:,}", f"{price:,}",
                     _cycles(n * price), share))
    rows.append(("total", "", "", "", _cycles(total), "100.0%" if total else "-"))
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    left = (True, True, False, False, False, False)

    def fmt(row):
        cells = [c.ljust(w) if lft else c.rjust(w)
                 for c, w, lft in zip(row, widths, left, strict=True)]
        return "  ".join(cells).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(header), rule, *map(fmt, rows[:-1]), rule, fmt(rows[-1])])
