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

The disk is the host's block device (vlab/host/devices/block.py): its ``image`` bytes,
so the three I/O methods of the course read and write the same sectors.  Every byte
the back end copies between guest memory and the disk is charged ``dma_byte`` (the
copy the VMM does on the guest's behalf); every descriptor it reads,
``virtq_descriptor`` (vlab/hardware/io/virtqueue.py).  A request past the end of the
disk or with a malformed layout gets IOERR / UNSUPP in its status byte, as the spec
asks; a buffer outside guest RAM stops the device (DEVICE_NEEDS_RESET, virtio_mmio.py).
"""
from __future__ import annotations

from .guest_dma import DmaFault
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
    """The back end of one virtio disk over ``disk`` (an object with an ``image``
    bytearray: the host's BlockDevice)."""

    device_id = DEVICE_ID
    features = 1 << VIRTIO_F_VERSION_1 | 1 << VIRTIO_F_EVENT_IDX | 1 << VIRTIO_BLK_F_FLUSH
    queue_max = (QUEUE_SIZE,)

    def __init__(self, disk, serial: bytes = b'vlab-virtio-blk'):
        self.disk, self.serial = disk, serial[:ID_BYTES].ljust(ID_BYTES, b'\0')
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
            written = self._serve(transport.dma, chain)
            vq.push(chain.head, written)

    def _serve(self, dma, chain) -> int:
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

    def _range(self, sector: int, nbytes: int) -> slice | None:
        start = sector * SECTOR
        if nbytes % SECTOR or start + nbytes > len(self.disk.image):
            return None
        return slice(start, start + nbytes)

    def _read(self, dma, sector, _out_parts, in_parts):
        span = self._range(sector, sum(d.length for d in in_parts))
        if span is None:
            return VIRTIO_BLK_S_IOERR, 0
        offset = span.start
        for part in in_parts:
            dma.write(part.addr, bytes(self.disk.image[offset:offset + part.length]),
                      'read buffer')
            offset += part.length
        self._charge(dma, span.stop - span.start)
        self.requests['in'] += 1
        return VIRTIO_BLK_S_OK, span.stop - span.start

    def _write(self, dma, sector, out_parts, _in_parts):
        span = self._range(sector, sum(d.length for d in out_parts))
        if span is None:
            return VIRTIO_BLK_S_IOERR, 0
        data = b''.join(dma.read(part.addr, part.length, 'write buffer') for part in out_parts)
        self.disk.image[span] = data
        self._charge(dma, len(data))
        self.requests['out'] += 1
        return VIRTIO_BLK_S_OK, 0

    def _flush(self, _dma, _sector, _out, _in):
        self.requests['flush'] += 1          # the disk is memory: nothing is cached
        return VIRTIO_BLK_S_OK, 0

    def _get_id(self, dma, _sector, _out, in_parts):
        if not in_parts or in_parts[0].length < ID_BYTES:
            return VIRTIO_BLK_S_IOERR, 0
        dma.write(in_parts[0].addr, self.serial, 'id buffer')
        self.requests['get_id'] += 1
        return VIRTIO_BLK_S_OK, ID_BYTES

    @staticmethod
    def _charge(dma, nbytes: int) -> None:
        if dma.ledger is not None and nbytes:
            dma.ledger.charge('dma_byte', nbytes)


__all__ = ['DEVICE_ID', 'VIRTIO_BLK_F_FLUSH', 'VIRTIO_BLK_S_IOERR', 'VIRTIO_BLK_S_OK',
           'VIRTIO_BLK_S_UNSUPP', 'VIRTIO_BLK_T_FLUSH', 'VIRTIO_BLK_T_GET_ID',
           'VIRTIO_BLK_T_IN', 'VIRTIO_BLK_T_OUT', 'VirtioBlk']
