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
* a file created in a deleted directory turns its whiteout into an opaque marker;
* **mkdir** records the directory in the upper layer, where it exists on its own (empty
  or not) until **rmdir**; made over a whiteout it is *opaque* (``.wh..wh..opq``), as
  overlayfs creates it; **rmdir** of an empty directory that a lower layer shows
  leaves a whiteout of the directory.

The lower layers are never written, so they are unchanged by construction.  An
optional quota (content plus a per-entry cost, so many empty files count too) bounds
the upper layer.  Directories of the image layers are implicit: such a directory
exists while a visible file lies in it.  A layer may also hold directories of its own
(``dir_paths``: the upper layer's mkdirs and copied-up directories,
:meth:`Overlay.copy_up_dir`), which exist, empty or not, until removed.
"""

from __future__ import annotations

from collections.abc import Sequence

from vlab.os.errno import EEXIST, ENOTEMPTY
from vlab.os.fs.errors import (
    FileNotFound,
    FsError,
    IsADirectory,
    NotADirectory,
    QuotaExceeded,
)
from vlab.os.fs.layer import Layer
from vlab.os.fs.paths import ROOT, ancestors, normalize, parent
from vlab.os.fs.whiteout import check_regular_name, is_hidden_by
from vlab.os.fs.writable_layer import WritableLayer


class FileExists(FsError):
    """mkdir of a path that is already a file or a directory."""

    errno = EEXIST


class DirectoryNotEmpty(FsError):
    """rmdir of a directory that still shows entries."""

    errno = ENOTEMPTY


def _own_dirs(layer: Layer):
    """The directories ``layer`` holds on its own (image layers: none, all implicit)."""
    dir_paths = getattr(layer, "dir_paths", None)
    return dir_paths() if dir_paths is not None else ()


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

    def visible_dirs(self) -> set[str]:
        """Every directory the overlay shows, the root included: those a visible file
        lies in, and a layer's own directories unless a layer above hides them."""
        shown = {ROOT}
        for path in self.visible_files():
            shown.update(ancestors(path))
        for index, layer in enumerate(self.layers):
            above = self.layers[:index]
            for directory in set(_own_dirs(layer)) - shown:
                if not any(is_hidden_by(directory, upper.whiteout_paths(), upper.opaque_dirs())
                           for upper in above):
                    shown.add(directory)
                    shown.update(ancestors(directory))
        return shown

    def is_dir(self, path: str) -> bool:
        directory = self.resolve(path)
        return directory == ROOT or directory in self.visible_dirs()

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
        entries = [*self.visible_files(), *self.visible_dirs()]
        return sorted({f[len(prefix):].split("/", 1)[0] for f in entries
                       if f.startswith(prefix) and f != prefix})

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
        if self.is_dir(directory):                 # a lower layer still shows it
            self.upper.remove_tree(directory, whiteout=True)

    def copy_up_dir(self, path: str) -> None:
        """Record a directory the overlay shows in the upper layer, so that it stays when
        its last file is deleted: overlayfs copies up the directory a whiteout is put
        in (``Documentation/filesystems/overlayfs.rst``, "whiteouts and opaque
        directories").  The layer-store API leaves lower directories implicit."""
        directory = self.resolve(path)
        if directory == ROOT or directory in self.upper.dir_paths():
            return
        if not self.is_dir(directory):
            raise FileNotFound(f"cannot copy up {directory!r}: no such directory")
        self.upper.make_dir(directory)

    def mkdir(self, path: str) -> None:
        """Make an empty directory in the upper layer (opaque over a whiteout)."""
        directory = self.resolve(path)
        if directory == ROOT or self.exists(directory):
            raise FileExists(f"cannot make directory {directory!r}: it exists")
        above = parent(directory)
        if self.is_file(above):
            raise NotADirectory(f"cannot make {directory!r}: {above!r} is a file")
        if not self.is_dir(above):
            raise FileNotFound(f"cannot make {directory!r}: no directory {above!r}")
        check_regular_name(directory)
        self._check_quota(directory, 0)
        self.upper.make_dir(directory)

    def rmdir(self, path: str) -> None:
        """Remove an empty directory; a whiteout hides it if a lower layer shows it."""
        directory = self.resolve(path)
        if directory == ROOT:
            raise IsADirectory("cannot remove the root directory '/'")
        if self.listdir(directory):                # also: not a directory, no such
            raise DirectoryNotEmpty(f"cannot remove {directory!r}: not empty")
        self.remove_tree(directory)
