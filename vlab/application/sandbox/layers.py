"""The three layers of an application's virtual file system, top to bottom.

====================  ==========  ==============================================
layer                 writable?   holds
====================  ==========  ==============================================
:class:`SandboxLayer` yes         this application's own changes: files it
                                  wrote (copied up), and *whiteouts*, markers
                                  that hide a lower file it deleted
:class:`PackageLayer` no          the package's files, streamed on first read
:class:`HostLayer`    no          the workstation's files (modeled OS image)
====================  ==========  ==============================================

The stack is a union file system in the style of UnionFS/OverlayFS (whiteouts,
copy-up; Wright & Zadok, "Kernel korner: unionfs", Linux Journal 2004), which
is also how App-V and ThinApp keep an application's changes apart: writes go
to a per-user, per-application sandbox, the lower layers never change.
Directories are implicit: a directory exists when some file lies beneath it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from types import MappingProxyType

from vlab.application.sandbox.paths import package_entry_path
from vlab.application.sandbox.streaming import StreamingClient


class HostLayer:
    """The workstation's own files, read-only to every application.

    It is modeled (a frozen mapping of path -> bytes), never the real disk,
    and it offers no method that writes: that an application cannot change
    the host is a property of the type, and :meth:`digest` lets a test prove
    the host is byte-for-byte what it was.
    """

    def __init__(self, files: Mapping[str, bytes] | None = None) -> None:
        checked = {package_entry_path(path): bytes(data) for path, data in (files or {}).items()}
        self._files = MappingProxyType(dict(sorted(checked.items())))

    def has(self, path: str) -> bool:
        return path in self._files

    def read(self, path: str) -> bytes | None:
        return self._files.get(path)

    def paths(self) -> list[str]:
        return list(self._files)

    def digest(self) -> str:
        """SHA-256 over every path and content: equal digests, identical host."""
        sha = hashlib.sha256()
        for path, data in self._files.items():
            sha.update(path.encode() + b"\0" + len(data).to_bytes(8, "little") + data)
        return sha.hexdigest()


class PackageLayer:
    """The package's files, read through a streaming client (fetched on first read)."""

    def __init__(self, client: StreamingClient) -> None:
        self.client = client

    def has(self, path: str) -> bool:
        """Known from the metadata alone: asking does not fetch anything."""
        return self.client.has_file(path)

    def read(self, path: str) -> bytes | None:
        if not self.client.has_file(path):
            return None
        return self.client.read_file(path)

    def paths(self) -> list[str]:
        return self.client.paths


#: What one file or whiteout costs a sandbox beyond its content: the directory
#: entry and inode a real sandbox directory spends (ext4: 256-byte inodes).  It
#: makes a quota bound the number of files too, not only their bytes.
ENTRY_BYTES = 256


class SandboxLayer:
    """One application's writable layer: written files and whiteouts.

    Deleting the sandbox (:meth:`clear`) removes every trace the application
    left; nothing else needs undoing because nothing else was changed.
    """

    def __init__(self, owner: str) -> None:
        self.owner = owner
        self.files: dict[str, bytes] = {}
        self.whiteouts: set[str] = set()
        self.copy_ups = 0

    def read(self, path: str) -> bytes | None:
        return self.files.get(path)

    def paths(self) -> list[str]:
        return sorted(self.files)

    def has(self, path: str) -> bool:
        return path in self.files

    def hides(self, path: str) -> bool:
        """Whether a whiteout on ``path`` hides the lower layers' file."""
        return path in self.whiteouts

    def write(self, path: str, data: bytes) -> None:
        self.files[path] = bytes(data)
        self.whiteouts.discard(path)

    def remove(self, path: str, *, whiteout: bool) -> None:
        self.files.pop(path, None)
        if whiteout:
            self.whiteouts.add(path)

    def size_bytes(self) -> int:
        """Bytes of file content in the sandbox."""
        return sum(len(data) for data in self.files.values())

    @staticmethod
    def entry_cost(path: str, size: int = 0) -> int:
        """Quota bytes one file of ``size`` bytes (or a whiteout, size 0) at ``path`` uses."""
        return size + ENTRY_BYTES + len(path.encode("utf-8"))

    def usage_bytes(self) -> int:
        """Quota bytes in use: every file's content and entry, every whiteout's entry."""
        return (sum(self.entry_cost(p, len(d)) for p, d in self.files.items())
                + sum(self.entry_cost(p) for p in self.whiteouts))

    def changes(self) -> list[tuple[str, str]]:
        """``(path, 'written' | 'deleted')`` for every change, sorted by path."""
        rows = [(p, "written") for p in self.files] + [(p, "deleted") for p in self.whiteouts]
        return sorted(rows)

    def clear(self) -> None:
        self.files.clear()
        self.whiteouts.clear()
        self.copy_ups = 0
