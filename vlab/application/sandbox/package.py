"""A whole application package held in memory: parsed, checked, readable file by file.

:class:`Package` is what a packager produces and what a streaming server
serves.  Reading one checks everything a streaming client would check over
time (header, index, every block's extent and CRC-32), so a package that loads
here streams without surprises.  Layout: :mod:`~vlab.application.sandbox.package_format`.
"""

from __future__ import annotations

from dataclasses import dataclass

from vlab.application.sandbox.errors import PackageFormatError, VirtualFileNotFound
from vlab.application.sandbox.manifest import Manifest
from vlab.application.sandbox.package_format import (
    HEADER,
    Header,
    Index,
    check_block,
    decode_header,
    decode_index,
)


@dataclass(frozen=True)
class Package:
    """The bytes of a ``.vapp`` package with its parsed header, index and manifest."""

    data: bytes
    header: Header
    index: Index
    manifest: Manifest

    @classmethod
    def from_bytes(cls, data: bytes) -> Package:
        """Parse and fully check a package; raises :class:`PackageFormatError` with the reason."""
        if not isinstance(data, bytes | bytearray):
            raise PackageFormatError(f"a package is bytes, got {type(data).__name__}")
        data = bytes(data)
        header = decode_header(data)
        index = decode_index(header, data[HEADER.size:])
        package = cls(data, header, index, Manifest.from_fields(index.manifest))
        for number in range(header.block_count):
            check_block(index, number, package.block(number))
        if len(data) != package.size:
            raise PackageFormatError(
                f"{len(data) - package.size} unexpected bytes after the last block"
            )
        return package

    @property
    def size(self) -> int:
        """Bytes of the whole package (header + index + data)."""
        return self.header.data_offset + sum(block.length for block in self.index.blocks)

    @property
    def metadata_size(self) -> int:
        """Bytes of header + index: what a client fetches before any block."""
        return self.header.data_offset

    @property
    def paths(self) -> list[str]:
        """Every file of the package's virtual file system, sorted."""
        return sorted(self.index.files)

    def block(self, number: int) -> bytes:
        """The raw bytes of block ``number`` as stored (possibly short if truncated)."""
        entry = self.index.blocks[number]
        start = self.header.data_offset + entry.offset
        return self.data[start:start + entry.length]

    def read(self, path: str) -> bytes:
        """A file's bytes, read straight from the package (no streaming)."""
        entry = self.index.files.get(path)
        if entry is None:
            raise VirtualFileNotFound(f"the package {self.manifest.name!r} has no file {path!r}")
        return b"".join(self.block(number) for number in entry.blocks)
