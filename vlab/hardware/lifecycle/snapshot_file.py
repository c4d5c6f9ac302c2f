"""The snapshot file: a suspended VM on disk (format ``VLABSNAP`` version 1).

Suspend writes a VM's state (vlab/hardware/lifecycle/vmstate.py) to one file; resume
reads it on any modeled host.  The layout, all integers little-endian::

    header (16 bytes)
      magic        8 bytes   b'VLABSNAP'
      version      u16       1
      sections     u16       number of section entries that follow
      table crc    u32       CRC-32 of the section table
    section table (sections x 40 bytes)
      name         16 bytes  ASCII, NUL-padded: config, vcpu, vmm, devices, memory
      flags        u32       bit 0: the payload is zlib-compressed
      raw size     u64       payload size after decompression
      stored size  u64       payload size in the file
      crc          u32       CRC-32 of the stored payload
      reserved     u32       0
    payloads, in table order, back to back

Sections ``config``, ``vcpu``, ``vmm`` and ``devices`` are JSON (vlab/hardware/lifecycle/
plain_data.py), ``devices`` and ``memory`` compressed.  ``memory`` holds only pages that
are not all zero (a fresh host's RAM reads zero elsewhere)::

    count u32, then count x u32 page numbers (ascending), then count x 4096 page bytes

**Written atomically** (the rule of every crash-safe store, e.g. SQLite's rollback and
``rename`` in POSIX): the bytes go to a temporary file in the same directory, which is
``fsync``-ed and then ``os.replace``-d over the destination (an atomic rename), and the
directory is ``fsync``-ed.  A crash before the rename leaves the previous snapshot as it
was; after it, the new one is complete.

**Verified on load**: the magic, the version, the table's CRC, that every section is
present and fits in the file (a truncated file names the section it cut), every
section's CRC-32 (zlib's), decompression and the JSON; any failure is a
:class:`SnapshotError` with the reason -- nothing is half-restored.
"""
from __future__ import annotations

import os
import struct
import tempfile
import zlib

from vlab.isa.pagetable import PAGE

from . import plain_data
from .vmstate import VmConfig, VmState

MAGIC = b'VLABSNAP'
VERSION = 1
HEADER = struct.Struct('<8sHHI')
ENTRY = struct.Struct('<16sIQQII')
COMPRESSED = 1
SECTIONS = ('config', 'vcpu', 'vmm', 'devices', 'memory')
COMPRESS = {'devices', 'memory'}


class SnapshotError(ValueError):
    """A snapshot file that cannot be read or written (the message says why)."""


# ------------------------------------------------------------------ encoding
def encode_memory(pages: dict) -> bytes:
    numbers = sorted(pages)
    return (struct.pack('<I', len(numbers)) + struct.pack(f'<{len(numbers)}I', *numbers)
            + b''.join(pages[n] for n in numbers))


def decode_memory(data: bytes) -> dict:
    if len(data) < 4:
        raise SnapshotError('memory section: shorter than its page count')
    count, = struct.unpack_from('<I', data)
    if len(data) != 4 + 4 * count + PAGE * count:
        raise SnapshotError(f'memory section: {count} pages need '
                            f'{4 + 4 * count + PAGE * count} bytes, it has {len(data)}')
    numbers = struct.unpack_from(f'<{count}I', data, 4)
    start = 4 + 4 * count
    return {n: data[start + i * PAGE:start + (i + 1) * PAGE] for i, n in enumerate(numbers)}


def payloads(state: VmState) -> dict:
    """The raw (uncompressed) bytes of each section."""
    return {'config': plain_data.dumps(state.config.to_dict(), 'config'),
            'vcpu': plain_data.dumps(state.vcpu, 'vcpu'),
            'vmm': plain_data.dumps(state.vmm, 'vmm'),
            'devices': plain_data.dumps(state.devices, 'devices'),
            'memory': encode_memory(state.pages)}


def to_bytes(state: VmState) -> bytes:
    """The whole file's bytes for ``state``."""
    table, blobs = [], []
    for name, raw in payloads(state).items():
        flags = COMPRESSED if name in COMPRESS else 0
        stored = zlib.compress(raw, 6) if flags else raw
        table.append(ENTRY.pack(name.encode('ascii'), flags, len(raw), len(stored),
                                zlib.crc32(stored), 0))
        blobs.append(stored)
    table_bytes = b''.join(table)
    return (HEADER.pack(MAGIC, VERSION, len(table), zlib.crc32(table_bytes))
            + table_bytes + b''.join(blobs))


def section_sizes(data: bytes) -> dict:
    """Section name -> (raw size, stored size), read from a file's table (verified)."""
    return {name: (raw, stored) for name, _, raw, stored, _ in _table(data)}


def _table(data: bytes) -> list:
    if len(data) < HEADER.size:
        raise SnapshotError(f'truncated: {len(data)} bytes, shorter than the '
                            f'{HEADER.size}-byte header')
    magic, version, count, table_crc = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise SnapshotError(f'not a vlab snapshot: magic {magic!r}, expected {MAGIC!r}')
    if version != VERSION:
        raise SnapshotError(f'snapshot format version {version}; this vlab reads '
                            f'version {VERSION}')
    end = HEADER.size + count * ENTRY.size
    if len(data) < end:
        raise SnapshotError('truncated: the file ends inside its section table')
    if zlib.crc32(data[HEADER.size:end]) != table_crc:
        raise SnapshotError('corrupted: the section table fails its checksum')
    entries, offset = [], end
    for i in range(count):
        name, flags, raw, stored, crc, _ = ENTRY.unpack_from(data, HEADER.size + i * ENTRY.size)
        entries.append((name.rstrip(b'\0').decode('ascii', 'replace'), flags, raw, stored,
                        (offset, crc)))
        offset += stored
    return entries


def from_bytes(data: bytes) -> VmState:
    """Verify and decode a snapshot (see the module docstring); SnapshotError if bad."""
    sections = {}
    for name, flags, raw, stored, (offset, crc) in _table(data):
        blob = data[offset:offset + stored]
        if len(blob) != stored:
            raise SnapshotError(f'truncated: section {name!r} needs {stored} bytes at '
                                f'offset {offset}, the file has {max(0, len(data) - offset)}')
        if zlib.crc32(blob) != crc:
            raise SnapshotError(f'corrupted: section {name!r} fails its CRC-32 checksum')
        if flags & COMPRESSED:
            try:
                blob = zlib.decompress(blob)
            except zlib.error as exc:
                raise SnapshotError(f'corrupted: section {name!r} does not decompress '
                                    f'({exc})') from None
        if len(blob) != raw:
            raise SnapshotError(f'corrupted: section {name!r} is {len(blob)} bytes, '
                                f'its table entry says {raw}')
        sections[name] = blob
    missing = [name for name in SECTIONS if name not in sections]
    if missing:
        raise SnapshotError(f'incomplete: section(s) {", ".join(missing)} missing')
    try:
        config = VmConfig.from_dict(plain_data.loads(sections['config'], 'config'))
        return VmState(config, plain_data.loads(sections['vcpu'], 'vcpu'),
                       plain_data.loads(sections['vmm'], 'vmm'),
                       plain_data.loads(sections['devices'], 'devices'),
                       decode_memory(sections['memory']))
    except ValueError as exc:
        raise SnapshotError(f'corrupted: {exc}') from None


# ------------------------------------------------------------------ files
def write_snapshot(path, state: VmState) -> int:
    """Write ``state`` to ``path`` atomically; returns the file's size in bytes."""
    data = to_bytes(state)
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix='.' + os.path.basename(path) + '.',
                                   suffix='.tmp', dir=directory)
    except OSError as exc:
        raise SnapshotError(f'cannot write a snapshot in {directory}: {exc.strerror}') from None
    try:
        with os.fdopen(fd, 'wb') as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    _fsync_directory(directory)
    return len(data)


def _fsync_directory(directory: str) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def read_snapshot(path) -> VmState:
    """Read and verify a snapshot file."""
    try:
        with open(path, 'rb') as f:
            data = f.read()
    except OSError as exc:
        raise SnapshotError(f'cannot read snapshot {os.fspath(path)}: {exc.strerror}') from None
    try:
        return from_bytes(data)
    except SnapshotError as exc:
        raise SnapshotError(f'{os.fspath(path)}: {exc}') from None


def zero_pages_left_out(state: VmState) -> int:
    """How many guest pages the file did not store (all zero)."""
    return state.config.guest_ram // PAGE - len(state.pages)


__all__ = ['MAGIC', 'SECTIONS', 'VERSION', 'SnapshotError', 'from_bytes', 'read_snapshot',
           'section_sizes', 'to_bytes', 'write_snapshot', 'zero_pages_left_out']
