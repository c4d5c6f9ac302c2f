"""A block device with DMA: the disk of the modeled host.

A sector-addressed disk (an in-memory ``bytearray`` of 512-byte sectors)
driven through a small register file, the way simple disk controllers and
virtio-blk's legacy MMIO interface are: the driver writes *which* sectors,
*where* in memory and *how many*, then a command; the controller moves the
data by DMA, without the CPU copying a byte.

Register layout (32-bit registers, accessed as aligned 32-bit words):

======  ============  ====  ===============================================
offset  name          mode  meaning
======  ============  ====  ===============================================
0x00    MAGIC         RO    0x4B4C4256 ("VBLK" in memory)
0x04    SECTOR_SIZE   RO    512
0x08    CAPACITY      RO    number of sectors on the disk
0x0C    SECTOR        RW    first sector of the transfer
0x10    DMA_ADDR      RW    physical address of the memory buffer
0x14    COUNT         RW    number of sectors to transfer
0x18    COMMAND       WO    1 = READ (disk -> memory), 2 = WRITE (memory -> disk)
0x1C    STATUS        RO    0 OK, 1 BAD_COMMAND, 2 BAD_SECTOR, 3 DMA_FAULT
0x20    COMPLETED     RO    number of commands completed successfully
======  ============  ====  ===============================================

Writing COMMAND performs the whole transfer at once, before the store
returns (simplification: no busy state and no completion interrupt; a driver
polls STATUS). The transfer is checked before any byte moves, so an error
leaves memory and disk untouched: sectors past CAPACITY give BAD_SECTOR, a
buffer that is not entirely in RAM gives DMA_FAULT, an unknown command
BAD_COMMAND. ``last_error`` explains the last error in words. A guest mistake
is a status code, never a Python exception.

The DMA goes through the :class:`~vlab.host.bus.Bus`, so the bus's write
listeners see the memory it writes (a CPU drops translated code that DMA
overwrote), and each byte moved is charged to the bus's ledger as
``dma_byte``. (Register accesses are charged as ``device_access`` by the bus.)
"""

from __future__ import annotations

from ..memory import AccessFault

SECTOR_SIZE = 512
MAGIC_VALUE = 0x4B4C4256  # b"VBLK" read as a little-endian word

MAGIC, SECTOR_SIZE_REG, CAPACITY, SECTOR, DMA_ADDR, COUNT, COMMAND, STATUS, COMPLETED = (
    0x00, 0x04, 0x08, 0x0C, 0x10, 0x14, 0x18, 0x1C, 0x20)
CMD_READ, CMD_WRITE = 1, 2
STATUS_OK, STATUS_BAD_COMMAND, STATUS_BAD_SECTOR, STATUS_DMA_FAULT = 0, 1, 2, 3
STATUS_NAMES = {STATUS_OK: "OK", STATUS_BAD_COMMAND: "BAD_COMMAND",
                STATUS_BAD_SECTOR: "BAD_SECTOR", STATUS_DMA_FAULT: "DMA_FAULT"}
WRITABLE = {SECTOR: "sector", DMA_ADDR: "dma_addr", COUNT: "count"}


class BlockDevice:
    """A disk of ``sectors`` x 512 bytes (or the given ``image``) on ``bus``."""

    SIZE = 0x1000
    STATE = ("image", "sector", "dma_addr", "count", "status", "completed", "last_error")

    def __init__(self, bus, sectors: int = 2048, image: bytes | None = None):
        if image is not None:
            if len(image) % SECTOR_SIZE:
                raise ValueError(f"disk image is {len(image)} bytes, not a multiple of the "
                                 f"{SECTOR_SIZE}-byte sector size; pad it with zeros")
            self.image = bytearray(image)
        else:
            if sectors < 0:
                raise ValueError(f"a disk cannot have {sectors} sectors")
            self.image = bytearray(sectors * SECTOR_SIZE)
        self.bus = bus
        self.sector = self.dma_addr = self.count = 0
        self.status = STATUS_OK
        self.completed = 0
        self.last_error = ""

    @property
    def capacity(self) -> int:
        """Number of sectors."""
        return len(self.image) // SECTOR_SIZE

    # -- bus side -----------------------------------------------------------

    def load(self, offset: int, size: int) -> int:
        self._check_access(offset, size, "load")
        readable = {MAGIC: MAGIC_VALUE, SECTOR_SIZE_REG: SECTOR_SIZE, CAPACITY: self.capacity,
                    SECTOR: self.sector, DMA_ADDR: self.dma_addr, COUNT: self.count,
                    COMMAND: 0, STATUS: self.status, COMPLETED: self.completed}
        return readable[offset]

    def store(self, offset: int, size: int, value: int) -> None:
        self._check_access(offset, size, "store")
        value &= 0xFFFF_FFFF
        if offset in WRITABLE:
            setattr(self, WRITABLE[offset], value)
        elif offset == COMMAND:
            self.execute(value)
        # stores to read-only registers are ignored, as on most hardware

    def _check_access(self, offset: int, size: int, access: str) -> None:
        if offset % 4 or offset > COMPLETED:
            raise AccessFault(offset, size, access,
                              f"no block-device register at offset {offset:#x} "
                              f"(registers are 32-bit words at 0x00-{COMPLETED:#04x})")
        if size != 4:
            raise AccessFault(offset, size, access,
                              "block-device registers must be accessed as 32-bit words")

    # -- the controller -------------------------------------------------------

    def execute(self, command: int) -> int:
        """Run one command with the current registers; returns the new STATUS."""
        if command not in (CMD_READ, CMD_WRITE):
            return self._fail(STATUS_BAD_COMMAND,
                              f"unknown command {command} (1 = READ, 2 = WRITE)")
        if self.sector + self.count > self.capacity:
            return self._fail(STATUS_BAD_SECTOR,
                              f"sectors {self.sector}..{self.sector + self.count - 1} are past "
                              f"the end of the disk ({self.capacity} sectors)")
        nbytes = self.count * SECTOR_SIZE
        if nbytes and not self.bus.is_ram(self.dma_addr, nbytes):
            return self._fail(STATUS_DMA_FAULT,
                              f"DMA buffer {self.dma_addr:#010x}+{nbytes:#x} is not entirely "
                              f"in RAM ({self.bus.regions_near(self.dma_addr)})")
        start = self.sector * SECTOR_SIZE
        if command == CMD_READ:
            self.bus.write_bytes(self.dma_addr, bytes(self.image[start:start + nbytes]))
        else:
            self.image[start:start + nbytes] = self.bus.read_bytes(self.dma_addr, nbytes)
        if self.bus.ledger is not None and nbytes:
            self.bus.ledger.charge("dma_byte", nbytes)
        self.completed += 1
        self.last_error = ""
        self.status = STATUS_OK
        return self.status

    def _fail(self, status: int, why: str) -> int:
        self.status = status
        self.last_error = f"{STATUS_NAMES[status]}: {why}"
        return status
