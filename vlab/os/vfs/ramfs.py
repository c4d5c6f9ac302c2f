"""ramfs (tmpfs): a file system that lives in kernel memory.

Like Linux's ramfs/tmpfs (``fs/ramfs/inode.c``, ``Documentation/filesystems/tmpfs.rst``):
directories are dictionaries name -> inode, regular files are byte arrays, symbolic
links hold their target text.  Nothing is written anywhere else, so the contents vanish
with the kernel.  The root file system of a booted kernel without a disk, ``/tmp`` and
``/dev``'s directory are ramfs.

Simplified: the size is bounded by ``max_bytes`` (tmpfs's ``size=`` option, default
64 MiB: a write past it is ENOSPC), counted as the sum of file sizes; the pages are
Python memory, not frames of the modeled RAM.
"""

from __future__ import annotations

from ..errno import EEXIST, EINVAL, EISDIR, ENOENT, ENOSPC, ENOTDIR, ENOTEMPTY, SyscallError
from .constants import PERMISSIONS, S_IFDIR, S_IFLNK, S_IFREG
from .inode import FileSystem, Inode

DEFAULT_MAX_BYTES = 64 << 20
MAX_FILE_OFFSET = (1 << 31) - 1       # 32-bit off_t programs; larger offsets are EFBIG


class RamInode(Inode):
    """What every ramfs inode may change: its permission bits and owner."""

    def chmod(self, perm: int) -> None:
        self.mode = (self.mode & ~PERMISSIONS) | (perm & PERMISSIONS)

    def chown(self, uid: int, gid: int) -> None:
        self.uid = uid if uid != 0xFFFF_FFFF else self.uid       # -1: leave it
        self.gid = gid if gid != 0xFFFF_FFFF else self.gid


class RamFs(FileSystem):
    fstype = "tmpfs"

    def __init__(self, source: str = "tmpfs", max_bytes: int = DEFAULT_MAX_BYTES):
        super().__init__(source)
        self.max_bytes = max_bytes
        self.used_bytes = 0
        self.root = RamDir(self, 0o755)


class RamDir(RamInode):
    def __init__(self, fs: RamFs, perm: int):
        super().__init__(fs, S_IFDIR | (perm & PERMISSIONS))
        self.entries: dict[str, Inode] = {}

    def lookup(self, name: str) -> Inode:
        try:
            return self.entries[name]
        except KeyError:
            raise SyscallError(ENOENT, f"no entry {name!r}") from None

    def readdir(self):
        return list(self.entries.items())

    def _add(self, name: str, inode: Inode) -> Inode:
        if name in self.entries:
            raise SyscallError(EEXIST, f"{name!r} already exists")
        self.entries[name] = inode
        return inode

    def create(self, name, mode):
        return self._add(name, RamFile(self.fs, mode))

    def mkdir(self, name, mode):
        return self._add(name, RamDir(self.fs, mode))

    def symlink(self, name, target):
        return self._add(name, RamSymlink(self.fs, target))

    def add(self, name: str, inode: Inode) -> Inode:
        """Put a ready-made inode (a device, a synthetic file) into the directory."""
        return self._add(name, inode)

    def unlink(self, name):
        inode = self.lookup(name)
        if inode.is_dir():
            raise SyscallError(EISDIR, f"{name!r} is a directory (use rmdir)")
        self._drop(name)

    def rmdir(self, name):
        inode = self.lookup(name)
        if not inode.is_dir():
            raise SyscallError(ENOTDIR, f"{name!r} is not a directory")
        if getattr(inode, "entries", None):
            raise SyscallError(ENOTEMPTY, f"directory {name!r} is not empty")
        self._drop(name)

    def _drop(self, name: str) -> None:
        inode = self.entries.pop(name)
        if isinstance(inode, RamFile):
            inode.release()

    def rename(self, name, new_dir, new_name):
        inode = self.lookup(name)
        if not isinstance(new_dir, RamDir):
            raise SyscallError(EINVAL, "rename target is not a ramfs directory")
        if inode.is_dir() and _is_ancestor(inode, new_dir):
            raise SyscallError(EINVAL, f"cannot move {name!r} into itself")
        old = new_dir.entries.get(new_name)
        if old is inode:
            return
        if old is not None:
            if old.is_dir() and not inode.is_dir():
                raise SyscallError(EISDIR, f"{new_name!r} is a directory")
            if inode.is_dir() and not old.is_dir():
                raise SyscallError(ENOTDIR, f"{new_name!r} is not a directory")
            if old.is_dir() and old.entries:
                raise SyscallError(ENOTEMPTY, f"directory {new_name!r} is not empty")
            new_dir._drop(new_name)
        del self.entries[name]
        new_dir.entries[new_name] = inode


def _is_ancestor(directory: RamDir, inode: Inode) -> bool:
    """Whether ``inode`` is ``directory`` or lies beneath it."""
    if inode is directory:
        return True
    return any(child.is_dir() and _is_ancestor(child, inode)
               for child in directory.entries.values())


class RamFile(RamInode):
    def __init__(self, fs: RamFs, perm: int, data: bytes = b""):
        super().__init__(fs, S_IFREG | (perm & PERMISSIONS))
        self.data = bytearray()
        self.linked = True                # still in a directory: counts against the size
        if data:
            self.write_at(0, data)

    @property
    def size(self) -> int:
        return len(self.data)

    def read_at(self, offset, count):
        return bytes(self.data[offset:offset + count])

    def _resize(self, size: int) -> None:
        if size > MAX_FILE_OFFSET:
            raise SyscallError(EINVAL, f"size {size} past the largest file offset")
        grow = size - len(self.data)
        if self.linked:
            if grow > 0 and self.fs.used_bytes + grow > self.fs.max_bytes:
                raise SyscallError(ENOSPC, f"the tmpfs is full ({self.fs.max_bytes} bytes)")
            self.fs.used_bytes += grow
        if grow > 0:
            self.data.extend(bytes(grow))
        else:
            del self.data[size:]

    def write_at(self, offset, data):
        end = offset + len(data)
        if end > len(self.data):
            self._resize(end)
        self.data[offset:end] = data
        return len(data)

    def truncate(self, size):
        self._resize(size)

    def release(self) -> None:
        """Unlinked: its bytes no longer count against the file system's size (an open
        descriptor still reads and writes them, as Linux keeps an unlinked open file
        until its last close; Python frees them with the last reference)."""
        if self.linked:
            self.fs.used_bytes -= len(self.data)
            self.linked = False


class RamSymlink(RamInode):
    def __init__(self, fs: RamFs, target: str):
        super().__init__(fs, S_IFLNK | 0o777)
        self.target = target

    @property
    def size(self) -> int:
        return len(self.target.encode())

    def readlink(self) -> str:
        return self.target
