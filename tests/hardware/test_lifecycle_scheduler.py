"""Xen-style credit scheduler: CPU shares follow weights, caps are ceilings even with the
CPU idle, the scheduler is work-conserving without caps, and each VM's guest still ends
as it does alone."""
import pytest

from vlab.hardware.lifecycle.credit_scheduler import CreditScheduler, SchedulerError
from vlab.hardware.lifecycle.guests import dirtying_guest
from vlab.hardware.vm import VirtualMachine

SPIN = dirtying_guest(wws_pages=4, dirty=1, work=50, iters=10**6, static_pages=0,
                      print_every=1000)


def vm(image=SPIN):
    return VirtualMachine(image, engine='dbt', guest_ram=256 << 10)


def test_shares_follow_weights():
    s = CreditScheduler()
    for name, weight in (('a', 256), ('b', 512), ('c', 256)):
        s.add(name, vm(), weight)
    s.run(20)
    shares = s.shares()
    assert shares['b'] == pytest.approx(0.5, abs=0.03)
    assert shares['a'] == pytest.approx(0.25, abs=0.03) and shares['idle'] == 0
    assert s.ledger.counts['world_switch'] > 20


def test_caps_are_ceilings():
    s = CreditScheduler()
    s.add('capped', vm(), cap=10)
    s.add('free', vm())
    s.run(20)
    assert s.shares()['capped'] == pytest.approx(0.10, abs=0.01)
    assert s.shares()['free'] == pytest.approx(0.90, abs=0.01)      # work-conserving
    alone = CreditScheduler()
    alone.add('a', vm(), cap=20)
    alone.add('b', vm(), cap=30)
    alone.run(10)
    assert alone.shares()['idle'] == pytest.approx(0.5, abs=0.01)   # idle despite demand


def test_guests_end_as_alone():
    short = dirtying_guest(wws_pages=4, dirty=1, work=20, iters=2000, static_pages=0,
                           print_every=100)
    ref = vm(short)
    result = ref.run(max_instructions=10**7)
    s = CreditScheduler()
    vms = [s.add(name, vm(short), weight).vm for name, weight in (('a', 100), ('b', 300))]
    s.run(30)
    for each in vms:
        assert each.console == ref.console and each.machine.hart.instret == \
            ref.machine.hart.instret and result.exit_code == 0


def test_bad_weights_and_caps():
    s = CreditScheduler()
    with pytest.raises(SchedulerError, match='weight'):
        s.add('a', vm(), weight=0)
    with pytest.raises(SchedulerError, match='cap'):
        s.add('a', vm(), cap=150)
