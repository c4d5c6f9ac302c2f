"""The cpu controller: ``cpu.weight`` shares and ``cpu.max`` bandwidth (CFS bandwidth).

Documentation/admin-guide/cgroup-v2.rst, "CPU"; the mechanism is the CFS bandwidth
controller (Documentation/scheduler/sched-bwc.rst, kernel/sched/fair.c): a cgroup may
run ``quota`` microseconds in each ``period``; a cgroup that used its quota is
*throttled* -- none of its processes may run -- until a period boundary refills it.

The scheduler (the kernel's, not this module) asks three things:

* ``charge(ns, now_ns)`` after a process of this cgroup ran ``ns`` guest nanoseconds
  ending at ``now_ns``: the time is added to ``cpu.stat`` here and in every ancestor,
  and to the runtime of each level that has a quota;
* ``throttled(now_ns)``: may a process of this cgroup run now?  (No if this cgroup or
  any ancestor has used its quota: limits are hierarchical);
* ``next_unthrottle_ns(now_ns)``: when it may run again (to arm the timer).

``cfs_weight`` converts cpu.weight to the CFS load weight the scheduler uses:
cgroup-v2 weight 100 = nice 0 = 1024 (kernel/sched/core.c,
``sched_weight_from_cgroup``: ``weight * 1024 / 100``, rounded to nearest).

Simplified, as a model:

* Periods are aligned on multiples of the period from time 0 (Linux arms a per-cgroup
  period timer when the group first runs); ``nr_periods`` counts the periods in which the
  group ran or was throttled (Linux's timer goes idle in idle periods, which then are not
  counted either).
* Runtime used beyond the quota (a process preempted only at the next timer tick) is a
  debt paid from the next periods' quota, as ``runtime_remaining`` going negative is in
  Linux; no ``cpu.max.burst``.
* One CPU: quota and period compare directly (Linux's quota is summed over CPUs).
"""

from __future__ import annotations

from ..errno import ERANGE
from .parse import MAX, format_flat, invalid, parse_uint

DEFAULT_PERIOD_US = 100_000                  # "max 100000"
MIN_PERIOD_US, MAX_PERIOD_US = 1_000, 1_000_000   # kernel/sched/core.c: 1 ms .. 1 s
MIN_QUOTA_US = 1_000                         # min_cfs_quota_period: 1 ms
MAX_QUOTA_US = (1 << 44) - 1                 # max_cfs_runtime: MAX_BW microseconds
WEIGHT_MIN, WEIGHT_DEFAULT, WEIGHT_MAX = 1, 100, 10_000   # CGROUP_WEIGHT_*
NICE_0_LOAD = 1024                           # the CFS weight of nice 0
NS_PER_US = 1_000

CPU_MAX_ACCEPTED = ("'max', 'QUOTA' or 'QUOTA PERIOD' in microseconds "
                    f"(QUOTA {MIN_QUOTA_US}..2^44-1, PERIOD {MIN_PERIOD_US}..{MAX_PERIOD_US}; "
                    "e.g. '50000 100000')")


class CpuController:
    """cpu.max, cpu.weight and cpu.stat of one cgroup."""

    name = "cpu"

    def __init__(self, cgroup):
        self.cgroup = cgroup
        self.usage_ns = self.user_ns = self.system_ns = 0    # this cgroup and below
        self.reset()

    def reset(self) -> None:
        """The defaults: no quota, period 100 ms, weight 100; bandwidth counters zero."""
        self.quota_us: int | None = None
        self.period_us = DEFAULT_PERIOD_US
        self.weight = WEIGHT_DEFAULT
        self.nr_periods = self.nr_throttled = 0
        self.throttled_ns = 0
        self._runtime_reset()

    def _runtime_reset(self) -> None:
        """A fresh quota: nothing used, not throttled (tg_set_cfs_bandwidth refills and
        unthrottles); the cpu.stat counters go on."""
        self.period_index = -1               # the period runtime_used belongs to
        self.counted_period = -1             # the last period counted in nr_periods
        self.runtime_used_ns = 0             # minus refills; > quota means debt
        self.throttled_since: int | None = None

    # -- configuration ----------------------------------------------------------------

    @property
    def max(self) -> tuple[int | None, int]:
        """cpu.max as numbers: (quota_us or None for no limit, period_us)."""
        return self.quota_us, self.period_us

    @property
    def stat(self) -> dict[str, int]:
        """cpu.stat as numbers (microseconds, as the file)."""
        return {key: int(value) for key, value in
                (line.split() for line in self.read_stat().splitlines())}

    @property
    def cfs_weight(self) -> int:
        """The CFS load weight for cpu.weight (100 -> 1024, rounded to nearest)."""
        return (self.weight * NICE_0_LOAD + WEIGHT_DEFAULT // 2) // WEIGHT_DEFAULT

    def set_max(self, quota_us: int | None, period_us: int | None = None) -> None:
        """cpu.max: ``quota_us`` per ``period_us`` (None quota: no limit); the runtime
        starts afresh (a throttled group runs again)."""
        period_us = self.period_us if period_us is None else period_us
        if not MIN_PERIOD_US <= period_us <= MAX_PERIOD_US:
            raise invalid("cpu.max", str(period_us), CPU_MAX_ACCEPTED)
        if quota_us is not None and not MIN_QUOTA_US <= quota_us <= MAX_QUOTA_US:
            raise invalid("cpu.max", str(quota_us), CPU_MAX_ACCEPTED)
        self.quota_us, self.period_us = quota_us, period_us
        self._runtime_reset()

    def set_weight(self, weight: int) -> None:
        if not WEIGHT_MIN <= weight <= WEIGHT_MAX:
            raise invalid("cpu.weight", str(weight),
                          f"a number from {WEIGHT_MIN} to {WEIGHT_MAX}", ERANGE)
        self.weight = weight

    # -- the scheduler's interface ----------------------------------------------------

    def charge(self, ns: int, now_ns: int, *, system: bool = False) -> None:
        """A process of this cgroup ran ``ns`` ns ending at ``now_ns`` (user time unless
        ``system``): account it here and in every ancestor; consume quota where set."""
        if ns < 0:
            raise ValueError(f"cpu charge of {ns} ns: runtime cannot be negative")
        for level in self._levels():
            level.usage_ns += ns
            if system:
                level.system_ns += ns
            else:
                level.user_ns += ns
            if level.quota_us is not None:
                level._consume(now_ns - ns, now_ns)

    def throttled(self, now_ns: int) -> bool:
        """True if this cgroup or an ancestor has used its quota for the current period."""
        return any(level._is_throttled(now_ns) for level in self._levels())

    def next_unthrottle_ns(self, now_ns: int) -> int | None:
        """When every throttled level will have been refilled (None: not throttled)."""
        times = [level._unthrottle_at(now_ns) for level in self._levels()
                 if level._is_throttled(now_ns)]
        return max(times) if times else None

    # -- the bandwidth mechanism (one level) ------------------------------------------

    @property
    def _period_ns(self) -> int:
        return self.period_us * NS_PER_US

    @property
    def _quota_ns(self) -> int:
        return self.quota_us * NS_PER_US

    def _levels(self):
        return [cg.cpu for cg in self.cgroup.ancestors()]

    def _roll(self, now_ns: int) -> None:
        """Refill the quota once for each period boundary passed up to ``now_ns``."""
        if self.quota_us is None:
            return
        index = now_ns // self._period_ns
        if self.period_index < 0:
            self.period_index = index
            return
        while self.period_index < index:
            self.period_index += 1
            boundary = self.period_index * self._period_ns
            was_throttled = self.runtime_used_ns >= self._quota_ns
            self.runtime_used_ns = max(0, self.runtime_used_ns - self._quota_ns)
            if was_throttled and self.runtime_used_ns < self._quota_ns:
                if self.throttled_since is not None:
                    self.throttled_ns += boundary - self.throttled_since
                self.throttled_since = None
            elif was_throttled:                       # still in debt: throttled again
                self.counted_period = self.period_index
                self.nr_periods += 1
                self.nr_throttled += 1
            if self.runtime_used_ns == 0:             # nothing more to refill: jump
                self.period_index = index

    def _consume(self, start_ns: int, end_ns: int) -> None:
        """Use runtime for [start, end), split at period boundaries."""
        start_ns = max(start_ns, 0)
        while start_ns < end_ns:
            self._roll(start_ns)
            period_end = (self.period_index + 1) * self._period_ns
            piece_end = min(end_ns, period_end)
            self._use(piece_end - start_ns, piece_end)
            start_ns = piece_end

    def _use(self, ns: int, at_ns: int) -> None:
        if self.counted_period != self.period_index:
            self.counted_period = self.period_index
            self.nr_periods += 1
        was_throttled = self.runtime_used_ns >= self._quota_ns
        self.runtime_used_ns += ns
        if not was_throttled and self.runtime_used_ns >= self._quota_ns:
            self.nr_throttled += 1
            self.throttled_since = at_ns

    def _is_throttled(self, now_ns: int) -> bool:
        if self.quota_us is None:
            return False
        self._roll(now_ns)
        return self.runtime_used_ns >= self._quota_ns

    def _unthrottle_at(self, now_ns: int) -> int:
        """The period boundary at which the debt falls below one quota."""
        refills = self.runtime_used_ns // self._quota_ns   # >= 1 when throttled
        return (self.period_index + refills) * self._period_ns

    # -- interface files --------------------------------------------------------------

    def read_max(self) -> str:
        quota = MAX if self.quota_us is None else str(self.quota_us)
        return f"{quota} {self.period_us}\n"

    def write_max(self, text: str) -> None:
        tokens = text.split()
        if not 1 <= len(tokens) <= 2:
            raise invalid("cpu.max", text.strip(), CPU_MAX_ACCEPTED)
        quota = None if tokens[0] == MAX else parse_uint("cpu.max", tokens[0],
                                                         CPU_MAX_ACCEPTED)
        period = (parse_uint("cpu.max", tokens[1], CPU_MAX_ACCEPTED)
                  if len(tokens) == 2 else None)
        self.set_max(quota, period)

    def read_weight(self) -> str:
        return f"{self.weight}\n"

    def write_weight(self, text: str) -> None:
        accepted = f"a number from {WEIGHT_MIN} to {WEIGHT_MAX}"
        tokens = text.split()
        if len(tokens) != 1:
            raise invalid("cpu.weight", text.strip(), accepted)
        self.set_weight(parse_uint("cpu.weight", tokens[0], accepted))

    def read_stat(self, now_ns: int | None = None, *, bandwidth: bool = True) -> str:
        """cpu.stat; the three bandwidth lines only where the controller is enabled."""
        if now_ns is not None:
            self._roll(now_ns)
        pairs = [("usage_usec", self.usage_ns // NS_PER_US),
                 ("user_usec", self.user_ns // NS_PER_US),
                 ("system_usec", self.system_ns // NS_PER_US)]
        if bandwidth:
            throttled = self.throttled_ns
            if self.throttled_since is not None and now_ns is not None:
                throttled += max(0, now_ns - self.throttled_since)
            pairs += [("nr_periods", self.nr_periods),
                      ("nr_throttled", self.nr_throttled),
                      ("throttled_usec", throttled // NS_PER_US)]
        return format_flat(pairs)
