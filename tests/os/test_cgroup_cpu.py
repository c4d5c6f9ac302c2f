"""cpu controller: cpu.weight to CFS weight, cpu.max parse/format, CFS bandwidth throttling
over periods with a simulated clock, hierarchical quotas, cpu.stat."""
from __future__ import annotations

import pytest

from vlab.os.cgroup import Cgroup
from vlab.os.errno import EINVAL, ERANGE, SyscallError

MS = 1_000_000


def errno_of(call, *args):
    with pytest.raises(SyscallError) as info:
        call(*args)
    assert info.value.why
    return info.value.errno


def test_weight_maps_to_cfs_weight():
    cpu = Cgroup.new_root().create("a").cpu
    assert cpu.read_weight() == "100\n" and cpu.cfs_weight == 1024
    for weight, cfs in ((1, 10), (50, 512), (200, 2048), (10000, 102400)):
        cpu.write_weight(f"{weight}\n")
        assert cpu.weight == weight and cpu.cfs_weight == cfs
    assert errno_of(cpu.write_weight, "0") == ERANGE
    assert errno_of(cpu.write_weight, "10001") == ERANGE
    assert errno_of(cpu.write_weight, "ten") == EINVAL
    assert errno_of(cpu.write_weight, "") == EINVAL


def test_cpu_max_parse_and_format():
    cpu = Cgroup.new_root().create("a").cpu
    assert cpu.read_max() == "max 100000\n"
    cpu.write_max("50000 100000\n")
    assert (cpu.quota_us, cpu.period_us) == (50000, 100000)
    cpu.write_max("20000")                                # one number: the quota only
    assert cpu.read_max() == "20000 100000\n"
    cpu.write_max("max 50000")
    assert cpu.read_max() == "max 50000\n"
    cpu.write_max(f"{(1 << 44) - 1} 100000")
    for bad in ("", "a b", "1 2 3", "500 100000", "50000 999", "50000 1000001", "-1",
                str(1 << 44)):
        assert errno_of(cpu.write_max, bad) == EINVAL, bad


def test_quota_throttles_until_the_period_boundary():
    cpu = Cgroup.new_root().create("a").cpu
    cpu.set_max(20_000, 100_000)                          # 20 ms per 100 ms
    cpu.charge(10 * MS, 10 * MS)
    assert not cpu.throttled(10 * MS)
    cpu.charge(10 * MS, 20 * MS)
    assert cpu.throttled(20 * MS) and cpu.throttled(99 * MS)
    assert cpu.next_unthrottle_ns(20 * MS) == 100 * MS
    assert not cpu.throttled(100 * MS) and cpu.next_unthrottle_ns(100 * MS) is None
    stat = dict(line.split() for line in cpu.read_stat(100 * MS).splitlines())
    assert stat == {"usage_usec": "20000", "user_usec": "20000", "system_usec": "0",
                    "nr_periods": "1", "nr_throttled": "1", "throttled_usec": "80000"}


def test_overrun_is_a_debt_paid_by_later_periods():
    cpu = Cgroup.new_root().create("a").cpu
    cpu.set_max(10_000, 100_000)                          # 10 ms per 100 ms
    cpu.charge(25 * MS, 25 * MS)                          # a long tick: 15 ms over
    assert cpu.next_unthrottle_ns(25 * MS) == 200 * MS    # pays 10 ms at t=100 ms
    assert cpu.throttled(150 * MS) and not cpu.throttled(200 * MS)
    assert cpu.nr_throttled == 2 and cpu.nr_periods == 2


def test_slice_across_a_boundary_is_split():
    cpu = Cgroup.new_root().create("a").cpu
    cpu.set_max(10_000, 100_000)
    cpu.charge(10 * MS, 105 * MS)                         # 5 ms in each period
    assert not cpu.throttled(105 * MS) and cpu.runtime_used_ns == 5 * MS
    assert cpu.nr_periods == 2


def test_ancestor_quota_throttles_descendants():
    root = Cgroup.new_root()
    parent = root.create("p")
    a, b = parent.create("a"), parent.create("b")
    parent.cpu.set_max(30_000, 100_000)
    a.cpu.charge(20 * MS, 20 * MS)
    b.cpu.charge(10 * MS, 30 * MS)
    assert a.cpu.throttled(30 * MS) and b.cpu.throttled(30 * MS)
    assert a.cpu.next_unthrottle_ns(30 * MS) == 100 * MS
    assert parent.cpu.usage_ns == root.cpu.usage_ns == 30 * MS
    assert a.cpu.nr_throttled == 0 and parent.cpu.nr_throttled == 1   # non-hierarchical


def simulate(groups, total_ns, tick_ns=1 * MS):
    """A tiny round-robin scheduler over one always-busy process per cgroup: runs
    unthrottled groups in turn for one tick each; idles to the next unthrottle."""
    now, turn = 0, 0
    ran = {cg.name: 0 for cg in groups}
    while now < total_ns:
        runnable = [cg for cg in groups if not cg.cpu.throttled(now)]
        if not runnable:
            now = min(cg.cpu.next_unthrottle_ns(now) for cg in groups)
            continue
        cg = runnable[turn % len(runnable)]
        turn += 1
        now += tick_ns
        cg.cpu.charge(tick_ns, now)
        ran[cg.name] += tick_ns
    return {name: ns / total_ns for name, ns in ran.items()}


@pytest.mark.parametrize("quotas", [(20_000, 50_000), (10_000, 30_000), (60_000, 60_000)])
def test_two_cgroups_with_quotas_get_their_shares(quotas):
    root = Cgroup.new_root()
    groups = [root.create("a"), root.create("b")]
    for cg, quota in zip(groups, quotas, strict=True):
        cg.cpu.set_max(quota, 100_000)
    shares = simulate(groups, 2_000 * MS, tick_ns=3 * MS)
    wanted = [min(q / 100_000, 0.5 if sum(quotas) > 100_000 else 1) for q in quotas]
    for (name, share), want in zip(shares.items(), wanted, strict=True):
        assert abs(share - want) <= 0.05 * want, (name, share, want)


def test_cpu_stat_system_time_and_no_bandwidth_lines_when_disabled():
    root = Cgroup.new_root()
    a = root.create("a")
    a.cpu.charge(3 * MS, 3 * MS, system=True)
    a.cpu.charge(2 * MS, 5 * MS)
    text = a.cpu.read_stat(5 * MS, bandwidth=False)
    assert text == "usage_usec 5000\nuser_usec 2000\nsystem_usec 3000\n"
    with pytest.raises(ValueError):
        a.cpu.charge(-1, 5 * MS)


def test_new_quota_unthrottles_and_keeps_the_counters():
    cpu = Cgroup.new_root().create("a").cpu
    cpu.set_max(10_000, 100_000)
    cpu.charge(10 * MS, 10 * MS)
    assert cpu.throttled(10 * MS)
    cpu.write_max("50000")                                # more quota: runs again
    assert not cpu.throttled(10 * MS) and cpu.nr_throttled == 1 and cpu.nr_periods == 1
    cpu.write_max("max")
    assert not cpu.throttled(10 * MS) and cpu.next_unthrottle_ns(10 * MS) is None
