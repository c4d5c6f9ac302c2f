"""The network by each I/O method: the same frames from one VM to another through the
host bridge, with the emulated or assigned register-programmed card or with virtio-net;
exits per frame as the methods promise; a malicious receive buffer stopped by the
IOMMU."""
import pytest

from vlab.hardware.io.attach import connect_network
from vlab.hardware.io.bridge import Bridge
from vlab.hardware.io.guest_program import Job
from vlab.hardware.io.measure import boot, run_job
from vlab.hardware.io.register_nic import STATUS_DMA_FAULT, RegisterNic

METHODS = ('emulated', 'virtio', 'passthrough')


def pair(method):
    bridge = Bridge()
    a, b = boot(method), boot(method)
    connect_network(a, bridge, 1)
    connect_network(b, bridge, 2)
    return bridge, a, b


def mmio(run):
    return run.exits.get('MMIO load', 0) + run.exits.get('MMIO store', 0)


@pytest.mark.parametrize('method', METHODS)
def test_frames_arrive_by_every_method(method):
    bridge, a, b = pair(method)
    run_job(method, Job('send', 4, batch=4, size=200, peer=2), a)
    got = run_job(method, Job('receive', 4, batch=4), b)
    assert got.result == sum((k + i) & 0xFF for k in range(4) for i in range(200))
    assert len(bridge.log) == 4 and a.ledger.count('net_frame') == 4


def test_exits_per_frame():
    extra = {}
    for method in METHODS:
        base = run_job(method, Job('send', 0, batch=4, size=200, peer=2), pair(method)[1])
        full = run_job(method, Job('send', 8, batch=4, size=200, peer=2), pair(method)[1])
        extra[method] = mmio(full) - mmio(base)
    assert extra == {'emulated': 8 * 4, 'virtio': 2, 'passthrough': 0}


def test_an_assigned_card_cannot_receive_into_vmm_memory():
    bridge, a, b = pair('passthrough')
    run_job('passthrough', Job('send', 1, size=64, peer=2), a)
    nic = b.io.nic
    assert isinstance(nic, RegisterNic) and nic.pending
    before = b.machine.bus.read_bytes(b.memory.vmm_base, b.memory.vmm_size)
    nic.store(0x14, 4, b.memory.vmm_base)            # RX_ADDR, as a guest driver would
    nic.store(0x18, 4, 2048)
    nic.store(0x1C, 4, 1)                            # RX_GO
    assert nic.load(0x24, 4) == STATUS_DMA_FAULT and nic.pending
    assert b.io.iommu.faults[-1].access == 'write'
    assert b.machine.bus.read_bytes(b.memory.vmm_base, b.memory.vmm_size) == before
