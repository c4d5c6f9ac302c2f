"""Multiplexing: several VMs on one physical CPU under a Xen-style credit scheduler.

Xen's default scheduler (the *credit* scheduler, xen/common/sched/credit.c; described and
measured by Cherkasova, Gupta & Vahdat, "Comparison of the Three CPU Schedulers in Xen",
SIGMETRICS PER 35(2), 2007) shares a CPU by **weight** and limits it by **cap**:

* every accounting period the CPU's worth of credits (100 per tick) is handed out to the
  VMs in proportion to their weights;
* each tick, the VM running is debited 100 credits;
* a VM with credits left is UNDER, one that has spent them is OVER; the scheduler runs
  UNDER VMs first, round-robin, for a time slice of 3 ticks (30 ms in Xen), and OVER VMs
  only when no UNDER VM can run -- so the scheduler is *work-conserving*: a CPU is never
  idle while a VM could run;
* a VM with a **cap** (percent of one CPU; 0 = none) is *parked* for the rest of the
  period once it has run its cap's share of it, even if the CPU would otherwise idle.

Simplified: one physical CPU, one vCPU per VM, every VM always runnable (no blocking,
so no BOOST priority), an accounting period of 10 ticks (Xen's is 3: a longer one lets a
cap of 10% be one whole tick), and time counted in guest instructions: a tick is
:data:`TICK_INSTRUCTIONS` instructions (10 ms of Xen's time scaled down so that a
simulation of many periods runs in seconds).  Each VM is its own VirtualMachine -- its
own registers, memory and devices (isolated by construction); each switch between VMs
is charged to the host's ledger as a ``world_switch`` (vlab/host/costs.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from vlab.host.costs import CostModel
from vlab.host.ledger import Ledger

TICK_INSTRUCTIONS = 10_000
TICKS_PER_SLICE = 3
TICKS_PER_PERIOD = 10
CREDITS_PER_TICK = 100


class SchedulerError(ValueError):
    """A VM set-up the scheduler cannot take (the message says why)."""


@dataclass
class Domain:
    """One VM under the scheduler (Xen calls it a domain)."""

    name: str
    vm: object
    weight: int = 256             # Xen's default weight
    cap: int = 0                  # percent of the CPU, 0: no cap
    credits: float = 0.0
    ran_this_period: int = 0      # ticks
    ticks: int = 0                # ticks run in all
    finished: bool = False
    history: list = field(default_factory=list)    # cumulative ticks after each period

    @property
    def priority(self) -> str:
        return 'UNDER' if self.credits > 0 else 'OVER'


class CreditScheduler:
    """Xen's credit scheduler over VMs on one CPU (see the module docstring)."""

    def __init__(self, costs: CostModel | None = None):
        self.domains: list[Domain] = []
        self.ledger = Ledger(costs or CostModel.default())
        self.current: Domain | None = None
        self.idle_ticks = 0
        self.ticks = 0

    def add(self, name: str, vm, weight: int = 256, cap: int = 0) -> Domain:
        if not 1 <= weight <= 65535:
            raise SchedulerError(f'{name}: weight {weight} is outside 1..65535 (Xen\'s range)')
        if not 0 <= cap <= 100:
            raise SchedulerError(f'{name}: cap {cap}% is outside 0..100 (0: no cap)')
        domain = Domain(name, vm, weight, cap)
        self.domains.append(domain)
        return domain

    # ------------------------------------------------------------ accounting
    def _account(self) -> None:
        """Hand out one period's credits by weight (the period's ticks of CPU)."""
        active = [d for d in self.domains if not d.finished]
        total = sum(d.weight for d in active)
        for d in active:
            d.credits += CREDITS_PER_TICK * TICKS_PER_PERIOD * d.weight / total
            d.credits = min(d.credits, CREDITS_PER_TICK * TICKS_PER_PERIOD)   # no hoarding
            d.ran_this_period = 0

    def _parked(self, d: Domain) -> bool:
        return d.cap and d.ran_this_period >= d.cap * TICKS_PER_PERIOD / 100

    def _pick(self) -> Domain | None:
        """UNDER before OVER, round-robin from the one after the current."""
        runnable = [d for d in self.domains if not d.finished and not self._parked(d)]
        if not runnable:
            return None
        start = self.domains.index(self.current) + 1 if self.current in self.domains else 0
        order = sorted(runnable, key=lambda d: ((self.domains.index(d) - start)
                                                % len(self.domains)))
        under = [d for d in order if d.priority == 'UNDER']
        return (under or order)[0]

    # ------------------------------------------------------------ running
    def run(self, periods: int) -> None:
        """Run ``periods`` accounting periods."""
        for _ in range(periods):
            self._account()
            tick = 0
            while tick < TICKS_PER_PERIOD:
                d = self._pick()
                if d is None:                       # every VM finished or parked
                    self.idle_ticks += TICKS_PER_PERIOD - tick
                    break
                if d is not self.current:
                    self.ledger.charge('world_switch')
                    self.current = d
                slice_ticks = min(TICKS_PER_SLICE, TICKS_PER_PERIOD - tick)
                for _ in range(slice_ticks):
                    result = d.vm.run(max_instructions=TICK_INSTRUCTIONS)
                    d.credits -= CREDITS_PER_TICK
                    d.ran_this_period += 1
                    d.ticks += 1
                    tick += 1
                    if result.status != 'budget':
                        d.finished = True
                        break
                    if self._parked(d) or (d.priority == 'OVER' and self._under_waiting(d)):
                        break
            self.ticks += TICKS_PER_PERIOD
            for d in self.domains:
                d.history.append(d.ticks)

    def _under_waiting(self, running: Domain) -> bool:
        return any(d is not running and not d.finished and not self._parked(d)
                   and d.priority == 'UNDER' for d in self.domains)

    def shares(self) -> dict:
        """Fraction of the CPU's ticks each VM got (and 'idle')."""
        total = max(1, self.ticks)
        out = {d.name: d.ticks / total for d in self.domains}
        out['idle'] = self.idle_ticks / total
        return out


__all__ = ['CreditScheduler', 'Domain', 'SchedulerError', 'TICK_INSTRUCTIONS']
