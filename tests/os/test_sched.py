"""The scheduler: preemption by the timer, CPU shares by weight (nice, cgroup
cpu.weight), cpu.max throttling, sleeping in modeled time with the hart idle in WFI."""
from __future__ import annotations

import pytest

from tests.os.guest_asm import call, run
from vlab.os.cgroup import Cgroup
from vlab.os.sched import PRIO_TO_WEIGHT, Scheduler, nice_to_weight

SIGCHLD = 17
FORK = call("clone", SIGCHLD, 0, 0, 0, 0)
TWO_SPINNERS = f"""
_start:
{FORK}
    beqz a0, spin
{FORK}
    beqz a0, spin
{call("waitid", 0, 0, "info", 4, 0)}
{call("exit", 0)}
spin:
    addi s0, s0, 1
    j spin
    .data
info: .space 128
"""


def test_weights_are_linuxs_table():
    assert nice_to_weight(0) == 1024 and nice_to_weight(-20) == 88761
    assert nice_to_weight(19) == 15 and len(PRIO_TO_WEIGHT) == 40
    assert nice_to_weight(1) * 1.25 == pytest.approx(1024, rel=0.01)   # ~10% per step


def shares(nice=(0, 0), cgroups=None, instructions=3_000_000):
    """CPU time of the two spinners over a run, after they have both started."""
    done = run(TWO_SPINNERS, max_instructions=20_000, root_cgroup=cgroups and
               cgroups[0].parent)
    kernel, machine = done.kernel, done.booted.machine
    for _ in range(100):                             # until both children exist
        if 3 in kernel.processes:
            break
        machine.run(max_instructions=20_000)
    children = [kernel.processes[2], kernel.processes[3]]
    for child, value in zip(children, nice, strict=True):
        child.nice = value
    if cgroups:
        for child, group in zip(children, cgroups, strict=True):
            group.attach(child)
    machine.run(max_instructions=1_000_000)          # warm up: one scheduling period
    before = [c.cpu_ns for c in children]
    result = machine.run(max_instructions=instructions)
    assert result.status == "budget", result
    used = [c.cpu_ns - b for c, b in zip(children, before, strict=True)]
    return used, kernel


def test_two_busy_processes_both_progress_with_equal_shares():
    (a, b), kernel = shares()
    assert a > 0 and b > 0
    assert a / (a + b) == pytest.approx(0.5, abs=0.03)
    assert kernel.context_switches > 10              # preempted by the timer, many times


def test_shares_follow_nice_weights():
    (a, b), _ = shares(nice=(-5, 0))
    expected = nice_to_weight(-5) / (nice_to_weight(-5) + 1024)        # 0.753
    assert a / (a + b) == pytest.approx(expected, abs=0.03)


def test_shares_follow_cgroup_cpu_weight():
    root = Cgroup.new_root()
    heavy, light = root.create("heavy"), root.create("light")
    heavy.cpu.set_weight(300)
    (a, b), _ = shares(cgroups=(heavy, light))
    assert a / (a + b) == pytest.approx(0.75, abs=0.03)


def test_cpu_max_throttles_a_process():
    root = Cgroup.new_root()
    capped, free = root.create("capped"), root.create("free")
    capped.cpu.set_max(20_000, 100_000)                # 20% of each 100 ms
    (a, b), _ = shares(cgroups=(capped, free), instructions=30_000_000)
    assert a / (a + b) == pytest.approx(0.2, abs=0.05)
    assert capped.cpu.nr_throttled > 0


def test_a_sleep_takes_modeled_time_while_the_hart_idles():
    """nanosleep(50 ms): the clock moves 50 ms but only a few instructions run (WFI)."""
    source = f"""
_start:
{call("clock_gettime64", 1, "t0")}
{call("nanosleep", "ts", 0)}
{call("clock_gettime64", 1, "t1")}
    la t0, t0
    lw t1, 8(t0)                    # ns of the first reading (seconds are 0)
    la t0, t1
    lw t2, 8(t0)
    sub a0, t2, t1
    li t3, 1000000
    div a0, a0, t3                  # elapsed ms
{call("exit", "reg:a0")}
    .data
    .align 3
ts: .word 0, 0, 50000000, 0
t0: .space 16
t1: .space 16
"""
    done = run(source)
    assert done.result.exit_code == 50, done.result
    assert done.result.instructions < 1000
    assert done.kernel.idle_ns >= 49_000_000


def test_sched_yield_lets_the_other_process_run():
    sched = Scheduler()

    class P:
        def __init__(self, v):
            self.vruntime, self.nice, self.cgroup, self.state = v, 0, None, "R"
    a, b = P(5), P(3)
    sched.enqueue(a)
    sched.enqueue(b)
    chosen, _ = sched.pick(0)
    assert chosen is b and sched.queue == [a]
    assert sched.timeslice(b) == 3_000_000               # half of 6 ms with two runnable


def test_sched_yield_alternates_two_processes():
    source = f"""
_start:
{FORK}
    la s1, a_char
    bnez a0, loop
    la s1, b_char
loop:
    li s0, 3
again:
{call("write", 1, "reg:s1", 1)}
{call("sched_yield")}
    addi s0, s0, -1
    bnez s0, again
    la t0, a_char
    bne s1, t0, child_exit
{call("waitid", 0, 0, "info", 4, 0)}
{call("exit", 0)}
child_exit:
{call("exit", 0)}
    .data
a_char: .ascii "a"
b_char: .ascii "b"
    .align 2
info: .space 128
"""
    done = run(source)
    assert done.stdout == b"ababab", done.stdout
