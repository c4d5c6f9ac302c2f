"""The three layers of an application's virtual file system, top to bottom.

=====================  ==========  ==============================================
layer                  writable?   holds
=====================  ==========  ==============================================
:class:`SandboxLayer`  yes         this application's own changes: files it
                                   wrote (copied up), and *whiteouts*, markers
                                   that hide a lower file it deleted
:class:`PackageLayer`  no          the package's files, streamed on first read
:class:`HostLayer`     no          the workstation's files (modeled OS image)
=====================  ==========  ==============================================

Each is a layer of the copy-on-write layer store (:mod:`vlab.os.fs`), stacked by its
:class:`~vlab.os.fs.overlay.Overlay` as overlayfs and OCI images stack layers
(whiteouts, copy-up), which is also how App-V and ThinApp keep an application's changes
apart: writes go to a per-user, per-application sandbox, the lower layers never change.
"""

from __future__ import annotations

from collections.abc import Mapping

from vlab.application.sandbox.streaming import StreamingClient
from vlab.os.fs.image_layer import ImageLayer
from vlab.os.fs.writable_layer import ENTRY_BYTES, WritableLayer

__all__ = ["ENTRY_BYTES", "HostLayer", "PackageLayer", "SandboxLayer"]


class HostLayer(ImageLayer):
    """The workstation's own files, read-only to every application.

    It is modeled (an immutable, content-addressed image layer), never the real disk,
    and it offers no method that writes: that an application cannot change the host is
    a property of the type, and :meth:`digest` lets a test prove the host is
    byte-for-byte what it was.
    """

    def __init__(self, files: Mapping[str, bytes] | None = None) -> None:
        super().__init__(files, name="host")


class PackageLayer:
    """The package's files, read through a streaming client (fetched on first read)."""

    name = "package"

    def __init__(self, client: StreamingClient) -> None:
        self.client = client

    def has(self, path: str) -> bool:
        """Known from the metadata alone: asking does not fetch anything."""
        return self.client.has_file(path)

    def read(self, path: str) -> bytes | None:
        if not self.client.has_file(path):
            return None
        return self.client.read_file(path)

    def size(self, path: str) -> int:
        """A file's size from the package's file table: nothing is fetched."""
        return self.client.file_size(path)

    def paths(self) -> list[str]:
        return self.client.paths

    def whiteout_paths(self) -> frozenset[str]:
        return frozenset()  # a package only adds files

    def opaque_dirs(self) -> frozenset[str]:
        return frozenset()


class SandboxLayer(WritableLayer):
    """One application's writable layer: written files and whiteouts.

    Deleting the sandbox (:meth:`clear`) removes every trace the application
    left; nothing else needs undoing because nothing else was changed.
    """

    def __init__(self, owner: str) -> None:
        super().__init__(name="sandbox")
        self.owner = owner
