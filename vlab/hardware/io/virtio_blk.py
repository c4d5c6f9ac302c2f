"""virtio-blk: the back end of a paravirtual disk, in the VMM.

Source: OASIS *Virtual I/O Device (VIRTIO) Version 1.1*, sec. 5.2 "Block Device"
(device ID 2, one request queue, ``requestq`` = queue 0).  A request is one descriptor
chain (sec. 5.2.6)::

    struct virtio_blk_req {
        le32 type;          /* IN 0 (disk -> memory), OUT 1, FLUSH 4, GET_ID 8 */
        le32 reserved;
        le64 sector;        /* in 512-byte units, whatever the block size */
        u8 data[];          /* device-readable for OUT, device-writable for IN */
        u8 status;          /* device-writable: OK 0, IOERR 1, UNSUPP 2 */
    };

The configuration space starts with ``le64 capacity`` (in 512-byte sectors, sec. 5.2.4).
Features offered: VIRTIO_F_VERSION_1, VIRTIO_F_EVENT_IDX and VIRTIO_BLK_F_FLUSH (bit 9).

The disk is the host's block device (vlab/host/devices/block.py), so the three I/O
methods of the course read and write the same sectors: each data part of a request,
once checked to lie in guest RAM, is one command of the VMM's driver on the physical
disk (vlab/hardware/io/host_disk.py: five register accesses, the controller's DMA into
the guest's buffer -- zero-copy, as vhost does).  Every descriptor the back end reads is
charged ``virtq_descriptor`` (vlab/hardware/io/virtqueue.py).  A request past the end
of the disk, with a data part that is not whole sectors, or of an unknown type gets
IOERR / UNSUPP in its status byte, as the spec asks; a buffer outside guest RAM stops
the device (DEVICE_NEEDS_RESET, virtio_mmio.py).
"""
from __future__ import annotations

from vlab.host.devices.block import CMD_READ, CMD_WRITE

from .guest_dma import DmaFault
from .host_disk import host_disk_command
from .virtio_mmio import VIRTIO_F_EVENT_IDX, VIRTIO_F_VERSION_1

DEVICE_ID = 2
SECTOR = 512
VIRTIO_BLK_F_FLUSH = 9
VIRTIO_BLK_T_IN, VIRTIO_BLK_T_OUT, VIRTIO_BLK_T_FLUSH, VIRTIO_BLK_T_GET_ID = 0, 1, 4, 8
VIRTIO_BLK_S_OK, VIRTIO_BLK_S_IOERR, VIRTIO_BLK_S_UNSUPP = 0, 1, 2
HEADER = 16
ID_BYTES = 20                      # VIRTIO_BLK_ID_BYTES
QUEUE_SIZE = 64


class VirtioBlk:
    """The back end of one virtio disk over ``disk``, the host's BlockDevice, mapped on
    ``bus`` at its platform address (the back end drives it through its registers)."""

    device_id = DEVICE_ID
    features = 1 << VIRTIO_F_VERSION_1 | 1 << VIRTIO_F_EVENT_IDX | 1 << VIRTIO_BLK_F_FLUSH
    queue_max = (QUEUE_SIZE,)

    def __init__(self, disk, bus, serial: bytes = b'vlab-virtio-blk'):
        self.disk, self.bus = disk, bus
        self.serial = serial[:ID_BYTES].ljust(ID_BYTES, b'\0')
        self.requests = {'in': 0, 'out': 0, 'flush': 0, 'get_id': 0, 'error': 0}

    @property
    def capacity(self) -> int:
        return len(self.disk.image) // SECTOR

    @property
    def config(self) -> bytes:
        return self.capacity.to_bytes(8, 'little') + bytes(16)

    def notify(self, transport, index: int) -> None:
        """Serve every request available on the request queue."""
        vq = transport.queue(index)
        while (chain := vq.pop()) is not None:
            written = self.serve(transport.dma, chain)
            vq.push(chain.head, written)

    def serve(self, dma, chain) -> int:
        """Serve one request chain; returns the bytes written into it (data + status)."""
        readable, writable = chain.readable, chain.writable
        if not readable or readable[0].length < HEADER or not writable:
            raise DmaFault(f'request {chain.head}: no 16-byte header or no status byte '
                           '(virtio 1.1 sec. 5.2.6)')
        header = dma.read(readable[0].addr, HEADER, 'request header')
        kind = int.from_bytes(header[0:4], 'little')
        sector = int.from_bytes(header[8:16], 'little')
        status_part = writable[-1]
        status_at = status_part.addr + status_part.length - 1
        data_in = list(writable[:-1])
        if status_part.length > 1:                 # data and status in one descriptor
            data_in.append(type(status_part)(status_part.addr, status_part.length - 1,
                                             status_part.flags, status_part.next))
        handlers = {VIRTIO_BLK_T_IN: self._read, VIRTIO_BLK_T_OUT: self._write,
                    VIRTIO_BLK_T_FLUSH: self._flush, VIRTIO_BLK_T_GET_ID: self._get_id}
        handler = handlers.get(kind)
        if handler is None:
            status, written = VIRTIO_BLK_S_UNSUPP, 0
        else:
            status, written = handler(dma, sector, readable[1:], data_in)
        if status != VIRTIO_BLK_S_OK:
            self.requests['error'] += 1
        dma.write(status_at, bytes([status]), 'status byte')
        return written + 1

    def _transfer(self, dma, command, sector, parts, what):
        """Each data part, checked to be the guest's, becomes one command of the host's
        driver on the physical disk (vlab/hardware/io/host_disk.py)."""
        total = sum(d.length for d in parts)
        if any(d.length % SECTOR for d in parts) or (sector * SECTOR + total
                                                     > len(self.disk.image)):
            return VIRTIO_BLK_S_IOERR, 0
        for part in parts:
            dma.check(part.addr, part.length, what)
        for part in parts:
            if host_disk_command(self.bus, command, sector, part.addr, part.length // SECTOR):
                return VIRTIO_BLK_S_IOERR, 0
            sector += part.length // SECTOR
        return VIRTIO_BLK_S_OK, total

    def _read(self, dma, sector, _out_parts, in_parts):
        status, total = self._transfer(dma, CMD_READ, sector, in_parts, 'read buffer')
        self.requests['in'] += status == VIRTIO_BLK_S_OK
        return status, total

    def _write(self, dma, sector, out_parts, _in_parts):
        status, _ = self._transfer(dma, CMD_WRITE, sector, out_parts, 'write buffer')
        self.requests['out'] += status == VIRTIO_BLK_S_OK
        return status, 0

    def _flush(self, _dma, _sector, _out, _in):
        self.requests['flush'] += 1          # the disk is memory: nothing is cached
        return VIRTIO_BLK_S_OK, 0

    def _get_id(self, dma, _sector, _out, in_parts):
        if not in_parts or in_parts[0].length < ID_BYTES:
            return VIRTIO_BLK_S_IOERR, 0
        dma.write(in_parts[0].addr, self.serial, 'id buffer')
        self.requests['get_id'] += 1
        return VIRTIO_BLK_S_OK, ID_BYTES


__all__ = ['DEVICE_ID', 'VIRTIO_BLK_F_FLUSH', 'VIRTIO_BLK_S_IOERR', 'VIRTIO_BLK_S_OK',
           'VIRTIO_BLK_S_UNSUPP', 'VIRTIO_BLK_T_FLUSH', 'VIRTIO_BLK_T_GET_ID',
           'VIRTIO_BLK_T_IN', 'VIRTIO_BLK_T_OUT', 'VirtioBlk']
