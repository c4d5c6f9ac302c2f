"""Suspend at instruction k, resume on a fresh modeled host: the same console output, exit
status and retired-instruction count as the uninterrupted run; bad snapshot files are
refused with the reason; a failed write leaves the previous snapshot intact."""
import os

import pytest

from vlab.hardware.lifecycle import snapshot_file
from vlab.hardware.lifecycle.guests import dirtying_guest
from vlab.hardware.lifecycle.snapshot_file import SnapshotError, read_snapshot, write_snapshot
from vlab.hardware.lifecycle.suspend import resume, suspend
from vlab.hardware.lifecycle.vmstate import capture, restore
from vlab.hardware.vm import VirtualMachine

RAM = 256 << 10
# the CPU methods that run a bare-metal guest (paravirt runs the paravirtual guest kernel)
BARE_METAL_METHODS = ('bt', 'hw', 'trap-emulate')
GUEST = dirtying_guest(wws_pages=6, dirty=2, work=5, iters=60, static_pages=2, print_every=5)


def outcome(vm):
    result = vm.run(max_instructions=10**6)
    return result.status, result.exit_code, vm.console, vm.machine.hart.instret


@pytest.fixture(scope='module')
def reference():
    return outcome(VirtualMachine(GUEST, cpu='trap-emulate', guest_ram=RAM))


@pytest.mark.parametrize('engine', ['interp', 'dbt'])
@pytest.mark.parametrize('cpu', BARE_METAL_METHODS)
def test_suspend_at_k_resumes_exactly(cpu, engine, reference):
    assert reference[0] == 'exit' and reference[2].endswith(b'\n')
    total = reference[3]
    for k in (1, 2, 7, 31, 150, 1001, total // 3, total // 2, total - 5, total - 1):
        vm = VirtualMachine(GUEST, cpu=cpu, engine=engine, guest_ram=RAM)
        assert vm.run(max_instructions=k).status == 'budget'
        state = snapshot_file.from_bytes(snapshot_file.to_bytes(capture(vm, engine)))
        assert outcome(restore(state)) == reference, (cpu, engine, k)


def test_resume_on_another_method_is_not_the_same_vm(reference):
    """The state is the VM's own: a snapshot remembers its method and is resumed under it."""
    vm = VirtualMachine(GUEST, cpu='hw', guest_ram=RAM)
    vm.run(max_instructions=500)
    state = capture(vm)
    assert state.config.cpu == 'hw' and restore(state).cpu == 'hw'


def test_file_round_trip_only_touched_pages(tmp_path, reference):
    vm = VirtualMachine(GUEST, guest_ram=RAM)
    vm.run(max_instructions=400)
    path = tmp_path / 'vm.snap'
    size = suspend(vm, path, 'interp')
    assert size == os.path.getsize(path)
    state = read_snapshot(path)
    assert 0 < len(state.pages) < RAM // 4096 // 4        # zero pages are left out
    assert outcome(resume(path)) == reference


@pytest.mark.parametrize('damage, reason', [
    (lambda d: d[:10], 'truncated'),
    (lambda d: d[:-7], "truncated: section 'memory'"),
    (lambda d: b'NOTASNAP' + d[8:], 'not a vlab snapshot'),
    (lambda d: d[:8] + b'\x09\x00' + d[10:], 'version 9'),
    (lambda d: d[:-3] + bytes([d[-3] ^ 0x40]) + d[-2:], 'checksum'),
    (lambda d: d[:20] + bytes([d[20] ^ 1]) + d[21:], 'section table'),
])
def test_damaged_snapshots_are_refused_with_the_reason(tmp_path, damage, reason):
    vm = VirtualMachine(GUEST, guest_ram=RAM)
    vm.run(max_instructions=100)
    good = snapshot_file.to_bytes(capture(vm))
    path = tmp_path / 'bad.snap'
    path.write_bytes(damage(good))
    with pytest.raises(SnapshotError, match=reason):
        read_snapshot(path)


def test_a_crash_while_writing_leaves_the_previous_snapshot(tmp_path, monkeypatch):
    vm = VirtualMachine(GUEST, guest_ram=RAM)
    vm.run(max_instructions=100)
    path = tmp_path / 'vm.snap'
    suspend(vm, path)
    before = path.read_bytes()
    vm.run(max_instructions=100)

    def crash(*args):
        raise OSError('power lost')
    monkeypatch.setattr(snapshot_file.os, 'replace', crash)
    with pytest.raises(OSError):
        write_snapshot(path, capture(vm))
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ['vm.snap']     # no temporary left
    read_snapshot(path)


CROSS_GUESTS = ('CSR_EMULATION', 'MODE_SWITCHES', 'TIMER_SPIN', 'TIMER_WFI',
                'SHADOW_PAGING', 'SUPERVISOR_INTERRUPT', 'ILLEGAL_REFLECTED')


@pytest.mark.parametrize('name', CROSS_GUESTS)
def test_resume_under_another_cpu_method(name):
    """Suspended under one method, resumed under another (the guest's virtual state is
    the same for every method; the new VMM maps it onto the hardware its own way)."""
    import guest_programs as guests
    image = guests.image(getattr(guests, name),
                         guests.SHADOW_DATA if name == 'SHADOW_PAGING' else '')
    whole = outcome(VirtualMachine(image, guest_ram=RAM))
    assert whole[:2] == ('exit', 0)
    for source in BARE_METAL_METHODS:
        for target in BARE_METAL_METHODS:
            for k in range(1, whole[3], max(1, whole[3] // 6)):
                vm = VirtualMachine(image, cpu=source, guest_ram=RAM)
                vm.run(max_instructions=k)
                moved = restore(capture(vm), cpu=target)
                assert moved.cpu == target
                assert outcome(moved) == whole, (source, target, k)
