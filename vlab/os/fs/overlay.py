"""The overlay: N read-only lower layers under one writable upper layer.

A union file system in the style of Linux overlayfs
(``Documentation/filesystems/overlayfs.rst``) with the whiteout and opaque-directory
semantics of OCI image layers (``image-spec/layer.md``).  Lookup goes top-down::

    upper      (writable: this container's / application's changes)
    lower 1    (read-only, e.g. the application's package)
    ...
    lower N    (read-only, e.g. the base image or the workstation's files)

and the first layer that holds the path answers; a whiteout on the path or on a
directory above it, or an opaque marker on a directory above it, stops the search
(the lower copies were deleted).  Every change lands in the upper layer:

* **write** puts the whole new content in the upper layer;
* **append** to a file that lives below is *copy-on-write*: the lower file is copied up
  into the upper layer first (:attr:`WritableLayer.copy_ups` counts it), then changed;
* **delete** drops the upper copy and, if a lower layer still shows the file, leaves a
  whiteout; **remove_tree** does the same for a whole directory;
* a file created in a deleted directory turns its whiteout into an opaque marker.

The lower layers are never written, so they are unchanged by construction.  An
optional quota (content plus a per-entry cost, so many empty files count too) bounds
the upper layer.  Directories are implicit: a directory exists when a file lies in it.
"""

from __future__ import annotations

from collections.abc import Sequence

from vlab.os.fs.errors import FileNotFound, IsADirectory, NotADirectory, QuotaExceeded
from vlab.os.fs.layer import Layer
from vlab.os.fs.paths import ROOT, ancestors, is_within, normalize
from vlab.os.fs.whiteout import check_regular_name, is_hidden_by
from vlab.os.fs.writable_layer import WritableLayer


class Overlay:
    """One writable upper layer over read-only lower layers (topmost lower first)."""

    def __init__(self, upper: WritableLayer, lowers: Sequence[Layer] = (), *,
                 cwd: str = ROOT, quota_bytes: int | None = None) -> None:
        self.upper = upper
        self.lowers = tuple(lowers)
        self.cwd = normalize(cwd)
        self.quota_bytes = quota_bytes

    @property
    def layers(self) -> tuple[Layer, ...]:
        """Every layer, top to bottom."""
        return (self.upper, *self.lowers)

    # ------------------------------------------------------------ lookup

    def resolve(self, path: str) -> str:
        """Canonical absolute form of a path (relative to :attr:`cwd`)."""
        return normalize(path, self.cwd)

    def _find(self, path: str, start: int = 0) -> Layer | None:
        """The topmost layer from ``layers[start]`` down that shows canonical ``path``."""
        for layer in self.layers[start:]:
            if layer.has(path):
                return layer
            if is_hidden_by(path, layer.whiteout_paths(), layer.opaque_dirs()):
                return None
        return None

    def _shown_below_upper(self, path: str) -> bool:
        """Whether a lower layer would show ``path`` if the upper layer had no copy of it."""
        upper = self.upper
        if is_hidden_by(path, upper.whiteout_paths(), upper.opaque_dirs()):
            return False
        return self._find(path, start=1) is not None

    def layer_answering(self, path: str) -> Layer | None:
        """The layer whose copy of ``path`` is visible, or ``None``."""
        return self._find(self.resolve(path))

    def layer_of(self, path: str) -> str | None:
        """The name of the layer whose copy of ``path`` is visible, or ``None``."""
        layer = self.layer_answering(path)
        return None if layer is None else layer.name

    def visible_files(self) -> list[str]:
        """Every file the overlay shows, sorted."""
        candidates = set().union(*(layer.paths() for layer in self.layers))
        return sorted(p for p in candidates if self._find(p) is not None)

    def is_file(self, path: str) -> bool:
        return self.layer_answering(path) is not None

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
            raise NotADirectory(f"{directory!r} is a file, not a directory")
        if not self.is_dir(directory):
            raise FileNotFound(f"no directory {directory!r} in the file system")
        prefix = directory.rstrip("/") + "/"
        return sorted({f[len(prefix):].split("/", 1)[0] for f in self.visible_files()
                       if f.startswith(prefix)})

    # ------------------------------------------------------------ reading

    def read(self, path: str) -> bytes:
        """The file's bytes from the topmost layer that shows it."""
        resolved = self.resolve(path)
        layer = self._find(resolved)
        if layer is None:
            if self.is_dir(resolved):
                raise IsADirectory(f"{resolved!r} is a directory, not a file")
            raise FileNotFound(f"no file {resolved!r} in the file system")
        return layer.read(resolved)

    # ------------------------------------------------------------ changing

    def _check_writable(self, path: str, new_size: int) -> None:
        check_regular_name(path)
        if path == ROOT or self.is_dir(path):
            raise IsADirectory(f"{path!r} is a directory; write to a file inside it")
        for directory in ancestors(path):
            if self._find(directory) is not None:
                raise NotADirectory(
                    f"cannot create {path!r}: {directory!r} is a file, not a directory")
        self._check_quota(path, new_size)

    def _check_quota(self, path: str, new_size: int) -> None:
        if self.quota_bytes is None:
            return
        upper = self.upper
        usage = upper.usage_bytes() + upper.entry_cost(path, new_size)
        if path in upper.files:
            usage -= upper.entry_cost(path, len(upper.files[path]))
        elif path in upper.whiteouts:
            usage -= upper.entry_cost(path)
        if usage > self.quota_bytes:
            raise QuotaExceeded(
                f"writing {new_size} bytes to {path!r} would grow the {upper.name!r} "
                f"layer to {usage} bytes, past its quota of {self.quota_bytes} bytes "
                f"(each file also uses a "
                f"{upper.entry_cost('')}-byte entry)")

    def _store(self, path: str, data: bytes) -> None:
        for directory in ancestors(path):
            if directory in self.upper.whiteouts:
                self.upper.reopen(directory)
        self.upper.write(path, data)

    def write(self, path: str, data: bytes) -> None:
        """Replace (or create) a file; the new content lives in the upper layer."""
        resolved = self.resolve(path)
        self._check_writable(resolved, len(data))
        self._store(resolved, data)

    def append(self, path: str, data: bytes) -> None:
        """Append to a file, copying a lower layer's file up first (copy-on-write)."""
        resolved = self.resolve(path)
        layer = self._find(resolved)
        old = layer.read(resolved) if layer is not None else b""
        self._check_writable(resolved, len(old) + len(data))
        if layer is not None and layer is not self.upper:
            self.upper.copy_ups += 1
        self._store(resolved, old + data)

    def delete(self, path: str) -> None:
        """Delete a file: drop the upper copy, whiteout whatever lies below."""
        resolved = self.resolve(path)
        if self._find(resolved) is None:
            if self.is_dir(resolved):
                raise IsADirectory(f"{resolved!r} is a directory; use remove_tree")
            raise FileNotFound(f"cannot delete {resolved!r}: no such file")
        self.upper.remove(resolved, whiteout=self._shown_below_upper(resolved))

    def remove_tree(self, path: str) -> None:
        """Delete a directory and everything in it (``rm -r``): one whiteout hides it all."""
        directory = self.resolve(path)
        if directory == ROOT:
            raise IsADirectory("cannot remove the root directory '/'")
        if self.is_file(directory):
            raise NotADirectory(f"{directory!r} is a file; use delete")
        if not self.is_dir(directory):
            raise FileNotFound(f"cannot remove {directory!r}: no such directory")
        self.upper.remove_tree(directory, whiteout=False)
        still_shown = any(is_within(f, directory) for f in self.visible_files())
        if still_shown:
            self.upper.remove_tree(directory, whiteout=True)
