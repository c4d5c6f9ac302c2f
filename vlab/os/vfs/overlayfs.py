"""overlayfs: an image's layer store as a mountable file system -- a container's root.

The layer store of ``vlab.os.fs`` (``Overlay``: read-only ``ImageLayer``s under one
``WritableLayer``, with OCI whiteouts) holds files by path; this adapter gives it the
inode protocol so the VFS can mount it, as Linux's overlayfs
(``Documentation/filesystems/overlayfs.rst``) gives a merged directory over
``lowerdir``/``upperdir``.  Every change lands in the upper layer: writing into a file
that lives in a lower layer copies it up first (counted in ``upper.copy_ups``),
removing it leaves a whiteout, so the image's layers are never written.

Simplified, and how:

* directories live in the layer store (``Overlay.mkdir``/``rmdir``/``copy_up_dir``):
  one made with ``mkdir`` is in the upper layer and stays, empty or not, until
  ``rmdir``; like overlayfs, every change in a directory first copies the directory up
  into the upper layer, so an image layer's directory stays when its last file is
  deleted (``rm -r`` deletes the files, then the directory); ``rmdir`` of a lower
  directory writes its whiteout, ``mkdir`` over a whiteout makes the new directory
  opaque (``.wh..wh..opq``);
* symbolic links cannot be made (EPERM); files are shown with mode 0755, owned by root;
* renaming a directory is EXDEV (Linux's overlayfs answers the same without
  ``redirect_dir``: ``mv`` then copies); renaming a file copies it up;
* a file's bytes are rewritten whole on each write (the store keeps whole contents).
"""

from __future__ import annotations

from ..errno import EEXIST, EISDIR, ENOENT, ENOTDIR, ENOTEMPTY, EPERM, EXDEV, SyscallError
from ..fs.errors import FsError
from .constants import S_IFDIR, S_IFREG
from .inode import FileSystem, Inode

FILE_MODE = S_IFREG | 0o755
DIR_MODE = S_IFDIR | 0o755


def _store(call, *args):
    try:
        return call(*args)
    except FsError as exc:
        raise SyscallError(exc.errno, str(exc)) from None


def _join(directory: str, name: str) -> str:
    return f"{directory.rstrip('/')}/{name}"


class OverlayFs(FileSystem):
    fstype = "overlay"

    def __init__(self, overlay, source: str = "overlay"):
        super().__init__(source)
        self.overlay = overlay
        self.inodes: dict[str, OverlayInode] = {}
        self._listing_key = None
        self._listing: dict[str, set[str]] = {}
        self.root = self.inode("/")

    def inode(self, path: str) -> OverlayInode:
        found = self.inodes.get(path)
        if found is None:
            found = self.inodes[path] = OverlayInode(self, path)
        return found

    def listing(self) -> dict[str, set[str]]:
        """directory -> names in it, rebuilt when the upper layer's entries change."""
        upper = self.overlay.upper
        key = (hash(frozenset(upper.files)), hash(frozenset(upper.whiteouts)),
               hash(frozenset(upper.opaque)), hash(frozenset(upper.dirs)),
               len(self.overlay.lowers))
        if key != self._listing_key:
            directories = self.overlay.visible_dirs()
            listing: dict[str, set[str]] = {d: set() for d in directories}
            for path in [*self.overlay.visible_files(), *directories]:
                if path != "/":
                    parent, name = path.rsplit("/", 1)
                    listing.setdefault(parent or "/", set()).add(name)
            self._listing, self._listing_key = listing, key
        return self._listing

    def kind(self, path: str) -> int | None:
        if path == "/" or path in self.listing():
            return DIR_MODE
        if self.overlay.is_file(path):
            return FILE_MODE
        return None

    def names(self, path: str) -> set[str]:
        return set(self.listing().get(path, ()))


class OverlayInode(Inode):
    def __init__(self, fs: OverlayFs, path: str):
        super().__init__(fs, DIR_MODE if path == "/" else FILE_MODE)
        self.path = path

    @property
    def mode(self):
        return self.fs.kind(self.path) or FILE_MODE

    @mode.setter
    def mode(self, value):
        pass                                  # the store decides (see kind)

    @property
    def size(self):
        return len(self._bytes()) if self.is_regular() else 0

    def _bytes(self) -> bytes:
        return _store(self.fs.overlay.read, self.path)

    def _child(self, name: str) -> str:
        return _join(self.path, name)

    # -- directories
    def lookup(self, name):
        self._need_dir(name)
        child = self._child(name)
        if self.fs.kind(child) is None:
            raise SyscallError(ENOENT, f"no entry {name!r} in {self.path!r}")
        return self.fs.inode(child)

    def readdir(self):
        self._need_dir("")
        return [(name, self.fs.inode(self._child(name)))
                for name in sorted(self.fs.names(self.path))]

    def _absent(self, name: str) -> str:
        self._need_dir(name)
        child = self._child(name)
        if self.fs.kind(child) is not None:
            raise SyscallError(EEXIST, f"{child!r} exists")
        return child

    def _copy_up(self) -> None:
        """This directory into the upper layer before a change in it (overlayfs)."""
        if self.path != "/":
            _store(self.fs.overlay.copy_up_dir, self.path)

    def create(self, name, mode):
        child = self._absent(name)
        self._copy_up()
        _store(self.fs.overlay.write, child, b"")
        return self.fs.inode(child)

    def mkdir(self, name, mode):
        child = self._absent(name)
        self._copy_up()
        _store(self.fs.overlay.mkdir, child)
        return self.fs.inode(child)

    def symlink(self, name, target):
        self._absent(name)
        raise SyscallError(EPERM, "the layer store keeps regular files only: no symbolic links")

    def unlink(self, name):
        child = self.lookup(name)
        if child.is_dir():
            raise SyscallError(EISDIR, f"{child.path!r} is a directory (use rmdir)")
        self._copy_up()
        _store(self.fs.overlay.delete, child.path)

    def rmdir(self, name):
        child = self.lookup(name)
        if not child.is_dir():
            raise SyscallError(ENOTDIR, f"{child.path!r} is not a directory")
        if self.fs.names(child.path):
            raise SyscallError(ENOTEMPTY, f"directory {child.path!r} is not empty")
        self._copy_up()
        _store(self.fs.overlay.rmdir, child.path)

    def rename(self, name, new_dir, new_name):
        child = self.lookup(name)
        if child.is_dir():
            raise SyscallError(EXDEV, "overlay: a directory cannot be renamed (copy it)")
        target = new_dir._child(new_name)
        if self.fs.kind(target) == DIR_MODE:
            raise SyscallError(EISDIR, f"{target!r} is a directory")
        data = child._bytes()
        self._copy_up()
        new_dir._copy_up()
        _store(self.fs.overlay.write, target, data)
        _store(self.fs.overlay.delete, child.path)

    # -- data
    def read_at(self, offset, count):
        if self.is_dir():
            return super().read_at(offset, count)
        return self._bytes()[offset:offset + count]

    def _replace(self, data: bytes) -> None:
        overlay = self.fs.overlay
        if overlay.layer_answering(self.path) is not overlay.upper:
            overlay.upper.copy_ups += 1             # copy-up of a lower file
        _store(overlay.write, self.path, data)

    def write_at(self, offset, data):
        if self.is_dir():
            return super().write_at(offset, data)
        old = self._bytes()
        if offset == len(old):
            _store(self.fs.overlay.append, self.path, bytes(data))
        else:
            padded = old.ljust(offset, b"\0")
            self._replace(padded[:offset] + bytes(data) + padded[offset + len(data):])
        return len(data)

    def truncate(self, size):
        if self.is_dir():
            return super().truncate(size)
        old = self._bytes()
        if len(old) != size:
            self._replace(old[:size].ljust(size, b"\0"))
