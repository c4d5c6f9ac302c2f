"""An immutable, content-addressed layer: the unit an image is built from.

An OCI image (``image-spec/layer.md``, ``descriptor.md``) is a stack of layers, and each
layer is a tar archive named by the SHA-256 digest of its bytes: two layers with the
same digest are the same files, and a layer cannot change without changing its name.
:class:`ImageLayer` is that: a frozen set of files, whiteouts and opaque markers whose
digest (:meth:`~ImageLayer.digest`) is ``sha256:`` + the hash of its canonical tar.

Canonical means that the same content always gives the same bytes: entries sorted by
name, regular files only (directories are implicit), owner 0:0, mode 0644, modification
time 0, POSIX pax format (``tarfile.PAX_FORMAT``).  Any tar tool can list the result
(``tar -tvf``), and :meth:`ImageLayer.from_tar` reads an OCI layer tar back, whiteout
names included.  Links and device files are refused: this store holds regular files.
"""

from __future__ import annotations

import hashlib
import io
import tarfile
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from vlab.os.fs.errors import LayerFormatError
from vlab.os.fs.paths import ROOT, ancestors, entry_path, normalize
from vlab.os.fs.whiteout import check_regular_name, decode, opaque_entry, whiteout_entry

FILE_MODE = 0o644


class ImageLayer:
    """A read-only layer: files, whiteouts and opaque directories, named by its digest."""

    def __init__(self, files: Mapping[str, bytes] | None = None, *,
                 whiteouts: Iterable[str] = (), opaque_dirs: Iterable[str] = (),
                 name: str = "layer") -> None:
        self.name = name
        checked = {check_regular_name(entry_path(p, "layer file")): bytes(data)
                   for p, data in (files or {}).items()}
        self._files = MappingProxyType(dict(sorted(checked.items())))
        self._whiteouts = frozenset(check_regular_name(entry_path(p, "whiteout"))
                                    for p in whiteouts)
        self._opaque = frozenset(ROOT if p == ROOT else entry_path(p, "opaque directory")
                                 for p in opaque_dirs)
        self._refuse_contradictions()
        self.tar = self._serialize()
        self._digest = "sha256:" + hashlib.sha256(self.tar).hexdigest()

    def _refuse_contradictions(self) -> None:
        for path in self._files:
            for hidden in (path, *ancestors(path)):
                if hidden in self._whiteouts:
                    raise LayerFormatError(
                        f"layer holds {path!r} but also a whiteout of {hidden!r}; a layer "
                        "that recreates a deleted directory marks it opaque instead")

    # ------------------------------------------------------------ the Layer protocol

    def has(self, path: str) -> bool:
        return path in self._files

    def read(self, path: str) -> bytes | None:
        return self._files.get(path)

    def paths(self) -> list[str]:
        return list(self._files)

    def whiteout_paths(self) -> frozenset[str]:
        return self._whiteouts

    def opaque_dirs(self) -> frozenset[str]:
        return self._opaque

    # ------------------------------------------------------------ content addressing

    def entries(self) -> list[tuple[str, bytes]]:
        """Every tar entry as ``(absolute name, content)``, sorted: files, ``.wh.`` markers."""
        rows = dict(self._files)
        rows.update((whiteout_entry(p), b"") for p in self._whiteouts)
        rows.update((opaque_entry(d), b"") for d in self._opaque)
        return sorted(rows.items())

    def _serialize(self) -> bytes:
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as archive:
            for name, data in self.entries():
                info = tarfile.TarInfo(name.lstrip("/"))
                info.size, info.mode, info.mtime = len(data), FILE_MODE, 0
                info.uid = info.gid = 0
                info.uname = info.gname = ""
                archive.addfile(info, io.BytesIO(data))
        return buffer.getvalue()

    def digest(self) -> str:
        """``sha256:`` + the hex SHA-256 of :meth:`to_tar`: equal digests, identical layers."""
        return self._digest

    def to_tar(self) -> bytes:
        """The canonical tar archive whose SHA-256 is the :meth:`digest`."""
        return self.tar

    @classmethod
    def from_tar(cls, data: bytes, name: str = "layer") -> ImageLayer:
        """Read an OCI layer tar: regular files, ``.wh.NAME`` whiteouts, ``.wh..wh..opq``."""
        files: dict[str, bytes] = {}
        whiteouts, opaque = [], []
        try:
            with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
                for member in archive.getmembers():
                    if member.isdir():
                        continue  # directories are implicit
                    if not member.isreg():
                        raise LayerFormatError(
                            f"layer member {member.name!r} is a {_kind(member)}; this store "
                            "holds regular files only")
                    kind, path = decode(normalize("/" + member.name))
                    if kind == "file":
                        files[path] = archive.extractfile(member).read()
                    else:
                        (whiteouts if kind == "whiteout" else opaque).append(path)
        except (tarfile.TarError, EOFError) as error:
            raise LayerFormatError(f"not a tar archive: {error}") from None
        return cls(files, whiteouts=whiteouts, opaque_dirs=opaque, name=name)

    def __eq__(self, other) -> bool:
        return isinstance(other, ImageLayer) and self._digest == other._digest

    def __hash__(self) -> int:
        return hash(self._digest)

    def __repr__(self) -> str:
        return (f"<ImageLayer {self.name!r} {self._digest[:19]}: {len(self._files)} files, "
                f"{len(self._whiteouts)} whiteouts, {len(self._opaque)} opaque>")


def _kind(member: tarfile.TarInfo) -> str:
    if member.issym():
        return f"symbolic link to {member.linkname!r}"
    if member.islnk():
        return f"hard link to {member.linkname!r}"
    return "device or FIFO"
