"""blockfs ("vlabfs"): a file system on the modeled block device, kept across runs.

The disk is the platform's DMA block device (``vlab/host/devices/block.py``); the driver
programs its registers (sector, DMA address, count, command) and moves each 4 KiB
block through a one-block bounce buffer in RAM, so every block read or written is a
real device command, charged to the ledger as DMA bytes.  Saving the device's image
(``device.image``) after ``sync`` and booting from it again gives the same files.

Layout, in blocks of 4 KiB (8 sectors)::

    block 0            superblock (sector 0): magic "VLABFS01", generation, which
                       metadata slot is current, its length and CRC-32, block count
    blocks 1..M        metadata slot 0 \\  the tree as JSON: inode -> mode, owner,
    blocks M+1..2M     metadata slot 1 /  size, data block list | entries | link target
    blocks 2M+1..      file data

**Crash-consistency rule: copy-on-write and one atomic superblock write.**  Data of a
file is never written over a block the on-disk tree still uses: such a block is copied
to a free one first (blocks written since the last checkpoint are updated in place).
``sync`` (``fsync``, ``fdatasync``, ``sync``, ``syncfs``, ``umount``) writes the tree
into the metadata slot that is *not* current, then the superblock -- one 512-byte
sector, which the device writes whole -- naming that slot.  A crash (the machine
stopping at any instruction) therefore leaves the disk holding exactly the tree of the
last completed ``sync`` with all its data; what changed after it is lost, nothing is
torn.  On mount the superblock's CRC-32 of the metadata is checked (a disk written by
something else is refused, not misread).  This is the shadow-paging/"uberblock" scheme
of WAFL and ZFS, reduced to two slots.

cgroup ``io.max``: every block I/O is accounted to the current process's cgroup
(``cgroup/io.py``, device 254:0).  Simplified: the delay the limits give an I/O is
served before that process's *next* I/O on the disk (Linux delays the bio before
dispatch; the throughput over time is the same), so a system call never restarts after
moving data.  Also simplified: no page cache (each ``read`` reads the disk), no hard
links, directories and the tree kept in memory while mounted (Linux caches them too).
"""

from __future__ import annotations

import json
import struct
import weakref
import zlib

from ..errno import EEXIST, EINVAL, EIO, EISDIR, ENOENT, ENOSPC, ENOTDIR, ENOTEMPTY, SyscallError
from ..waitq import Blocked
from .constants import PERMISSIONS, S_IFDIR, S_IFLNK, S_IFMT, S_IFREG
from .inode import FileSystem, Inode

BLOCK = 4096
SECTOR = 512
SECTORS_PER_BLOCK = BLOCK // SECTOR
MAGIC = b"VLABFS01"
SUPER = struct.Struct("<8sQIIII")      # magic, generation, slot, meta length, crc, blocks
IO_DEVICE = (254, 0)                   # virtio-blk's dynamic major, as "vda"
MAX_FILE_SIZE = (1 << 31) - 1
# device registers (vlab/host/devices/block.py)
REG_SECTOR, REG_DMA, REG_COUNT, REG_COMMAND, REG_STATUS = 0x0C, 0x10, 0x14, 0x18, 0x1C
CMD_READ, CMD_WRITE = 1, 2


class BlockDriver:
    """Reads and writes blocks by programming the device; DMA through ``buffer_pa``."""

    def __init__(self, device, buffer_pa: int):
        self.device, self.buffer = device, buffer_pa
        self.blocks = device.capacity // SECTORS_PER_BLOCK

    def _command(self, first_sector: int, sectors: int, command: int) -> None:
        device = self.device
        for register, value in ((REG_SECTOR, first_sector), (REG_DMA, self.buffer),
                                (REG_COUNT, sectors), (REG_COMMAND, command)):
            device.store(register, 4, value)
        if device.load(REG_STATUS, 4) != 0:
            raise SyscallError(EIO, f"block device: {device.last_error}")

    def read(self, block: int) -> bytes:
        self._command(block * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK, CMD_READ)
        return self.device.bus.read_bytes(self.buffer, BLOCK)

    def write(self, block: int, data: bytes) -> None:
        self.device.bus.write_bytes(self.buffer, data.ljust(BLOCK, b"\0"))
        self._command(block * SECTORS_PER_BLOCK, SECTORS_PER_BLOCK, CMD_WRITE)

    def write_sector(self, sector: int, data: bytes) -> None:
        self.device.bus.write_bytes(self.buffer, data.ljust(SECTOR, b"\0"))
        self._command(sector, 1, CMD_WRITE)

    def read_sector(self, sector: int) -> bytes:
        self._command(sector, 1, CMD_READ)
        return self.device.bus.read_bytes(self.buffer, SECTOR)


def geometry(blocks: int) -> tuple[int, int]:
    """(blocks per metadata slot, first data block) for a disk of ``blocks``."""
    meta = max(2, blocks // 16)
    return meta, 1 + 2 * meta


def mkfs(device, buffer_pa: int) -> None:
    """Format the disk: an empty root directory, checkpoint generation 1."""
    driver = BlockDriver(device, buffer_pa)
    meta, first_data = geometry(driver.blocks)
    if driver.blocks <= first_data:
        raise ValueError(f"a disk of {driver.blocks} blocks is too small for vlabfs "
                         f"(at least {first_data + 1} blocks of 4 KiB)")
    tree = {"next_ino": 2, "inodes": {"1": {"m": S_IFDIR | 0o755, "u": 0, "g": 0, "e": {}}}}
    _checkpoint(driver, tree, generation=1, slot=0)


def _checkpoint(driver: BlockDriver, tree: dict, generation: int, slot: int) -> None:
    raw = json.dumps(tree, sort_keys=True, separators=(",", ":")).encode()
    meta, _ = geometry(driver.blocks)
    if len(raw) > meta * BLOCK:
        raise SyscallError(ENOSPC, f"vlabfs: the tree ({len(raw)} bytes) does not fit a "
                                   f"metadata slot of {meta * BLOCK} bytes")
    start = 1 + slot * meta
    for i in range(0, len(raw), BLOCK):
        driver.write(start + i // BLOCK, raw[i:i + BLOCK])
    driver.write_sector(0, SUPER.pack(MAGIC, generation, slot, len(raw),
                                      zlib.crc32(raw), driver.blocks))


def is_blank(device) -> bool:
    """Whether the disk holds nothing yet (all zero): a new disk image to format."""
    return not any(device.image)


def open_disk(device, buffer_pa: int, kernel=None) -> BlockFs:
    """Mount ``device`` (``vlab os boot --disk IMG``): a blank disk is formatted first;
    a disk holding something that is not vlabfs is refused (EINVAL), never overwritten."""
    if is_blank(device):
        mkfs(device, buffer_pa)
    return BlockFs(device, buffer_pa, kernel)


class BlockFs(FileSystem):
    fstype = "vlabfs"

    def __init__(self, device, buffer_pa: int, kernel=None, source: str = "/dev/vda"):
        super().__init__(source)
        self.driver = BlockDriver(device, buffer_pa)
        self.kernel = kernel
        self.io_ready_at = weakref.WeakKeyDictionary()   # process -> when it may do I/O
        magic, self.generation, self.slot, length, crc, blocks = SUPER.unpack(
            self.driver.read_sector(0)[:SUPER.size])
        if magic != MAGIC or blocks != self.driver.blocks:
            raise SyscallError(EINVAL, "not a vlabfs disk (no superblock): format it with "
                                       "vlab.os.vfs.blockfs.mkfs(device, buffer)")
        meta, self.first_data = geometry(blocks)
        start = 1 + self.slot * meta
        raw = b"".join(self.driver.read(start + i) for i in range(-(-length // BLOCK)))
        raw = raw[:length]
        if zlib.crc32(raw) != crc:
            raise SyscallError(EIO, "vlabfs: the metadata does not match its checksum")
        tree = json.loads(raw)
        self.inodes: dict[int, BlockInode] = {}
        self._inos_next = tree["next_ino"]
        for number, fields in tree["inodes"].items():
            self.inodes[int(number)] = BlockInode(self, int(number), fields)
        self.committed = {b for inode in self.inodes.values() for b in inode.blocks if b}
        self.used = set(self.committed)
        self.root = self.inodes[1]
        self.dirty = False
        register = getattr(getattr(kernel, "root_cgroup", None), "io_devices", None)
        if register is not None:
            register.setdefault(IO_DEVICE, "vda")

    # -- inodes and blocks
    def next_ino(self) -> int:
        if not hasattr(self, "_inos_next"):
            return 1
        number, self._inos_next = self._inos_next, self._inos_next + 1
        return number

    def new_inode(self, mode: int, **fields) -> BlockInode:
        inode = BlockInode(self, self.next_ino(), {"m": mode, "u": 0, "g": 0, **fields})
        self.inodes[inode.ino] = inode
        self.dirty = True
        return inode

    def alloc_block(self) -> int:
        for block in range(self.first_data, self.driver.blocks):
            if block not in self.used and block not in self.committed:
                self.used.add(block)
                return block
        raise SyscallError(ENOSPC, "vlabfs: no free block on the disk")

    def release_blocks(self, blocks) -> None:
        self.used.difference_update(b for b in blocks if b)
        self.dirty = True

    # -- io.max
    def throttle(self, nbytes: int, write: bool) -> None:
        """Before an I/O: wait out the delay of the process's last one; after: charge
        this one (see the module docstring)."""
        proc = getattr(self.kernel, "current", None)
        if proc is None:
            return
        now = self.kernel.now_ns()
        ready = self.io_ready_at.get(proc, 0)
        if now < ready:
            raise Blocked(None, ready)
        io = getattr(getattr(proc, "cgroup", None), "io", None)
        if io is not None:
            self.io_ready_at[proc] = now + io.delay_ns(now, nbytes, write, IO_DEVICE)

    # -- checkpoints
    def sync(self) -> None:
        """Write the tree to the other slot, then the superblock (the commit point)."""
        if not self.dirty:
            return
        tree = {"next_ino": self._inos_next,
                "inodes": {str(n): i.fields() for n, i in sorted(self.inodes.items())}}
        slot = 1 - self.slot
        _checkpoint(self.driver, tree, self.generation + 1, slot)
        self.generation, self.slot = self.generation + 1, slot
        self.committed = set(self.used)
        self.dirty = False


class BlockInode(Inode):
    def __init__(self, fs: BlockFs, ino: int, fields: dict):
        super().__init__(fs, fields["m"], ino=ino)
        self.uid, self.gid = fields.get("u", 0), fields.get("g", 0)
        self.length = fields.get("s", 0)
        self.blocks: list[int | None] = list(fields.get("b", []))
        self.entries: dict[str, int] = dict(fields.get("e", {}))
        self.target: str = fields.get("t", "")

    def fields(self) -> dict:
        out = {"m": self.mode, "u": self.uid, "g": self.gid}
        kind = self.mode & S_IFMT
        if kind == S_IFREG:
            out.update(s=self.length, b=self.blocks)
        elif kind == S_IFDIR:
            out["e"] = self.entries
        elif kind == S_IFLNK:
            out["t"] = self.target
        return out

    @property
    def size(self) -> int:
        return self.length if self.is_regular() else len(self.target.encode()) \
            if self.is_symlink() else 0

    def _changed(self) -> None:
        self.fs.dirty = True

    # -- directories
    def lookup(self, name):
        self._need_dir(name)
        number = self.entries.get(name)
        if number is None:
            raise SyscallError(ENOENT, f"no entry {name!r}")
        return self.fs.inodes[number]

    def readdir(self):
        self._need_dir("")
        return [(name, self.fs.inodes[n]) for name, n in sorted(self.entries.items())]

    def _add(self, name: str, mode: int, **fields) -> BlockInode:
        self._need_dir(name)
        if name in self.entries:
            raise SyscallError(EEXIST, f"{name!r} already exists")
        inode = self.fs.new_inode(mode, **fields)
        self.entries[name] = inode.ino
        self._changed()
        return inode

    def create(self, name, mode):
        return self._add(name, S_IFREG | (mode & PERMISSIONS), s=0, b=[])

    def mkdir(self, name, mode):
        return self._add(name, S_IFDIR | (mode & PERMISSIONS), e={})

    def symlink(self, name, target):
        return self._add(name, S_IFLNK | 0o777, t=target)

    def _drop(self, name: str) -> None:
        inode = self.fs.inodes.pop(self.entries.pop(name))
        self.fs.release_blocks(inode.blocks)
        self._changed()

    def unlink(self, name):
        if self.lookup(name).is_dir():
            raise SyscallError(EISDIR, f"{name!r} is a directory (use rmdir)")
        self._drop(name)

    def rmdir(self, name):
        child = self.lookup(name)
        if not child.is_dir():
            raise SyscallError(ENOTDIR, f"{name!r} is not a directory")
        if child.entries:
            raise SyscallError(ENOTEMPTY, f"directory {name!r} is not empty")
        self._drop(name)

    def rename(self, name, new_dir, new_name):
        child = self.lookup(name)
        if not isinstance(new_dir, BlockInode) or new_dir.fs is not self.fs:
            raise SyscallError(EINVAL, "rename target is not on this disk")
        if child.is_dir() and _contains(child, new_dir):
            raise SyscallError(EINVAL, f"cannot move {name!r} into itself")
        old = new_dir.entries.get(new_name)
        if old == child.ino:
            return
        if old is not None:
            target = self.fs.inodes[old]
            if target.is_dir() != child.is_dir():
                raise SyscallError(EISDIR if target.is_dir() else ENOTDIR,
                                   f"cannot replace {new_name!r} by {name!r}")
            if target.is_dir() and target.entries:
                raise SyscallError(ENOTEMPTY, f"directory {new_name!r} is not empty")
            new_dir._drop(new_name)
        del self.entries[name]
        new_dir.entries[new_name] = child.ino
        self._changed()

    def chmod(self, perm):
        self.mode = (self.mode & ~PERMISSIONS) | (perm & PERMISSIONS)
        self._changed()

    def chown(self, uid, gid):
        self.uid = uid if uid != 0xFFFF_FFFF else self.uid
        self.gid = gid if gid != 0xFFFF_FFFF else self.gid
        self._changed()

    def readlink(self):
        return self.target if self.is_symlink() else super().readlink()

    # -- data
    def _block_bytes(self, index: int) -> bytes:
        physical = self.blocks[index] if index < len(self.blocks) else None
        return self.fs.driver.read(physical) if physical else bytes(BLOCK)

    def read_at(self, offset, count):
        if not self.is_regular():
            return super().read_at(offset, count)
        end = min(self.length, offset + count)
        if offset >= end:
            return b""
        self.fs.throttle(end - offset, write=False)
        first, last = offset // BLOCK, (end - 1) // BLOCK
        data = b"".join(self._block_bytes(i) for i in range(first, last + 1))
        return data[offset - first * BLOCK:end - first * BLOCK]

    def write_at(self, offset, data):
        if not self.is_regular():
            return super().write_at(offset, data)
        data = bytes(data)
        end = offset + len(data)
        if end > MAX_FILE_SIZE:
            raise SyscallError(EINVAL, f"vlabfs files end before {MAX_FILE_SIZE + 1} bytes")
        if not data:
            return 0
        self.fs.throttle(len(data), write=True)
        done = offset
        try:
            for index in range(offset // BLOCK, (end - 1) // BLOCK + 1):
                start = index * BLOCK
                piece = data[max(0, start - offset):end - offset][:BLOCK]
                within = max(offset, start) - start
                block = bytearray(self._block_bytes(index))
                valid = max(0, self.length - start)       # bytes of the file in it
                block[valid:] = bytes(BLOCK - valid) if valid < BLOCK else b""
                block[within:within + len(piece)] = piece
                self._store(index, bytes(block))
                done = start + within + len(piece)
        except SyscallError:
            if done == offset:                            # nothing written: the error
                raise
        finally:
            self.length = max(self.length, done)          # a full disk: what was written
            self._changed()
        return done - offset

    def _store(self, index: int, content: bytes) -> None:
        """Copy-on-write: a block the on-disk tree uses is never written over."""
        while len(self.blocks) <= index:
            self.blocks.append(None)
        physical = self.blocks[index]
        if physical is None or physical in self.fs.committed:
            fresh = self.fs.alloc_block()
            if physical is not None:
                self.fs.used.discard(physical)
            physical = self.blocks[index] = fresh
        self.fs.driver.write(physical, content)

    def truncate(self, size):
        if not self.is_regular():
            return super().truncate(size)
        if size > MAX_FILE_SIZE:
            raise SyscallError(EINVAL, "size past the largest vlabfs file")
        keep = -(-size // BLOCK)
        if size < self.length and size % BLOCK and keep <= len(self.blocks) \
                and self.blocks[keep - 1]:           # zero the cut-off tail of the last block
            block = bytearray(self._block_bytes(keep - 1))
            block[size % BLOCK:] = bytes(BLOCK - size % BLOCK)
            self._store(keep - 1, bytes(block))
        self.fs.release_blocks(self.blocks[keep:])
        del self.blocks[keep:]
        self.length = size
        self._changed()


def _contains(directory: BlockInode, inode: BlockInode) -> bool:
    if inode is directory:
        return True
    return any(_contains(directory.fs.inodes[n], inode)
               for n in directory.entries.values() if directory.fs.inodes[n].is_dir())
