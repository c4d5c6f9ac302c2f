"""The layered virtual file system one sandboxed application sees.

Lookup goes top-down through :mod:`~vlab.application.sandbox.layers`::

    sandbox  (this app's writes and whiteouts)   read-write
    package  (the app's own files, streamed)     read-only
    host     (the workstation, modeled)          read-only, maybe hidden (isolation)

and the first layer that has the path answers; a whiteout in the sandbox
stops the search (the file was deleted).  Every change lands in the sandbox:

* **write** puts the whole new content in the sandbox;
* **append** to a file that lives below is *copy-on-write*: the lower file is
  copied up into the sandbox first, then changed there;
* **delete** removes the sandbox copy and, if a lower layer still has the
  file, leaves a whiteout so it stays deleted.

The lower layers are never written, so the host is unchanged by construction
and an application is uninstalled by deleting its sandbox.  A sandbox quota
(file contents plus a per-entry cost, so many empty files count too) stops an
application from filling the workstation's disk.
"""

from __future__ import annotations

from vlab.application.sandbox.errors import (
    SandboxError,
    VirtualFileNotFound,
    VirtualIsADirectory,
    VirtualNotADirectory,
)
from vlab.application.sandbox.isolation import host_visible
from vlab.application.sandbox.layers import HostLayer, PackageLayer, SandboxLayer
from vlab.application.sandbox.paths import ROOT, ancestors, is_within, normalize

DEFAULT_QUOTA_BYTES = 4 * 1024 * 1024


class SandboxQuotaExceeded(SandboxError):
    """A write would grow the sandbox layer beyond its quota."""


class LayeredFileSystem:
    """Sandbox over package over host, with copy-on-write and whiteouts."""

    def __init__(
        self,
        host: HostLayer,
        package: PackageLayer,
        sandbox: SandboxLayer,
        *,
        isolation: dict[str, str] | None = None,
        cwd: str = ROOT,
        quota_bytes: int = DEFAULT_QUOTA_BYTES,
    ) -> None:
        self.host, self.package, self.sandbox = host, package, sandbox
        self.isolation = dict(isolation or {})
        self.cwd = normalize(cwd)
        self.quota_bytes = quota_bytes

    # ------------------------------------------------------------ lookup

    def resolve(self, path: str) -> str:
        """Canonical absolute form of an application's path (relative to :attr:`cwd`)."""
        return normalize(path, self.cwd)

    def _layer_name(self, path: str) -> str | None:
        if self.sandbox.has(path):
            return "sandbox"
        if self.sandbox.hides(path):
            return None
        if self.package.has(path):
            return "package"
        if self.host.has(path) and host_visible(path, self.isolation):
            return "host"
        return None

    def layer_of(self, path: str) -> str | None:
        """Which layer answers for ``path``: 'sandbox', 'package', 'host' or None."""
        return self._layer_name(self.resolve(path))

    def _layer(self, name: str):
        return {"sandbox": self.sandbox, "package": self.package, "host": self.host}[name]

    def visible_files(self) -> list[str]:
        """Every file the application can see, sorted."""
        candidates = set(self.sandbox.paths()) | set(self.package.paths()) | set(self.host.paths())
        return sorted(p for p in candidates if self._layer_name(p) is not None)

    def is_file(self, path: str) -> bool:
        return self.layer_of(path) is not None

    def is_dir(self, path: str) -> bool:
        directory = self.resolve(path)
        if directory == ROOT:
            return True
        return any(is_within(f, directory) and f != directory for f in self.visible_files())

    def exists(self, path: str) -> bool:
        return self.is_file(path) or self.is_dir(path)

    def listdir(self, path: str = ".") -> list[str]:
        """Names directly inside directory ``path`` (files and subdirectories), sorted."""
        directory = self.resolve(path)
        if self.is_file(directory):
            raise VirtualNotADirectory(f"{directory!r} is a file, not a directory")
        if not self.is_dir(directory):
            raise VirtualFileNotFound(f"no directory {directory!r} in the virtual file system")
        prefix = directory.rstrip("/") + "/"
        names = {f[len(prefix):].split("/", 1)[0] for f in self.visible_files()
                 if f.startswith(prefix)}
        return sorted(names)

    # ------------------------------------------------------------ reading

    def read(self, path: str) -> bytes:
        """The file's bytes from the topmost layer that has it."""
        resolved = self.resolve(path)
        layer = self._layer_name(resolved)
        if layer is None:
            if self.is_dir(resolved):
                raise VirtualIsADirectory(f"{resolved!r} is a directory, not a file")
            raise VirtualFileNotFound(f"no file {resolved!r} in the virtual file system")
        return self._layer(layer).read(resolved)

    # ------------------------------------------------------------ changing

    def _check_writable(self, path: str, new_size: int) -> None:
        if path == ROOT or self.is_dir(path):
            raise VirtualIsADirectory(f"{path!r} is a directory; write to a file inside it")
        for directory in ancestors(path):
            if self._layer_name(directory) is not None:
                raise VirtualNotADirectory(
                    f"cannot create {path!r}: {directory!r} is a file, not a directory"
                )
        usage = self.sandbox.usage_bytes() + self.sandbox.entry_cost(path, new_size)
        if path in self.sandbox.files:
            usage -= self.sandbox.entry_cost(path, len(self.sandbox.files[path]))
        elif path in self.sandbox.whiteouts:
            usage -= self.sandbox.entry_cost(path)
        if usage > self.quota_bytes:
            raise SandboxQuotaExceeded(
                f"writing {new_size} bytes to {path!r} would grow the sandbox of "
                f"{self.sandbox.owner!r} to {usage} bytes, past its quota of "
                f"{self.quota_bytes} bytes (each file also uses a "
                f"{self.sandbox.entry_cost('')}-byte entry)"
            )

    def write(self, path: str, data: bytes) -> None:
        """Replace (or create) a file; the new content lives in the sandbox."""
        resolved = self.resolve(path)
        self._check_writable(resolved, len(data))
        self.sandbox.write(resolved, data)

    def append(self, path: str, data: bytes) -> None:
        """Append to a file, copying a lower layer's file up into the sandbox first."""
        resolved = self.resolve(path)
        layer = self._layer_name(resolved)
        old = self._layer(layer).read(resolved) if layer else b""
        self._check_writable(resolved, len(old) + len(data))
        if layer not in (None, "sandbox"):
            self.sandbox.copy_ups += 1
        self.sandbox.write(resolved, old + data)

    def delete(self, path: str) -> None:
        """Delete a file: drop the sandbox copy, whiteout whatever lies below."""
        resolved = self.resolve(path)
        if self._layer_name(resolved) is None:
            if self.is_dir(resolved):
                raise VirtualIsADirectory(f"{resolved!r} is a directory; delete its files")
            raise VirtualFileNotFound(f"cannot delete {resolved!r}: no such file")
        below = self.package.has(resolved) or (
            self.host.has(resolved) and host_visible(resolved, self.isolation)
        )
        self.sandbox.remove(resolved, whiteout=below)
