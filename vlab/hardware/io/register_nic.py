"""A simple register-programmed network card, the network's counterpart of the disk in
vlab/hardware/io/disks.py: emulated by the VMM or assigned directly to a guest.

Not a model of a particular chip (an e1000 has descriptor rings of its own, which would
blur the comparison with virtio): one frame per command, moved by DMA, the way the
host's block device moves sectors.  Simplification: no interrupts (the driver reads
RX_LEN), no checksum offload, one frame per command.

======  ========  ====  ========================================================
offset  name      mode  meaning
======  ========  ====  ========================================================
0x00    MAC_LO    R     bytes 0-3 of the card's MAC address
0x04    MAC_HI    R     bytes 4-5
0x08    TX_ADDR   RW    address of a frame to send
0x0C    TX_LEN    RW    its length (14..1514 bytes)
0x10    TX_GO     W     send it: the card reads it by DMA and hands it to the bridge
0x14    RX_ADDR   RW    address of a receive buffer
0x18    RX_SIZE   RW    its size
0x1C    RX_GO     W     move the oldest waiting frame into the buffer by DMA
0x20    RX_LEN    R     the length of that frame (0: none was waiting)
0x24    STATUS    R     0 OK, 1 DMA_FAULT, 2 BAD_LENGTH, 3 TOO_BIG (frame > buffer)
0x28    PENDING   R     frames waiting to be received
======  ========  ====  ========================================================

Its DMA goes through a port (``dma``): the VMM's checked access to guest RAM when it is
emulated (vlab/hardware/io/guest_dma.py), the IOMMU when it is assigned
(vlab/hardware/io/iommu.py, ``IommuDma``).  A guest mistake is a STATUS, never an
exception; the frame is checked before a byte moves.
"""
from __future__ import annotations

from vlab.host.memory import AccessFault
from vlab.isa.pagetable import LOAD, STORE

from .virtio_net import MAX_FRAME, MIN_FRAME

MAC_LO, MAC_HI, TX_ADDR, TX_LEN, TX_GO, RX_ADDR, RX_SIZE, RX_GO, RX_LEN, STATUS, PENDING = (
    0x00, 0x04, 0x08, 0x0C, 0x10, 0x14, 0x18, 0x1C, 0x20, 0x24, 0x28)
STATUS_OK, STATUS_DMA_FAULT, STATUS_BAD_LENGTH, STATUS_TOO_BIG = 0, 1, 2, 3
WRITABLE = {TX_ADDR: 'tx_addr', TX_LEN: 'tx_len', RX_ADDR: 'rx_addr', RX_SIZE: 'rx_size'}


class RegisterNic:
    """The card with address ``mac``, DMA through ``dma``; ``port`` is set by the bridge."""

    SIZE = 0x1000

    def __init__(self, mac: bytes, dma):
        self.mac, self.dma, self.port = mac, dma, None
        self.tx_addr = self.tx_len = self.rx_addr = self.rx_size = self.rx_len = 0
        self.status = STATUS_OK
        self.pending: list[bytes] = []
        self.sent = self.received = 0

    def load(self, offset: int, size: int) -> int:
        self._check(offset, size, 'load')
        registers = {MAC_LO: int.from_bytes(self.mac[:4], 'little'),
                     MAC_HI: int.from_bytes(self.mac[4:], 'little'),
                     TX_ADDR: self.tx_addr, TX_LEN: self.tx_len, RX_ADDR: self.rx_addr,
                     RX_SIZE: self.rx_size, RX_LEN: self.rx_len, STATUS: self.status,
                     PENDING: len(self.pending)}
        return registers.get(offset, 0)

    def store(self, offset: int, size: int, value: int) -> None:
        self._check(offset, size, 'store')
        if offset in WRITABLE:
            setattr(self, WRITABLE[offset], value & 0xFFFFFFFF)
        elif offset == TX_GO:
            self.status = self._send()
        elif offset == RX_GO:
            self.status = self._receive()

    def _check(self, offset: int, size: int, access: str) -> None:
        if offset % 4 or offset > PENDING or size != 4:
            raise AccessFault(offset, size, access, f'no network-card register at offset '
                              f'{offset:#x} as a {size}-byte access (32-bit registers at '
                              f'0x00-{PENDING:#04x})')

    def arrive(self, frame: bytes) -> None:
        self.pending.append(frame)

    def _send(self) -> int:
        if not MIN_FRAME <= self.tx_len <= MAX_FRAME:
            return STATUS_BAD_LENGTH
        if not self._allowed(self.tx_addr, self.tx_len, LOAD):
            return STATUS_DMA_FAULT
        frame = self.dma.read_bytes(self.tx_addr, self.tx_len)
        self._charge(len(frame))
        self.sent += 1
        if self.port is not None:
            self.port.send(frame, self.dma.ledger)
        return STATUS_OK

    def _receive(self) -> int:
        self.rx_len = 0
        if not self.pending:
            return STATUS_OK
        frame = self.pending[0]
        if len(frame) > self.rx_size:
            return STATUS_TOO_BIG
        if not self._allowed(self.rx_addr, len(frame), STORE):
            return STATUS_DMA_FAULT
        self.pending.pop(0)
        self.dma.write_bytes(self.rx_addr, frame)
        self._charge(len(frame))
        self.rx_len = len(frame)
        self.received += 1
        return STATUS_OK

    def _allowed(self, addr: int, n: int, direction: int) -> bool:
        if hasattr(self.dma, 'direction'):          # an IOMMU port: reads or writes
            self.dma.direction = direction
        return self.dma.is_ram(addr, n)

    def _charge(self, nbytes: int) -> None:
        if self.dma.ledger is not None:
            self.dma.ledger.charge('dma_byte', nbytes)


__all__ = ['RegisterNic', 'STATUS_DMA_FAULT', 'STATUS_OK']
