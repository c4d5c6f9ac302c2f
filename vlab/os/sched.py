"""The scheduler: weighted fair sharing of the CPU in the spirit of Linux's CFS.

Linux's Completely Fair Scheduler (kernel/sched/fair.c; Documentation/scheduler/
sched-design-CFS.rst) keeps for every runnable task a *virtual runtime*: the CPU time
it consumed, scaled by ``NICE_0_LOAD / weight``.  It always runs the task with the
smallest vruntime, so over time every task gets CPU in proportion to its weight.  This
model keeps exactly that rule and leaves out what a single-CPU teaching kernel does not
need (the red-black tree -- a ``min`` over the run queue does the same; load tracking,
group scheduling entities, wake-up preemption heuristics):

* ``weight``: from the nice value by ``sched_prio_to_weight`` (kernel/sched/core.c), 1024
  at nice 0, each nice step about 10% of CPU; a cgroup's ``cpu.weight`` (1..10000,
  default 100) maps to a weight as the kernel does for the cgroup's entity
  (``cfs_weight`` of the cgroup's cpu controller: ``weight * 1024 / 100``), and the
  process weight is scaled by it (simplified: a flattened hierarchy, no group entities);
* time slice: ``SCHED_LATENCY_NS`` (6 ms, ``sysctl_sched_latency``) shared among the
  runnable processes in proportion to weight, at least ``MIN_GRANULARITY_NS`` (0.75 ms);
* a woken process starts no lower than the queue's ``min_vruntime`` (``place_entity``),
  so a sleeper cannot hoard credit; a new child starts one virtual slice later
  (``START_DEBIT``), so forking does not buy its parent's family extra CPU and the
  parent keeps the CPU after fork;
* ``sched_yield`` makes the caller the "skip buddy": any other runnable process is
  picked before it (``yield_task_fair``);
* cgroup ``cpu.max`` throttling: a process whose cgroup's CPU controller
  (``vlab/os/cgroup/cpu.py``) says it is throttled is not picked; the controller's
  ``next_unthrottle_ns`` says when to look again, and ``charge`` receives the runtime.
"""

from __future__ import annotations

NICE_0_LOAD = 1024
SCHED_LATENCY_NS = 6_000_000
MIN_GRANULARITY_NS = 750_000
# kernel/sched/core.c sched_prio_to_weight[40], nice -20 .. 19
PRIO_TO_WEIGHT = (
    88761, 71755, 56483, 46273, 36291,
    29154, 23254, 18705, 14949, 11916,
    9548, 7620, 6100, 4904, 3906,
    3121, 2501, 1991, 1586, 1277,
    1024, 820, 655, 526, 423,
    335, 272, 215, 172, 137,
    110, 87, 70, 56, 45,
    36, 29, 23, 18, 15,
)


def nice_to_weight(nice: int) -> int:
    return PRIO_TO_WEIGHT[max(-20, min(19, nice)) + 20]


def _cpu_controller(proc):
    cgroup = getattr(proc, "cgroup", None)
    return getattr(cgroup, "cpu", None) if cgroup is not None else None


def weight_of(proc) -> int:
    """The process's effective weight: its nice weight scaled by its cgroup's cpu.weight."""
    weight = nice_to_weight(proc.nice)
    cpu = _cpu_controller(proc)
    if cpu is not None:
        weight = weight * cpu.cfs_weight // NICE_0_LOAD
    return max(1, weight)


def throttled_until(proc, now_ns: int):
    """The hook for cgroup cpu.max: the guest time before which ``proc`` may not run, or
    None (not throttled)."""
    cpu = _cpu_controller(proc)
    if cpu is None or not cpu.throttled(now_ns):
        return None
    return cpu.next_unthrottle_ns(now_ns)


class Scheduler:
    """The run queue (runnable processes) and the CFS picking rule."""

    def __init__(self):
        self.queue: list = []            # runnable processes not on the CPU
        self.min_vruntime = 0
        self.switches = 0

    def enqueue(self, proc, *, new: bool = False) -> None:
        """Make ``proc`` runnable.  A woken process starts no lower than
        ``min_vruntime``, a new one a virtual slice above it (CFS ``place_entity``)."""
        if proc in self.queue:
            return
        floor = self.min_vruntime
        if new:
            floor += self.timeslice(proc) * NICE_0_LOAD // weight_of(proc)
        proc.vruntime = max(proc.vruntime, floor)
        self.queue.append(proc)

    def dequeue(self, proc) -> None:
        if proc in self.queue:
            self.queue.remove(proc)

    def charge(self, proc, ran_ns: int) -> None:
        """Account ``ran_ns`` of CPU to ``proc``: cpu_ns, vruntime, and its cgroup."""
        if ran_ns <= 0:
            return
        proc.cpu_ns += ran_ns
        proc.vruntime += ran_ns * NICE_0_LOAD // weight_of(proc)
        cpu = _cpu_controller(proc)
        if cpu is not None:
            cpu.charge(ran_ns, proc.kernel.now_ns())
        self._update_min(proc)

    def _update_min(self, running=None) -> None:
        candidates = [p.vruntime for p in self.queue]
        if running is not None and running.state == "R":
            candidates.append(running.vruntime)
        if candidates:
            self.min_vruntime = max(self.min_vruntime, min(candidates))

    def pick(self, now_ns: int, skip=None):
        """The runnable process with the least vruntime that is not throttled (ties:
        the one queued first), removed from the queue; None if there is none.  Also
        returns the earliest time a throttled one may run (or None).  ``skip`` (the
        caller of sched_yield: CFS's "skip buddy") is taken only if no other can run."""
        best, wake_at = None, None
        for proc in self.queue:
            if proc is skip:
                continue
            until = throttled_until(proc, now_ns)
            if until is not None:
                wake_at = until if wake_at is None else min(wake_at, until)
                continue
            if best is None or proc.vruntime < best.vruntime:
                best = proc
        if best is None and skip in self.queue and throttled_until(skip, now_ns) is None:
            best = skip
        if best is not None:
            self.queue.remove(best)
        return best, wake_at

    def timeslice(self, proc) -> int:
        """Guest ns ``proc`` may run before the timer preempts it: its weight's share
        of the latency target, at least the minimum granularity."""
        runnable = [proc, *self.queue]
        total = sum(weight_of(p) for p in runnable)
        share = SCHED_LATENCY_NS * weight_of(proc) // max(1, total)
        return max(MIN_GRANULARITY_NS, share)
