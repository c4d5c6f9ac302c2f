"""How a call reaches the back end, and what the trip costs.

Four paths to the same :class:`~.backend.Backend` and device, differing only in cost:

``NativeTransport``   a host process calls the device driver (an ``ioctl`` on
                      ``/dev/accel0``): one ``syscall`` per call.
``VmTransport``       vCUDA: a front end in the VM marshals the call into a shared
                      buffer, the VMM hands it to the host back end and carries the
                      reply back: ``remote_call`` per call and ``remote_byte`` for each
                      byte of request and reply, then the native driver call in the host
                      (Shi et al., IPDPS 2009, sec. 4).
``VirtioTransport``   (``virtio_accel.py``) the VM channel as a real virtio queue: its
                      cost counted from the mechanism (an exit per kick, an interrupt,
                      DMA copies) instead of vCUDA's measured per-call price.
``NetworkTransport``  rCUDA: the same messages over TCP to a server on another host:
                      ``net_round_trip`` per call and ``net_byte`` per byte, then the
                      server's driver call (Duato et al., HPCS 2010).

Every transport passes real bytes (``protocol.py``), so what the back end runs is what
was marshaled; the client name is the channel's, fixed when it is opened.
"""

from __future__ import annotations

from .backend import Backend
from .virtio_accel import VirtioTransport


class NativeTransport:
    name = "native"

    def __init__(self, backend: Backend, client: str = "host-process",
                 kernel_entry: bool = True):
        self.backend = backend
        self.client = client
        self.kernel_entry = kernel_entry      # False: the caller's kernel already charged it
        self.calls = 0
        self.bytes = 0

    @property
    def ledger(self):
        return self.backend.device.ledger

    def send(self, request: bytes) -> bytes:
        self.calls += 1
        if self.kernel_entry:
            self.ledger.charge("syscall")             # the ioctl into the host driver
        reply = self.backend.handle(self.client, request)
        self.bytes += len(request) + len(reply)
        self._charge_trip(len(request) + len(reply))
        return reply

    def _charge_trip(self, nbytes: int) -> None:
        """Nothing beyond the driver call: the data moves once, by the device's DMA."""


class VmTransport(NativeTransport):
    name = "vm"

    def __init__(self, backend: Backend, client: str = "vm",
                 kernel_entry: bool = True):
        super().__init__(backend, client, kernel_entry)

    def _charge_trip(self, nbytes: int) -> None:
        self.ledger.charge("remote_call")
        self.ledger.charge("remote_byte", nbytes)


class NetworkTransport(NativeTransport):
    name = "network"

    def __init__(self, backend: Backend, client: str = "remote-host",
                 kernel_entry: bool = True):
        super().__init__(backend, client, kernel_entry)

    def _charge_trip(self, nbytes: int) -> None:
        self.ledger.charge("net_round_trip")
        self.ledger.charge("net_byte", nbytes)


TRANSPORTS = {t.name: t for t in (NativeTransport, VmTransport, NetworkTransport,
                                  VirtioTransport)}
