"""A process's file-descriptor table, and the proxy kernel's sandboxed table.

Like Linux's ``struct files_struct`` (``fs/file.c``; xv6's ``proc->ofile``): small
integers index open files (``vfs/openfile.py``: ``OpenFile``, ``InodeFile``,
``DirectoryFile``, ``StreamFile``; pipes in ``pipe.py``).  A new descriptor is the
lowest free number (``open(2)``: "the lowest-numbered file descriptor not currently
open"); each descriptor has its own close-on-exec flag (``O_CLOEXEC``, ``FD_CLOEXEC``),
which ``exec_close`` honours at ``execve``.  ``dup``, ``dup3`` and ``fork`` share the open
file (its offset and status flags), counted by its ``refs``; closing the last
descriptor releases it.

``FileTable`` is the proxy kernel's table (``vlab run --mode user``): stdio on the given
host streams and one host directory (``--root``, with its write quota, ``quota.py``)
mounted as the whole file system (``vfs/hostfs.py``), walked in a *confined* context that
refuses ``..`` above the root with EACCES (``vfs/namei.py``).  Without a root every name
but ``/`` is ENOENT.
"""

from __future__ import annotations

import os

from .errno import EBADF, EINVAL, EMFILE, ENOENT, SyscallError
from .quota import DEFAULT_WRITE_QUOTA, WriteQuota
from .vfs.hostfs import HostFs
from .vfs.mount import MountNamespace
from .vfs.namei import FsContext, lookup
from .vfs.open import open_path
from .vfs.openfile import (
    DirectoryFile,
    InodeFile,
    OpenFile,
    StreamFile,
    stdio_files,
)
from .vfs.ramfs import RamFs
from .vfs.stat import STAT64_SIZE

__all__ = ["DirectoryFile", "FdTable", "FileTable", "InodeFile", "OpenFile", "StreamFile",
           "stdio_files"]

MAX_FILES = 1024                  # RLIMIT_NOFILE's default soft limit on Linux
STAT_SIZE = STAT64_SIZE           # the proxy kernel's fstat (struct stat64)


class FdTable:
    """Descriptor number -> open file, with a close-on-exec flag per descriptor."""

    def __init__(self, limit: int = MAX_FILES):
        self.limit = limit
        self.files: dict[int, OpenFile] = {}
        self.cloexec: set[int] = set()

    @property
    def open_files(self) -> dict[int, OpenFile]:
        return self.files

    def get(self, fd: int) -> OpenFile:
        file = self.files.get(fd)
        if file is None:
            raise SyscallError(EBADF, f"file descriptor {fd} is not open")
        return file

    def install(self, file: OpenFile, cloexec: bool = False, lowest: int = 0) -> int:
        """The lowest free descriptor >= ``lowest`` now refers to ``file`` (EMFILE if
        none is free below the limit)."""
        for fd in range(max(0, lowest), self.limit):
            if fd not in self.files:
                self.place(fd, file, cloexec)
                return fd
        raise SyscallError(EMFILE, f"all {self.limit} descriptors are in use")

    def place(self, fd: int, file: OpenFile, cloexec: bool = False) -> None:
        self.files[fd] = file.hold()
        if cloexec:
            self.cloexec.add(fd)
        else:
            self.cloexec.discard(fd)

    def dup(self, fd: int, lowest: int = 0, cloexec: bool = False) -> int:
        return self.install(self.get(fd), cloexec, lowest)

    def dup3(self, old: int, new: int, cloexec: bool = False) -> int:
        """``dup3(2)``: ``new`` refers to ``old``'s file, closing what it had."""
        file = self.get(old)
        if old == new:
            raise SyscallError(EINVAL, "dup3 with the same old and new descriptor")
        if not 0 <= new < self.limit:
            raise SyscallError(EBADF, f"descriptor {new} is out of range")
        file.hold()                       # before closing new: it may be the last ref
        if new in self.files:
            self.close(new)
        self.place(new, file, cloexec)
        file.drop()
        return new

    def close(self, fd: int) -> None:
        file = self.get(fd)
        del self.files[fd]
        self.cloexec.discard(fd)
        file.drop()

    def close_all(self) -> None:
        for fd in sorted(self.files):
            self.close(fd)

    def fork(self) -> FdTable:
        """The child's table: the same open files (shared offsets), same flags."""
        child = FdTable(self.limit)
        for fd, file in self.files.items():
            child.place(fd, file, fd in self.cloexec)
        return child

    def exec_close(self) -> None:
        """``execve``: close every descriptor marked close-on-exec."""
        for fd in sorted(self.cloexec):
            self.close(fd)


class FileTable(FdTable):
    """The proxy kernel's table: stdio on host streams, ``root`` mounted as ``/``."""

    def __init__(self, stdin=None, stdout=None, stderr=None, root=None,
                 write_quota: int = DEFAULT_WRITE_QUOTA):
        super().__init__()
        self.root = os.path.realpath(root) if root is not None else None
        self.quota = WriteQuota(write_quota)
        fs = (HostFs(self.root, quota=self.quota, strict_links=True) if root is not None
              else RamFs("none"))
        self.mnt_ns = MountNamespace(fs, readonly=root is None)
        for fd, file in enumerate(stdio_files(stdin, stdout, stderr)):
            self.place(fd, file)

    def context(self, cwd: str = "/"):
        """A confined FsContext at the root, with ``cwd`` (a path under it) as working
        directory if it exists (else the root)."""
        ctx = FsContext(self.mnt_ns.root(), confined=True)
        try:
            ctx.cwd = lookup(ctx, ctx.root, cwd)
        except SyscallError:
            pass
        return ctx

    def open(self, dirfd: int, guest_path: str, flags: int, mode: int, cwd: str = "/") -> int:
        """openat relative to ``cwd``: the lowest free descriptor."""
        ctx = self.context(cwd)
        if self.root is None:
            raise SyscallError(ENOENT, "no file system: the kernel was given no root")
        return self.install(open_path(ctx, ctx.cwd, guest_path, flags, mode))
