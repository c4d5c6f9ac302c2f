"""Live migration: after pre-copy or post-copy the guest continues with the same output,
exit status and instruction count; pre-copy converges for a small writable working set
and stops for a diabolical guest; a link failure leaves the source running."""
import pytest

from vlab.hardware.lifecycle.destination import DestinationError
from vlab.hardware.lifecycle.guests import dirtying_guest, guest_ram_needed
from vlab.hardware.lifecycle.link import Link, parse_rate, parse_time
from vlab.hardware.lifecycle.postcopy import PostcopyError, postcopy
from vlab.hardware.lifecycle.precopy import precopy
from vlab.hardware.vm import VirtualMachine

QUIET = dict(wws_pages=8, dirty=1, work=200, iters=1500, static_pages=4, print_every=100)
DIABOLICAL = dict(wws_pages=48, dirty=16, work=0, iters=20000, static_pages=4,
                  print_every=100)


def vm_of(knobs, cpu='trap-emulate', engine='dbt'):
    ram = guest_ram_needed(knobs['wws_pages'], knobs['static_pages'])
    return VirtualMachine(dirtying_guest(**knobs), cpu=cpu, engine=engine, guest_ram=ram)


def finish(vm):
    result = vm.run(max_instructions=10**8)
    return result.status, result.exit_code, vm.console, vm.machine.hart.instret


@pytest.fixture(scope='module')
def quiet_reference():
    return finish(vm_of(QUIET))


@pytest.mark.parametrize('cpu', ['trap-emulate', 'hw', 'bt'])
def test_precopy_guest_continues_unchanged(cpu, quiet_reference):
    vm = vm_of(QUIET, cpu)
    vm.run(max_instructions=3000)
    report, dest = precopy(vm, Link(1e9, 100e-6))
    assert report.status == 'done' and dest is not None
    assert report.instructions_during > 0                  # it ran while copied
    assert 'threshold' in report.stop_reason
    assert report.rounds[0].sent + report.rounds[0].skipped == report.memory_pages
    assert report.pages_sent <= 3 * report.memory_pages
    assert finish(dest) == quiet_reference


def test_diabolical_guest_does_not_converge():
    vm = vm_of(DIABOLICAL)
    vm.run(max_instructions=3000)
    report, dest = precopy(vm, Link(100e6, 100e-6))
    assert 'no convergence' in report.stop_reason or 'rounds' in report.stop_reason \
        or 'memory' in report.stop_reason
    quiet = vm_of(QUIET)
    quiet.run(max_instructions=3000)
    calm, _ = precopy(quiet, Link(100e6, 100e-6))
    assert report.downtime > 3 * calm.downtime            # a long stop-and-copy
    assert report.rounds[-1].dirty_after >= DIABOLICAL['wws_pages'] // 2
    assert finish(dest) == finish(vm_of(DIABOLICAL))


@pytest.mark.parametrize('cpu', ['trap-emulate', 'bt'])
def test_postcopy_guest_continues_unchanged(cpu, quiet_reference):
    vm = vm_of(QUIET, cpu)
    vm.run(max_instructions=3000)
    report, dest = postcopy(vm, Link(1e9, 100e-6), prepage=2)
    assert report.network_faults > 0 and report.prepaged > 0
    assert report.pages_sent == report.memory_pages          # each page exactly once
    assert finish(dest) == quiet_reference


def test_postcopy_sends_fewer_bytes_than_precopy():
    knobs = dict(QUIET, dirty=4, work=20, iters=20000)
    a, b = vm_of(knobs), vm_of(knobs)
    a.run(max_instructions=3000)
    b.run(max_instructions=3000)
    pre, _ = precopy(a, Link(1e9, 100e-6))
    post, _ = postcopy(b, Link(1e9, 100e-6))
    assert post.bytes_sent < pre.bytes_sent
    assert post.downtime < pre.downtime


def test_postcopy_on_hw_is_refused_clearly():
    vm = vm_of(QUIET, 'hw')
    vm.run(max_instructions=100)
    with pytest.raises(PostcopyError, match='one-stage'):
        postcopy(vm, Link())


@pytest.mark.parametrize('fail_after', [10_000, 100_000])
def test_link_failure_leaves_the_source_running(fail_after, quiet_reference):
    vm = vm_of(QUIET)
    vm.run(max_instructions=3000)
    report, dest = precopy(vm, Link(1e9, 100e-6, fail_after=fail_after))
    assert report.status == 'aborted' and dest is None
    assert 'source VM keeps running' in report.reason
    assert not vm.machine.bus.watch.slots                   # dirty logging is off
    assert finish(vm) == quiet_reference


def test_rates_and_times_parse_or_say_how():
    assert parse_rate('100M') == 100e6 and parse_rate('1Gbit') == 1e9
    assert parse_time('1ms') == 1e-3 and parse_time('100us') == pytest.approx(1e-4)
    with pytest.raises(ValueError, match='bits per second'):
        parse_rate('fast')
    with pytest.raises(ValueError, match='positive'):
        Link(bandwidth=0)


@pytest.mark.parametrize('method', [precopy, postcopy])
def test_migration_to_another_hypervisor_type(method, quiet_reference):
    """From the KVM-style hw VMM to trap-and-emulate (and back for pre-copy)."""
    vm = vm_of(QUIET, 'hw')
    vm.run(max_instructions=3000)
    report, dest = method(vm, Link(1e9, 100e-6), dest_cpu='trap-emulate')
    assert dest.cpu == 'trap-emulate'
    assert finish(dest) == quiet_reference
    if method is precopy:
        back = vm_of(QUIET, 'bt')
        back.run(max_instructions=3000)
        _, dest = precopy(back, Link(1e9, 100e-6), dest_cpu='hw')
        assert dest.cpu == 'hw' and finish(dest) == quiet_reference


@pytest.mark.parametrize('method', [precopy, postcopy])
def test_a_destination_without_room_refuses_and_the_source_runs_on(method, quiet_reference):
    vm = vm_of(QUIET)
    vm.run(max_instructions=3000)
    with pytest.raises(DestinationError, match='keeps running on the source'):
        method(vm, Link(), dest_ram=vm.memory.size)
    assert finish(vm) == quiet_reference
