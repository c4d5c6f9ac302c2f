"""VM disk images with copy-on-write over a read-only backing file (in the spirit of qcow2).

Provisioning many VMs from one *template* (Hwang et al. 2011, sec. 3.5.1) must not copy
the template's disk for each: a clone is a small file that names its **backing file** and
holds only the clusters the clone has written (QEMU's qcow2, docs/interop/qcow2.txt:
header, two-level cluster map, backing file name).  Reads of a cluster the clone never
wrote go down the chain to the backing file; the first write to such a cluster copies it
up (copy-on-write) into the clone.  The template is only ever opened read-only, so any
number of clones share it.

Format ``VLABDISK`` version 1, integers little-endian::

    header (48 bytes)
      magic          8 bytes  b'VLABDISK'
      version        u32      1
      cluster_bits   u32      12 (4 KiB clusters)
      size           u64      virtual disk size in bytes (a multiple of the cluster)
      l1_entries     u32      ceil(clusters / 512)
      backing_len    u32      length of the backing file name (0: none)
      l1_offset      u64      where the L1 table starts
      header_crc     u32      CRC-32 of the 44 bytes before it
      reserved       u32
    backing file name (UTF-8, relative to this file's directory)
    L1 table   l1_entries x u64: file offset of an L2 table, 0 = none allocated
    L2 tables  512 x u64 each: file offset of a data cluster, 0 = not in this file
    data clusters (4 KiB each), appended as they are written

A clone is the header, the name and an L1 table of zeros: its size and the time to
make it do not depend on how much the template holds (``clone`` is O(1) in the
template's data; its L1 table grows with the *virtual* size, 8 bytes per 2 MiB).
"""
from __future__ import annotations

import os
import struct
import zlib

MAGIC = b'VLABDISK'
VERSION = 1
CLUSTER_BITS = 12
CLUSTER = 1 << CLUSTER_BITS
L2_ENTRIES = CLUSTER // 8
HEADER = struct.Struct('<8sIIQIIQ')          # 44 bytes, then crc and reserved
MAX_CHAIN = 16
MAX_SIZE = 1 << 40


class DiskImageError(ValueError):
    """An image that cannot be created, opened, read or written (the message says why)."""


def create(path, size: int, backing: str | None = None) -> None:
    """A new image of ``size`` bytes (all zero), or a clone over ``backing`` (then
    ``size`` may be 0: the backing file's size)."""
    if backing is not None:
        base_path = os.path.join(os.path.dirname(os.path.abspath(path)), backing)
        with DiskImage(base_path) as base:
            size = size or base.size
            if size != base.size:
                raise DiskImageError(f'a clone must have its backing file\'s size '
                                     f'({base.size} bytes), not {size}')
    if not (0 < size <= MAX_SIZE) or size % CLUSTER:
        raise DiskImageError(f'disk size {size}: give a positive multiple of {CLUSTER} '
                             f'bytes, at most {MAX_SIZE}')
    name = (backing or '').encode('utf-8')
    l1_entries = -(-size // CLUSTER // L2_ENTRIES)
    l1_offset = HEADER.size + 8 + len(name)
    head = HEADER.pack(MAGIC, VERSION, CLUSTER_BITS, size, l1_entries, len(name), l1_offset)
    data = head + struct.pack('<II', zlib.crc32(head), 0) + name + bytes(8 * l1_entries)
    if os.path.exists(path):
        raise DiskImageError(f'{path} exists; an image is never overwritten')
    with open(path, 'xb') as out:
        out.write(data)


def clone(template, path) -> None:
    """A copy-on-write clone of ``template`` at ``path`` (the template stays read-only)."""
    here = os.path.dirname(os.path.abspath(path))
    create(path, 0, os.path.relpath(os.path.abspath(template), here))


class DiskImage:
    """An open image and its backing chain (``writable=False``: read-only)."""

    def __init__(self, path, writable: bool = False, _depth: int = 0):
        self.path = os.fspath(path)
        if _depth > MAX_CHAIN:
            raise DiskImageError(f'{self.path}: backing chain longer than {MAX_CHAIN} '
                                 '(a loop?)')
        try:
            self.file = open(self.path, 'r+b' if writable else 'rb')
        except OSError as exc:
            raise DiskImageError(f'cannot open disk image {self.path}: {exc.strerror}') \
                from None
        self.writable = writable
        try:
            self._read_header()
            self.backing = (DiskImage(os.path.join(os.path.dirname(os.path.abspath(
                self.path)), self.backing_name), False, _depth + 1)
                if self.backing_name else None)
        except BaseException:
            self.file.close()
            raise

    def _read_header(self) -> None:
        raw = self.file.read(HEADER.size + 8)
        if len(raw) < HEADER.size + 8:
            raise DiskImageError(f'{self.path}: truncated header ({len(raw)} bytes)')
        magic, version, bits, size, l1_entries, name_len, l1_offset = HEADER.unpack_from(raw)
        crc, = struct.unpack_from('<I', raw, HEADER.size)
        if magic != MAGIC:
            raise DiskImageError(f'{self.path}: not a vlab disk image (magic {magic!r})')
        if version != VERSION or bits != CLUSTER_BITS:
            raise DiskImageError(f'{self.path}: version {version}, cluster bits {bits}; '
                                 f'this vlab reads version {VERSION} with {CLUSTER_BITS}')
        if zlib.crc32(raw[:HEADER.size]) != crc:
            raise DiskImageError(f'{self.path}: corrupted header (checksum)')
        self.size, self.l1_offset = size, l1_offset
        self.backing_name = self.file.read(name_len).decode('utf-8', 'replace')
        self.file.seek(l1_offset)
        table = self.file.read(8 * l1_entries)
        if len(table) != 8 * l1_entries:
            raise DiskImageError(f'{self.path}: truncated cluster map')
        self.l1 = list(struct.unpack(f'<{l1_entries}Q', table))

    # ------------------------------------------------------------ the map
    def _l2_entry(self, cluster: int) -> tuple[int, int]:
        """(file offset of the cluster's L2 entry or 0, data offset or 0)."""
        l2 = self.l1[cluster // L2_ENTRIES]
        if not l2:
            return 0, 0
        where = l2 + 8 * (cluster % L2_ENTRIES)
        self.file.seek(where)
        offset, = struct.unpack('<Q', self.file.read(8))
        return where, offset

    def owns(self, cluster: int) -> bool:
        """Is the cluster stored in this file (not in the backing chain)?"""
        return self._l2_entry(cluster)[1] != 0

    def read_cluster(self, cluster: int) -> bytes:
        _, offset = self._l2_entry(cluster)
        if offset:
            self.file.seek(offset)
            data = self.file.read(CLUSTER)
            if len(data) != CLUSTER:
                raise DiskImageError(f'{self.path}: cluster {cluster} is cut short')
            return data
        return self.backing.read_cluster(cluster) if self.backing else bytes(CLUSTER)

    def read(self, offset: int, n: int) -> bytes:
        self._check(offset, n)
        out = bytearray()
        while n > 0:
            cluster, within = divmod(offset, CLUSTER)
            take = min(n, CLUSTER - within)
            out += self.read_cluster(cluster)[within:within + take]
            offset, n = offset + take, n - take
        return bytes(out)

    def write(self, offset: int, data: bytes) -> None:
        """Write through copy-on-write: a cluster not yet in this file is copied up."""
        if not self.writable:
            raise DiskImageError(f'{self.path} is open read-only (a backing file is '
                                 'never written)')
        self._check(offset, len(data))
        pos = 0
        while pos < len(data):
            cluster, within = divmod(offset + pos, CLUSTER)
            take = min(len(data) - pos, CLUSTER - within)
            block = bytearray(self.read_cluster(cluster))
            block[within:within + take] = data[pos:pos + take]
            self._store(cluster, bytes(block))
            pos += take

    def _store(self, cluster: int, block: bytes) -> None:
        where, offset = self._l2_entry(cluster)
        if not offset:
            if not where:
                where = self._new_l2(cluster // L2_ENTRIES) + 8 * (cluster % L2_ENTRIES)
            offset = self._append(block)
            self.file.seek(where)
            self.file.write(struct.pack('<Q', offset))
        else:
            self.file.seek(offset)
            self.file.write(block)

    def _new_l2(self, index: int) -> int:
        l2 = self._append(bytes(CLUSTER))
        self.l1[index] = l2
        self.file.seek(self.l1_offset + 8 * index)
        self.file.write(struct.pack('<Q', l2))
        return l2

    def _append(self, block: bytes) -> int:
        end = self.file.seek(0, os.SEEK_END)
        self.file.write(block)
        return end

    def _check(self, offset: int, n: int) -> None:
        if offset < 0 or n < 0 or offset + n > self.size:
            raise DiskImageError(f'{self.path}: bytes [{offset}, {offset + n}) are outside '
                                 f'the {self.size}-byte disk')

    # ------------------------------------------------------------ facts
    def allocated(self) -> int:
        """Clusters stored in this file."""
        return sum(self.owns(c) for c in range(self.size // CLUSTER)
                   if self.l1[c // L2_ENTRIES])

    def chain(self) -> list[str]:
        names, image = [], self
        while image is not None:
            names.append(image.path)
            image = image.backing
        return names

    def info(self) -> dict:
        return {'path': self.path, 'format': f'VLABDISK v{VERSION}', 'size': self.size,
                'cluster': CLUSTER, 'allocated_clusters': self.allocated(),
                'file_bytes': os.path.getsize(self.path),
                'backing': self.backing_name or None, 'chain': self.chain()}

    def close(self) -> None:
        self.file.close()
        if self.backing:
            self.backing.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


__all__ = ['CLUSTER', 'DiskImage', 'DiskImageError', 'MAGIC', 'clone', 'create']
