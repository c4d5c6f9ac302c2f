"""The application package: a binary container an application is delivered in.

App-virtualization products (LANDesk Application Virtualization, Microsoft
App-V, VMware ThinApp; Hwang, Dongarra & Fox 2011, sec. 3.1.2.5) ship an
application as one self-contained file that holds its own virtual file system
and is cut into blocks so it can be streamed (App-V 4.x: the ``.sft`` file of
64 KB blocks).  This module is that format for vlab, a ``.vapp`` file.  All
integers are little-endian.

Header (24 bytes)::

    offset size field
         0    4 magic            b"VAPP"
         4    2 major version    1   (a reader refuses another major)
         6    2 minor version    0
         8    4 block size       bytes per block (a file's last block may be shorter)
        12    4 block count
        16    4 index length     bytes of the index that follows the header
        20    4 index CRC-32     zlib.crc32 of the index bytes

Index (``index length`` bytes, right after the header)::

    u32 manifest length, then the manifest: UTF-8 "key: value" lines
    u32 file count, then per file (sorted by path):
        u16 path length, path (UTF-8, canonical absolute, e.g. /app/hello/Main.vcls)
        u32 size in bytes, u32 first block, u32 block count
    per block (block count entries):
        u32 offset (from the start of the data area), u32 length, u32 CRC-32

Data area: the blocks, back to back, starting right after the index.  Each
block belongs to one file; file *k* is its blocks ``first .. first+count-1``
concatenated.  Header and index together are the package's metadata: a
streaming client fetches them first, then each block on first use, checking
the block's CRC-32 (so a corrupt block is rejected, never run).

Simplified: no compression, no registry, no digital signature (a CRC-32
catches corruption, not an attacker, who can recompute it).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass, field

from vlab.application.sandbox.errors import PackageFormatError, PathEscapeError
from vlab.application.sandbox.paths import package_entry_path

MAGIC = b"VAPP"
MAJOR_VERSION = 1
MINOR_VERSION = 0
HEADER = struct.Struct("<4sHHIIII")
FILE_ENTRY = struct.Struct("<III")
BLOCK_ENTRY = struct.Struct("<III")
U16 = struct.Struct("<H")
U32 = struct.Struct("<I")
MAX_BLOCK_SIZE = 1 << 24


@dataclass(frozen=True)
class Header:
    """The fixed 24-byte start of a package."""

    block_size: int
    block_count: int
    index_length: int
    index_crc: int
    major: int = MAJOR_VERSION
    minor: int = MINOR_VERSION

    @property
    def data_offset(self) -> int:
        """Where the data area (block 0) starts in the package."""
        return HEADER.size + self.index_length


@dataclass(frozen=True)
class FileEntry:
    """One file of the package's virtual file system and the blocks that hold it."""

    path: str
    size: int
    first_block: int
    block_count: int

    @property
    def blocks(self) -> range:
        return range(self.first_block, self.first_block + self.block_count)


@dataclass(frozen=True)
class BlockEntry:
    """Where a block lies in the data area and the CRC-32 its bytes must have."""

    offset: int
    length: int
    crc: int


@dataclass(frozen=True)
class Index:
    """Everything but the blocks: manifest, file table, block table."""

    manifest: dict[str, str]
    files: dict[str, FileEntry] = field(default_factory=dict)
    blocks: tuple[BlockEntry, ...] = ()

    def file_of_block(self, block: int) -> str:
        """The path of the file that block number ``block`` belongs to."""
        for entry in self.files.values():
            if block in entry.blocks:
                return entry.path
        raise PackageFormatError(f"block {block} belongs to no file of the package")


# ---------------------------------------------------------------- encoding


def encode_manifest(manifest: dict[str, str]) -> bytes:
    """``key: value`` lines, keys sorted; keys and values may not hold newlines."""
    lines = []
    for key in sorted(manifest):
        value = manifest[key]
        if "\n" in key or "\n" in value or ":" in key or not key:
            raise PackageFormatError(f"manifest entry {key!r}: {value!r} cannot be encoded")
        lines.append(f"{key}: {value}")
    return "\n".join(lines).encode("utf-8")


def encode_index(index: Index) -> bytes:
    manifest = encode_manifest(index.manifest)
    out = [U32.pack(len(manifest)), manifest, U32.pack(len(index.files))]
    for path in sorted(index.files):
        entry = index.files[path]
        name = path.encode("utf-8")
        out += [U16.pack(len(name)), name]
        out.append(FILE_ENTRY.pack(entry.size, entry.first_block, entry.block_count))
    out += [BLOCK_ENTRY.pack(b.offset, b.length, b.crc) for b in index.blocks]
    return b"".join(out)


def encode_header(header: Header) -> bytes:
    return HEADER.pack(
        MAGIC, header.major, header.minor, header.block_size,
        header.block_count, header.index_length, header.index_crc,
    )


# ---------------------------------------------------------------- decoding


def decode_header(data: bytes) -> Header:
    """Parse and check the 24-byte header (magic, version, sizes)."""
    if len(data) < HEADER.size:
        raise PackageFormatError(
            f"truncated package: {len(data)} bytes, the header alone needs {HEADER.size}"
        )
    magic, major, minor, block_size, count, index_length, crc = HEADER.unpack_from(data)
    if magic != MAGIC:
        raise PackageFormatError(
            f"bad magic {magic!r} at offset 0: a vlab package starts with {MAGIC!r}; "
            "build one with vlab.application.sandbox.build_package"
        )
    if major != MAJOR_VERSION:
        raise PackageFormatError(
            f"package format version {major}.{minor} is not supported "
            f"(this reader reads {MAJOR_VERSION}.x); rebuild the package"
        )
    if not 0 < block_size <= MAX_BLOCK_SIZE:
        raise PackageFormatError(
            f"block size {block_size} in the header is not in 1..{MAX_BLOCK_SIZE}"
        )
    return Header(block_size, count, index_length, crc, major, minor)


class _Reader:
    """Reads fields from the index, turning running off its end into a clear error."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, size: int, what: str) -> bytes:
        if self.pos + size > len(self.data):
            raise PackageFormatError(
                f"truncated index: {what} at index offset {self.pos} needs {size} bytes, "
                f"only {len(self.data) - self.pos} remain"
            )
        chunk = self.data[self.pos:self.pos + size]
        self.pos += size
        return chunk

    def unpack(self, fmt: struct.Struct, what: str) -> tuple[int, ...]:
        return fmt.unpack(self.take(fmt.size, what))

    def text(self, size: int, what: str) -> str:
        raw = self.take(size, what)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PackageFormatError(f"{what} is not valid UTF-8 ({exc.reason})") from None


def decode_manifest(text: str) -> dict[str, str]:
    manifest = {}
    for number, line in enumerate(text.splitlines(), start=1):
        key, sep, value = line.partition(": ")
        if not sep or not key:
            raise PackageFormatError(f"manifest line {number} {line!r} is not 'key: value'")
        manifest[key] = value
    return manifest


def decode_index(header: Header, data: bytes) -> Index:
    """Parse the index that follows ``header``; checks its CRC and every table entry."""
    if len(data) < header.index_length:
        raise PackageFormatError(
            f"truncated package: the index needs {header.index_length} bytes, "
            f"only {len(data)} are present"
        )
    data = data[:header.index_length]
    if zlib.crc32(data) != header.index_crc:
        raise PackageFormatError(
            f"index checksum mismatch: CRC-32 {zlib.crc32(data):#010x}, header says "
            f"{header.index_crc:#010x}; the package is corrupt, fetch or build it again"
        )
    reader = _Reader(data)
    (manifest_length,) = reader.unpack(U32, "manifest length")
    manifest = decode_manifest(reader.text(manifest_length, "manifest"))
    files = _decode_files(reader, header.block_count)
    blocks = tuple(
        BlockEntry(*reader.unpack(BLOCK_ENTRY, f"block table entry {b}"))
        for b in range(header.block_count)
    )
    if reader.pos != len(data):
        extra = len(data) - reader.pos
        raise PackageFormatError(f"{extra} unexpected bytes at the end of the index")
    index = Index(manifest, files, blocks)
    _check_blocks(index, header.block_size)
    return index


def _decode_files(reader: _Reader, block_count: int) -> dict[str, FileEntry]:
    (count,) = reader.unpack(U32, "file count")
    files: dict[str, FileEntry] = {}
    for number in range(count):
        (length,) = reader.unpack(U16, f"path length of file {number}")
        path = reader.text(length, f"path of file {number}")
        try:
            package_entry_path(path)
        except PathEscapeError as exc:
            raise PackageFormatError(f"file {number}: {exc}") from None
        size, first, blocks = reader.unpack(FILE_ENTRY, f"file table entry {path}")
        if path in files:
            raise PackageFormatError(f"file {path!r} appears twice in the file table")
        if first + blocks > block_count:
            raise PackageFormatError(
                f"file {path!r} claims blocks {first}..{first + blocks - 1}, "
                f"the package has {block_count}"
            )
        files[path] = FileEntry(path, size, first, blocks)
    return files


def _check_blocks(index: Index, block_size: int) -> None:
    """Blocks must be in order, no longer than the block size, and sum to each file's size."""
    expected_offset = 0
    for number, block in enumerate(index.blocks):
        if block.offset != expected_offset or block.length > block_size:
            raise PackageFormatError(
                f"block table entry {number} (offset {block.offset}, length {block.length}) "
                f"is inconsistent: expected offset {expected_offset}, length <= {block_size}"
            )
        expected_offset += block.length
    for entry in index.files.values():
        stored = sum(index.blocks[b].length for b in entry.blocks)
        if stored != entry.size:
            raise PackageFormatError(
                f"file {entry.path!r} says {entry.size} bytes but its blocks hold {stored}"
            )


def check_block(index: Index, number: int, payload: bytes) -> bytes:
    """Verify a fetched block's length and CRC-32; return it or raise a clear error."""
    block = index.blocks[number]
    if len(payload) != block.length:
        raise PackageFormatError(
            f"truncated package: block {number} ({index.file_of_block(number)}) "
            f"has {len(payload)} of its {block.length} bytes"
        )
    if zlib.crc32(payload) != block.crc:
        raise PackageFormatError(
            f"checksum mismatch in block {number} ({index.file_of_block(number)}): "
            f"CRC-32 {zlib.crc32(payload):#010x}, index says {block.crc:#010x}; "
            "the package is corrupt, fetch or build it again"
        )
    return payload
