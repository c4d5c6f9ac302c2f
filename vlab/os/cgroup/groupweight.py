"""Group scheduling: the CPU share ``cpu.weight`` gives each runnable process.

Linux's CFS schedules cgroups as entities (kernel/sched/fair.c, CONFIG_FAIR_GROUP_SCHED;
Documentation/scheduler/sched-design-CFS.rst, "Group scheduler extensions"): at every
level of the tree, the runnable processes of a cgroup and its child cgroups that have
runnable processes below them share their parent's CPU in proportion to their weights
-- a process by its nice weight, a child cgroup by its ``cpu.weight`` as a CFS weight
(100 -> 1024).  So two cgroups of equal weight get half the CPU each, whether one runs
one process and the other ten.

A single-CPU scheduler that keeps one flat run queue (``vlab/os/sched.py``) gets the
same shares by giving each process the weight ``group_weights`` computes: its share
of the CPU (the product of its fractions down the tree) times the number of runnable
processes times ``NICE_0_LOAD`` (so weights stay near 1024 and integer rounding stays
small).  Exact fractions inside, so the result is deterministic.

Simplified, as a model: the shares are those of the runnable set at the moment asked
(Linux's entity weights follow load averages over time), and cgroup-v2's ``cpu.idle``
is not modeled.
"""

from __future__ import annotations

from fractions import Fraction

from .cpu import NICE_0_LOAD


def group_weights(runnable, task_weight) -> dict:
    """{process: flat CFS weight} for the processes in ``runnable``; ``task_weight(proc)``
    is a process's own (nice) weight.  A process without a cgroup counts as one of the
    root cgroup."""
    runnable = list(runnable)
    if not runnable:
        return {}
    levels = {}                              # cgroup -> its active entities
    for proc in runnable:
        path = list(proc.cgroup.ancestors())[::-1] if proc.cgroup is not None else [None]
        for parent, child in zip(path, path[1:], strict=False):
            levels.setdefault(parent, {})[child] = child.cpu.cfs_weight
        levels.setdefault(path[-1], {})[proc] = task_weight(proc)
    weights = {}
    for proc in runnable:
        share = Fraction(1)
        path = list(proc.cgroup.ancestors())[::-1] if proc.cgroup is not None else [None]
        for parent, entity in zip(path, [*path[1:], proc], strict=True):
            entities = levels[parent]
            share *= Fraction(entities[entity], sum(entities.values()))
        weights[proc] = max(1, round(share * NICE_0_LOAD * len(runnable)))
    return weights
