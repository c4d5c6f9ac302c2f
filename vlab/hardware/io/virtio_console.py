"""virtio-console: the back end of a paravirtual console, in the VMM.

Source: OASIS *Virtual I/O Device (VIRTIO) Version 1.1*, sec. 5.3 "Console Device"
(device ID 3).  Without VIRTIO_CONSOLE_F_MULTIPORT there is one port and two queues
(sec. 5.3.2): queue 0 ``receiveq`` (host -> guest, buffers the driver offers for input)
and queue 1 ``transmitq`` (guest -> host: each chain's readable bytes are output).  The
configuration space (sec. 5.3.4) is ``le16 cols; le16 rows; le32 max_nr_ports; le32
emerg_wr``, all zero here (no size, one port).

Output goes where the guest's UART output goes (``sink``: the host UART's transmit
path, so ``vm.console`` shows it), so a program prints the same lines by either method.
Input fed with ``feed()`` waits until the driver offers receive buffers.
"""
from __future__ import annotations

from .virtio_mmio import VIRTIO_F_EVENT_IDX, VIRTIO_F_VERSION_1

DEVICE_ID = 3
RECEIVEQ, TRANSMITQ = 0, 1
QUEUE_SIZE = 64


class VirtioConsole:
    """The back end of one virtio console; ``sink(data: bytes)`` receives its output."""

    device_id = DEVICE_ID
    features = 1 << VIRTIO_F_VERSION_1 | 1 << VIRTIO_F_EVENT_IDX
    queue_max = (QUEUE_SIZE, QUEUE_SIZE)
    config = bytes(12)

    def __init__(self, sink):
        self.sink = sink
        self.output = bytearray()
        self.input = bytearray()
        self.transmitted_buffers = 0

    def feed(self, data: bytes, transport=None) -> None:
        """Input for the guest; delivered now if it offered buffers, else at its next kick."""
        self.input += data
        if transport is not None and transport.queue(RECEIVEQ) is not None:
            self._deliver(transport)
            transport.used_buffers(transport.queue(RECEIVEQ))

    def notify(self, transport, index: int) -> None:
        if index == TRANSMITQ:
            vq = transport.queue(TRANSMITQ)
            while (chain := vq.pop()) is not None:
                data = b''.join(transport.dma.read(d.addr, d.length, 'console output')
                                for d in chain.readable)
                self.output += data
                self.sink(data)
                self.transmitted_buffers += 1
                vq.push(chain.head, 0)
        elif index == RECEIVEQ:
            self._deliver(transport)

    def _deliver(self, transport) -> None:
        vq = transport.queue(RECEIVEQ)
        while self.input and (chain := vq.pop()) is not None:
            written = 0
            for part in chain.writable:
                piece, self.input = self.input[:part.length], self.input[part.length:]
                transport.dma.write(part.addr, bytes(piece), 'console input')
                written += len(piece)
            vq.push(chain.head, written)


__all__ = ['DEVICE_ID', 'RECEIVEQ', 'TRANSMITQ', 'VirtioConsole']
