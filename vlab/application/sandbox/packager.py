"""The packager: turns an application's files into one streamable package.

App-V calls this step *sequencing* and ThinApp *capture*: the product watches
an installer run on a clean machine and records every file it writes.  vlab's
packager skips the installer and takes the files directly, from a dict
(``{"classes/Main.vcls": b"...", "/etc/app.conf": b"..."}``) or from a
directory on the real disk.  Relative names land under the application's root
(``/apps/NAME``), absolute names where they say; both are checked, so a
package can never hold ``..`` or a host path.

Each file is cut into blocks of ``block_size`` bytes, its last block shorter;
blocks are what a streaming client fetches.  App-V 4.6 fixed its block size at
64 KB; vlab's default is 1 KB so that the course's small applications span
several blocks and streaming is visible.
"""

from __future__ import annotations

import zlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from vlab.application.sandbox.errors import PackageFormatError, PathEscapeError
from vlab.application.sandbox.manifest import Manifest
from vlab.application.sandbox.package import Package
from vlab.application.sandbox.package_format import (
    MAX_BLOCK_SIZE,
    BlockEntry,
    FileEntry,
    Header,
    Index,
    encode_header,
    encode_index,
)
from vlab.application.sandbox.paths import normalize

DEFAULT_BLOCK_SIZE = 1024


def _place(name: str, root: str) -> str:
    """Where a file named ``name`` in the input lands in the virtual file system."""
    path = normalize(name, cwd=root)
    if path == "/":
        raise PathEscapeError(f"file name {name!r} names the root directory, not a file")
    if not name.startswith("/") and not path.startswith(root + "/"):
        raise PathEscapeError(
            f"file name {name!r} would land at {path!r}, outside the application root "
            f"{root!r}; use an absolute name to place a file elsewhere on purpose"
        )
    return path


def _cut(data: bytes, block_size: int) -> list[bytes]:
    return [data[i:i + block_size] for i in range(0, len(data), block_size)]


def build_package(
    files: Mapping[str, bytes],
    name: str,
    *,
    version: str = "1.0",
    entry: str = "",
    launch: tuple[str, ...] | list[str] = (),
    isolation: Mapping[str, str] | None = None,
    block_size: int = DEFAULT_BLOCK_SIZE,
) -> Package:
    """Pack ``files`` into a package for application ``name``.

    ``launch`` lists the files needed to start the application (names as in
    ``files``); they form the launch set a client may prefetch.
    """
    if not 0 < block_size <= MAX_BLOCK_SIZE:
        raise PackageFormatError(f"block size {block_size} is not in 1..{MAX_BLOCK_SIZE}")
    manifest = Manifest(name=name, version=version, entry=entry, isolation=dict(isolation or {}))
    placed = {}
    for file_name, data in files.items():
        if not isinstance(data, bytes | bytearray):
            raise PackageFormatError(f"file {file_name!r}: content must be bytes")
        path = _place(file_name, manifest.root)
        if path in placed:
            raise PackageFormatError(f"two input files land at {path!r}")
        placed[path] = bytes(data)
    launch_paths = tuple(_place(p, manifest.root) for p in launch)
    for path in launch_paths:
        if path not in placed:
            raise PackageFormatError(f"launch file {path!r} is not among the package's files")
    manifest = replace(manifest, launch=launch_paths)
    return _assemble(placed, manifest, block_size)


def _assemble(files: dict[str, bytes], manifest: Manifest, block_size: int) -> Package:
    table: dict[str, FileEntry] = {}
    blocks: list[BlockEntry] = []
    payload: list[bytes] = []
    offset = 0
    for path in sorted(files):
        pieces = _cut(files[path], block_size)
        table[path] = FileEntry(path, len(files[path]), len(blocks), len(pieces))
        for piece in pieces:
            blocks.append(BlockEntry(offset, len(piece), zlib.crc32(piece)))
            payload.append(piece)
            offset += len(piece)
    index = encode_index(Index(manifest.to_fields(), table, tuple(blocks)))
    header = Header(block_size, len(blocks), len(index), zlib.crc32(index))
    return Package.from_bytes(encode_header(header) + index + b"".join(payload))


def build_package_from_directory(directory: str | Path, name: str, **options) -> Package:
    """Pack every regular file under ``directory`` (relative names, sorted).

    Symbolic links are refused: one pointing outside the directory would let
    the packager read (and ship) host files the author never meant to include.
    """
    base = Path(directory)
    if not base.is_dir():
        raise PackageFormatError(f"{str(base)!r} is not a directory")
    files = {}
    for path in sorted(base.rglob("*")):
        if path.is_symlink():
            raise PathEscapeError(f"{str(path)!r} is a symbolic link; copy the file in instead")
        if path.is_file():
            files[path.relative_to(base).as_posix()] = path.read_bytes()
    return build_package(files, name, **options)
