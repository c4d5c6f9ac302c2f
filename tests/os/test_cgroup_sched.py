"""cgroups with the kernel's scheduler (vlab/os/sched.py): cpu.max quotas and cpu.weight
give busy cgroups their shares of a simulated CPU, within 5%, as the issue demands of
two busy containers."""
from __future__ import annotations

import pytest

from vlab.os.cgroup import Cgroup
from vlab.os.sched import Scheduler

MS = 1_000_000


class Clock:
    now = 0

    def now_ns(self):
        return self.now


class Busy:
    """A process that never sleeps, as the scheduler sees it."""

    def __init__(self, pid, kernel):
        self.pid, self.kernel = pid, kernel
        self.nice, self.vruntime, self.cpu_ns = 0, 0, 0
        self.state, self.exit_status, self.cgroup = "R", None, None


def run(groups_of_procs, total_ns):
    """The kernel's loop in small: pick, run a time slice (the timer preempts), charge,
    requeue; idle to the next unthrottle when every runnable process is throttled."""
    clock = groups_of_procs[0][0].kernel
    sched = Scheduler()
    for procs in groups_of_procs:
        for proc in procs:
            sched.enqueue(proc, new=True)
    while clock.now < total_ns:
        proc, wake_at = sched.pick(clock.now)
        if proc is None:
            clock.now = wake_at
            continue
        ran = min(sched.timeslice(proc), total_ns - clock.now)
        clock.now += ran
        sched.charge(proc, ran)
        sched.enqueue(proc)


def shares(groups_of_procs, total_ns):
    return [sum(p.cpu_ns for p in procs) / total_ns for procs in groups_of_procs]


def make(root, name, nprocs, clock, pid0):
    cg = root.create(name)
    procs = [Busy(pid0 + i, clock) for i in range(nprocs)]
    for proc in procs:
        cg.fork(proc)
    return cg, procs


@pytest.mark.parametrize("quotas,nprocs", [((20_000, 50_000), (1, 1)),
                                           ((25_000, 25_000), (3, 1)),
                                           ((10_000, 70_000), (2, 2))])
def test_quotas_give_their_shares(quotas, nprocs):
    clock, root = Clock(), Cgroup.new_root()
    groups = []
    for i, (quota, n) in enumerate(zip(quotas, nprocs, strict=True)):
        cg, procs = make(root, f"c{i}", n, clock, 10 * (i + 1))
        cg.write_file("cpu.max", f"{quota} 100000")
        groups.append(procs)
    run(groups, 2_000 * MS)
    for share, quota in zip(shares(groups, 2_000 * MS), quotas, strict=True):
        want = quota / 100_000
        assert abs(share - want) <= 0.05 * want, (share, want)


def test_weights_divide_the_cpu_without_quotas():
    clock, root = Clock(), Cgroup.new_root()
    heavy, heavy_procs = make(root, "heavy", 1, clock, 10)
    light, light_procs = make(root, "light", 1, clock, 20)
    heavy.write_file("cpu.weight", "300")
    run([heavy_procs, light_procs], 1_000 * MS)
    got = shares([heavy_procs, light_procs], 1_000 * MS)
    assert abs(got[0] - 0.75) <= 0.05 * 0.75 and abs(got[1] - 0.25) <= 0.05 * 0.25


def test_group_weights_share_by_cgroup_not_by_process_count():
    from vlab.os.cgroup.groupweight import group_weights
    from vlab.os.sched import weight_of
    clock, root = Clock(), Cgroup.new_root()
    _, many = make(root, "many", 3, clock, 10)
    _, one = make(root, "one", 1, clock, 20)
    weights = group_weights(many + one, weight_of)
    assert [weights[p] for p in many] == [683, 683, 683] and weights[one[0]] == 2048
    nested = root.create("outer")
    inner = nested.create("inner")
    nested.write_file("cpu.weight", "200")              # outer: 2/3 of the CPU vs one
    nested.create("idle")                              # nothing runnable: no entity
    lonely = Busy(40, clock)
    inner.fork(lonely)
    host = Busy(50, clock)
    root.fork(host)                                      # a process in the root itself
    weights = group_weights([*one, lonely, host], weight_of)
    # root level: one (1024), outer (2048), host (1024): 1/4, 1/2, 1/4
    assert [weights[p] for p in (one[0], lonely, host)] == [768, 1536, 768]
    assert group_weights([], weight_of) == {}
