"""A virtual network between VMs: a learning bridge in the host, with modeled links.

The host connects the VMs' virtual NICs (vlab/hardware/io/virtio_net.py) to a software
bridge, as Linux's ``bridge`` or Open vSwitch connect KVM guests' tap devices.  The
bridge forwards like an IEEE 802.1D transparent bridge: it *learns* which port each
source MAC address was seen on, sends a frame with a known destination to that port
only, and *floods* broadcast frames and unknown destinations to every other port.

Each port's link is modeled by two rows of vlab/host/costs.py: ``net_frame``, the
latency of one frame through the bridge (10 us), and ``net_byte``, the time of one byte
on Gigabit Ethernet (8 ns, the row shared with the remote-accelerator model).  Both
are charged to the *sending* VM's ledger per frame (simplification: the VMs run one
after the other, each on its own modeled machine, so a link's time is charged as the
sender's cost, not simulated on a shared timeline; a frame for a VM that has not
offered receive buffers yet waits in its NIC's queue).
``log`` keeps every forwarded frame (from, to, bytes, modeled cycles on the link).
"""
from __future__ import annotations

from dataclasses import dataclass

BROADCAST = b'\xff' * 6


@dataclass(frozen=True)
class Forwarded:
    source_port: int
    ports: tuple[int, ...]
    size: int
    cycles: float


class Port:
    """One bridge port, plugged into one NIC back end."""

    def __init__(self, bridge, index: int, nic):
        self.bridge, self.index, self.nic = bridge, index, nic

    def send(self, frame: bytes, ledger=None) -> None:
        self.bridge.forward(self.index, frame, ledger)


class Bridge:
    """A learning bridge (see the module docstring)."""

    def __init__(self):
        self.ports: list[Port] = []
        self.table: dict[bytes, int] = {}         # MAC -> port, learned
        self.log: list[Forwarded] = []

    def connect(self, nic) -> Port:
        port = Port(self, len(self.ports), nic)
        self.ports.append(port)
        nic.port = port
        return port

    def forward(self, source: int, frame: bytes, ledger=None) -> None:
        destination, sender = frame[0:6], frame[6:12]
        if not sender[0] & 1:                     # a unicast source address is learned
            self.table[sender] = source
        known = self.table.get(destination)
        if destination != BROADCAST and known is not None:
            targets = () if known == source else (known,)
        else:
            targets = tuple(p.index for p in self.ports if p.index != source)
        cycles = 0.0
        if ledger is not None:
            ledger.charge('net_frame')
            ledger.charge('net_byte', len(frame))
            price = ledger.costs.cycles_of
            cycles = price('net_frame') + len(frame) * price('net_byte')
        self.log.append(Forwarded(source, targets, len(frame), cycles))
        for index in targets:
            self.ports[index].nic.arrive(frame)


__all__ = ['BROADCAST', 'Bridge', 'Forwarded', 'Port']
