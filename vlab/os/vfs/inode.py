"""The inode protocol every file system type implements, and the file system object.

Like Linux's ``struct inode`` with its ``inode_operations`` (``include/linux/fs.h``): one
object per file, directory, symbolic link or device, whatever stores it -- RAM (ramfs),
a host directory (hostfs), image layers (overlay), generated text (procfs, cgroupfs).
The VFS (``namei.py``, ``../sysfile.py``) only ever calls the methods below, so a new
file system type is a set of ``Inode`` subclasses and a ``FileSystem`` holding the root.

A method a kind of inode does not support fails as Linux would: a name operation on a
non-directory is ENOTDIR, ``readlink`` on a non-link EINVAL, data on a directory EISDIR,
and a change that the file system does not allow (procfs, a read-only image) EPERM.
Read-only *mounts* (EROFS) are the VFS's check, made before any of these are called.

Simplified: no hard links (``link`` is EPERM; ``nlink`` is 1, 2 for a directory),
no permission bits checked beyond the type (the kernel runs the course's programs as
root inside their namespaces), no timestamps.
"""

from __future__ import annotations

import itertools

from ..errno import EINVAL, EISDIR, ENOENT, ENOTDIR, EPERM, SyscallError
from .constants import S_IFDIR, S_IFLNK, S_IFMT, S_IFREG
from .openfile import DirectoryFile, InodeFile
from .stat import Stat

_DEVICE_NUMBERS = itertools.count(1)


class FileSystem:
    """One mounted-able file system instance: a type name, a device number, a root."""

    fstype = "none"

    def __init__(self, source: str = "none"):
        self.source = source                  # what /proc/mounts shows first
        self.dev = next(_DEVICE_NUMBERS)      # st_dev of every file in it
        self._inos = itertools.count(1)
        self.root: Inode | None = None

    def next_ino(self) -> int:
        return next(self._inos)


class Inode:
    """A file of any type; subclasses override what their type supports."""

    def __init__(self, fs: FileSystem, mode: int, ino: int | None = None):
        self.fs = fs
        self.mode = mode
        self.ino = fs.next_ino() if ino is None else ino
        self.uid = self.gid = 0
        self.rdev = 0

    # -- what it is
    @property
    def kind(self) -> int:
        return self.mode & S_IFMT

    def is_dir(self) -> bool:
        return self.kind == S_IFDIR

    def is_symlink(self) -> bool:
        return self.kind == S_IFLNK

    def is_regular(self) -> bool:
        return self.kind == S_IFREG

    @property
    def size(self) -> int:
        return 0

    def stat(self) -> Stat:
        return Stat(mode=self.mode, ino=self.ino, size=self.size,
                    nlink=2 if self.is_dir() else 1, uid=self.uid, gid=self.gid,
                    rdev=self.rdev, dev=self.fs.dev)

    # -- directories
    def _need_dir(self, name: str) -> None:
        if not self.is_dir():
            raise SyscallError(ENOTDIR, f"cannot look up {name!r}: not a directory")

    def lookup(self, name: str) -> Inode:
        self._need_dir(name)
        raise SyscallError(ENOENT, f"no entry {name!r}")

    def readdir(self) -> list[tuple[str, Inode]]:
        """The entries, without ``.`` and ``..`` (the VFS adds those)."""
        self._need_dir("")
        return []

    def create(self, name: str, mode: int) -> Inode:
        self._need_dir(name)
        raise SyscallError(EPERM, f"cannot create {name!r}: this file system is fixed")

    def mkdir(self, name: str, mode: int) -> Inode:
        self._need_dir(name)
        raise SyscallError(EPERM, f"cannot make directory {name!r} here")

    def symlink(self, name: str, target: str) -> Inode:
        self._need_dir(name)
        raise SyscallError(EPERM, f"cannot make a symbolic link {name!r} here")

    def unlink(self, name: str) -> None:
        self._need_dir(name)
        raise SyscallError(EPERM, f"cannot remove {name!r} here")

    def rmdir(self, name: str) -> None:
        self._need_dir(name)
        raise SyscallError(EPERM, f"cannot remove directory {name!r} here")

    def rename(self, name: str, new_dir: Inode, new_name: str) -> None:
        """Move entry ``name`` of this directory to ``new_name`` in ``new_dir`` (same
        file system: the VFS refuses EXDEV first), replacing what is there."""
        self._need_dir(name)
        raise SyscallError(EPERM, f"cannot rename {name!r} here")

    # -- attributes
    def chmod(self, perm: int) -> None:
        raise SyscallError(EPERM, "this file system keeps fixed permissions")

    def chown(self, uid: int, gid: int) -> None:
        raise SyscallError(EPERM, "this file system keeps fixed owners")

    # -- symbolic links
    def readlink(self) -> str:
        raise SyscallError(EINVAL, "not a symbolic link")

    # -- data
    def read_at(self, offset: int, count: int) -> bytes:
        if self.is_dir():
            raise SyscallError(EISDIR, "cannot read a directory (use getdents64)")
        return b""

    def write_at(self, offset: int, data: bytes) -> int:
        if self.is_dir():
            raise SyscallError(EISDIR, "cannot write a directory")
        raise SyscallError(EPERM, "this file cannot be written")

    def truncate(self, size: int) -> None:
        if self.is_dir():
            raise SyscallError(EISDIR, "cannot truncate a directory")
        raise SyscallError(EPERM, "this file cannot be truncated")

    def open(self, flags: int, location=None):
        """An open file for this inode (``../file.py``): by default a file with an
        offset over ``read_at``/``write_at``, or a directory stream.  Devices and
        synthetic files override it."""
        if self.is_dir():
            return DirectoryFile(self, flags, location)
        return InodeFile(self, flags, location)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} ino={self.ino} mode={self.mode:o}>"
