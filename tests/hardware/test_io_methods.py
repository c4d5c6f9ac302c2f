"""The three I/O methods with the real C guest (vlab/hardware/io/guest/iodrv.c) under the
hardware-assisted VMM: the same data and console output by every method, and the exits
each one takes (every register access for emulation, one per batch for virtio, none for
direct assignment)."""
import pytest

from vlab.hardware.io.guest_program import BUF, LINE, Job
from vlab.hardware.io.measure import boot, run_job
from vlab.hardware.vm import VirtualMachine, VmError

METHODS = ('emulated', 'virtio', 'passthrough')
PATTERN = bytes((i * 7 + 3) & 0xFF for i in range(64 * 1024))


def mmio(run):
    return run.exits.get('MMIO load', 0) + run.exits.get('MMIO store', 0)


@pytest.mark.parametrize('method', METHODS)
def test_read_gives_the_disk_bytes(method):
    vm = boot(method)
    vm.machine.platform.block.image[:len(PATTERN)] = PATTERN
    run = run_job(method, Job('read', 12, batch=2), vm)
    assert run.result == sum(PATTERN[:12 * 1024])
    assert vm.machine.bus.read_bytes(BUF, 12 * 1024) == PATTERN[:12 * 1024]


@pytest.mark.parametrize('method', METHODS)
def test_write_puts_the_guest_bytes_on_disk(method):
    vm = boot(method)
    run_job(method, Job('write', 8, batch=2), vm)
    expected = bytes((i * 13 + 7) & 0xFF for i in range(8 * 1024))
    assert bytes(vm.machine.platform.block.image[:8 * 1024]) == expected


def test_console_lines_are_the_same_by_every_method():
    outputs = {m: run_job(m, Job('console', 5, batch=2)).console for m in METHODS}
    assert outputs['emulated'] == outputs['virtio'] == outputs['passthrough']
    assert outputs['virtio'].count(b'\n') == 5 and len(outputs['virtio']) == 5 * LINE
    assert outputs['virtio'].startswith(b'line 0000:')


def test_exits_per_method():
    runs = {m: (run_job(m, Job('read', 0)), run_job(m, Job('read', 16, batch=2)))
            for m in METHODS}
    extra = {m: mmio(full) - mmio(base) for m, (base, full) in runs.items()}
    assert extra['emulated'] == 4 * 5          # 4 commands x (4 register stores + STATUS)
    assert extra['virtio'] == 2                # 4 requests, 2 per batch: one kick each
    assert extra['passthrough'] == 0
    assert mmio(runs['passthrough'][1]) == 0


def test_uart_console_exits_per_character_when_emulated():
    base, full = run_job('emulated', Job('console', 0)), run_job('emulated', Job('console', 3))
    assert mmio(full) - mmio(base) == 3 * LINE * 2          # LSR poll + THR store per byte
    v0, v3 = run_job('virtio', Job('console', 0)), run_job('virtio', Job('console', 3, 3))
    assert mmio(v3) - mmio(v0) == 1


def test_io_needs_the_hw_vmm_and_a_known_method():
    from vlab.hardware.io.guest_program import guest_image
    with pytest.raises(VmError, match='needs --cpu hw'):
        VirtualMachine(guest_image(), cpu='trap-emulate', io='virtio', guest_ram=8 << 20)
    with pytest.raises(VmError, match='not available; built: emulated, virtio, passthrough'):
        VirtualMachine(guest_image(), cpu='hw', io='sr-iov', guest_ram=8 << 20)
