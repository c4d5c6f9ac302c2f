"""A network between two VMs: virtio-net cards on a host bridge; the C guest's driver
sends on one VM and receives on the other; the bridge learns, floods and charges the
modeled link time to the sender."""
import pytest

from vlab.hardware.io.attach import IoError, connect_network
from vlab.hardware.io.bridge import BROADCAST, Bridge
from vlab.hardware.io.guest_program import Job
from vlab.hardware.io.measure import boot, run_job
from vlab.hardware.io.virtio_net import VirtioNet


def payload_sum(count, size):
    return sum((frame + i) & 0xFF for frame in range(count) for i in range(size))


def test_frames_go_from_one_vm_to_the_other():
    bridge = Bridge()
    sender, receiver = boot('virtio'), boot('virtio')
    connect_network(sender, bridge, 1)
    connect_network(receiver, bridge, 2)
    sent = run_job('virtio', Job('send', 6, batch=3, size=100, peer=2), sender)
    got = run_job('virtio', Job('receive', 6), receiver)
    assert got.result == payload_sum(6, 100)
    assert [f.ports for f in bridge.log] == [(1,)] * 6          # flood would be the same
    assert sender.ledger.count('net_frame') == 6
    assert sender.ledger.count('net_byte') == 6 * 114
    assert receiver.io.virtio_net.backend.received == 6
    base = run_job('virtio', Job('send', 0, batch=3, size=100, peer=2),
                   _networked(Bridge(), 1))
    assert sent.exits['MMIO store'] - base.exits['MMIO store'] == 2     # one kick per batch


def _networked(bridge, host_id):
    vm = boot('virtio')
    connect_network(vm, bridge, host_id)
    return vm


class Sink:
    def __init__(self):
        self.frames = []
        self.port = None

    def arrive(self, frame):
        self.frames.append(frame)


def test_the_bridge_learns_and_floods():
    bridge = Bridge()
    a, b, c = Sink(), Sink(), Sink()
    for nic in (a, b, c):
        bridge.connect(nic)
    mac = [bytes([2, 0, 0, 0, 0, n]) for n in range(3)]
    bridge.forward(0, mac[1] + mac[0] + b'\x88\xb5', None)     # b unknown yet: flooded
    assert len(b.frames) == len(c.frames) == 1
    bridge.forward(1, mac[0] + mac[1] + b'\x88\xb5', None)     # a was learned on port 0
    assert len(a.frames) == 1 and len(c.frames) == 1
    bridge.forward(2, BROADCAST + mac[2] + b'\x88\xb5', None)
    assert len(a.frames) == 2 and len(b.frames) == 2 and len(c.frames) == 1


def test_network_needs_an_io_method_and_a_valid_mac():
    from vlab.hardware.io.guest_program import guest_image
    from vlab.hardware.vm import VirtualMachine
    with pytest.raises(IoError, match='boot the VM with io='):
        connect_network(VirtualMachine(guest_image(), cpu='hw', guest_ram=8 << 20),
                        Bridge(), 1)
    with pytest.raises(IoError, match='0..255'):
        connect_network(boot('virtio'), Bridge(), 300)
    with pytest.raises(ValueError, match='6 bytes'):
        VirtioNet(b'\x01')
