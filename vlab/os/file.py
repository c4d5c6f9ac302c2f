"""Open files: a process's file-descriptor table and a sandboxed namespace.

Like a Unix process's descriptor table (xv6 ``kernel/file.c``, ``sysfile.c``): small
integers index open-file objects; 0, 1 and 2 are connected at start to stdin, stdout and
stderr (host streams, injectable so tests can feed input and capture output); ``openat``
returns the lowest free number.

Sandbox: a guest path names a file under ``root`` (a host directory given to the kernel)
and nowhere else.  Absolute guest paths start at ``root``; relative ones at the process's
working directory (only ``AT_FDCWD`` is accepted as dirfd).  The path rules are the ones
every level uses (``vlab.os.fs.paths``): a ``..`` above the root, host-only syntax, or a
symbolic link whose target leaves ``root`` is refused with EACCES; an empty path is
ENOENT, as in Linux; with no root, every open fails with ENOENT.  Files are really opened
on the host (``os.open``).

Hostile guests: only regular files and directories are served.  A FIFO, a device or a
socket under the root is refused with EACCES (a FIFO would block the host beyond any
instruction budget; ``/dev/zero`` would feed it without end): the file is opened with
``O_NONBLOCK`` so that even a FIFO's open returns, and checked with ``fstat`` before it
is used.  A path ending in ``/`` must name a directory (ENOTDIR otherwise, EISDIR for a
file it would create), as in Linux.  Bytes written into files count against the
process's write quota (``quota.py``).
"""

from __future__ import annotations

import os
import stat as host_stat
import struct

from .errno import (
    EACCES,
    EBADF,
    EINVAL,
    EISDIR,
    EMFILE,
    ENOENT,
    ENOTDIR,
    ESPIPE,
    SyscallError,
    from_oserror,
)
from .fs import paths
from .fs.errors import FsError
from .quota import DEFAULT_WRITE_QUOTA, WriteQuota

AT_FDCWD = -100
O_ACCMODE, O_WRONLY, O_RDWR = 3, 1, 2
O_CREAT, O_EXCL, O_TRUNC, O_APPEND = 0o100, 0o200, 0o1000, 0o2000
S_IFCHR, S_IFREG = 0o020000, 0o100000
MAX_FILES = 64
# asm-generic struct stat64 (104 bytes): dev ino mode nlink uid gid rdev pad size blksize
# pad blocks atime atime_ns mtime mtime_ns ctime ctime_ns unused4 unused5
STAT_FORMAT = "<QQIIIIQQqiiqiiiiiiII"
STAT_SIZE = struct.calcsize(STAT_FORMAT)


def pack_stat(mode: int, size: int, ino: int = 0) -> bytes:
    """A struct stat64 with the given type/permissions and size; times 0 (deterministic)."""
    blocks = (size + 511) // 512
    return struct.pack(STAT_FORMAT, 0, ino, mode, 1, 0, 0, 0, 0, size, 4096, 0, blocks,
                       0, 0, 0, 0, 0, 0, 0, 0)


class StreamFile:
    """A descriptor connected to a host stream (stdin/stdout/stderr): not seekable."""

    def __init__(self, stream, readable: bool, writable: bool):
        self.stream, self.readable, self.writable = stream, readable, writable

    def read(self, count: int) -> bytes:
        if not self.readable or self.stream is None:
            raise SyscallError(EBADF, "not open for reading")
        data = self.stream.read(count) or b""
        return data.encode() if isinstance(data, str) else data   # a text stream

    def write(self, data: bytes) -> int:
        if not self.writable:
            raise SyscallError(EBADF, "not open for writing")
        if self.stream is not None:
            try:
                _write_to(self.stream, data)
            except OSError as exc:            # a closed pipe, a capped capture (EFBIG)...
                raise SyscallError(from_oserror(exc), str(exc)) from None
        return len(data)

    def seek(self, offset: int, whence: int) -> int:
        raise SyscallError(ESPIPE, "a stream cannot seek")

    def stat(self) -> bytes:
        return pack_stat(S_IFCHR | 0o620, 0)

    def close(self) -> None:
        """Closing the guest's stdio leaves the host stream open."""


def _write_to(stream, data: bytes) -> None:
    try:
        stream.write(data)
    except TypeError:                         # a text stream (e.g. a notebook's stdout)
        stream.write(data.decode("utf-8", errors="replace"))
    if hasattr(stream, "flush"):
        stream.flush()


class HostFile:
    """A descriptor for a real host file inside the sandbox; writes use up ``quota``."""

    def __init__(self, fd: int, quota: WriteQuota | None = None):
        self.fd = fd
        self.quota = quota if quota is not None else WriteQuota()

    def read(self, count: int) -> bytes:
        return _host(os.read, self.fd, count)

    def write(self, data: bytes) -> int:
        allowed = self.quota.grant(len(data))
        written = _host(os.write, self.fd, data[:allowed])
        self.quota.charge(written)
        return written

    def seek(self, offset: int, whence: int) -> int:
        if whence not in (os.SEEK_SET, os.SEEK_CUR, os.SEEK_END):
            raise SyscallError(EINVAL, f"bad whence {whence}")
        return _host(os.lseek, self.fd, offset, whence)

    def stat(self) -> bytes:
        info = _host(os.fstat, self.fd)
        return pack_stat(S_IFREG | host_stat.S_IMODE(info.st_mode), info.st_size)

    def close(self) -> None:
        os.close(self.fd)


def _host(function, *args):
    try:
        return function(*args)
    except OSError as exc:
        raise SyscallError(from_oserror(exc), str(exc)) from None


class FileTable:
    """Descriptor number -> open file, with stdio connected and a sandbox for openat."""

    def __init__(self, stdin=None, stdout=None, stderr=None, root=None,
                 write_quota: int = DEFAULT_WRITE_QUOTA):
        self.root = os.path.realpath(root) if root is not None else None
        self.quota = WriteQuota(write_quota)
        self.open_files: dict[int, StreamFile | HostFile] = {
            0: StreamFile(stdin, readable=True, writable=False),
            1: StreamFile(stdout, readable=False, writable=True),
            2: StreamFile(stderr, readable=False, writable=True),
        }

    def get(self, fd: int):
        file = self.open_files.get(fd)
        if file is None:
            raise SyscallError(EBADF, f"file descriptor {fd} is not open")
        return file

    def host_path(self, guest_path: str, cwd: str = "/") -> str:
        """Where ``guest_path`` lives on the host, refusing anything outside the root."""
        if self.root is None:
            raise SyscallError(ENOENT, "no file system: the kernel was given no root")
        if not guest_path:
            raise SyscallError(ENOENT, "empty path")
        try:
            return paths.host_path(self.root, guest_path, cwd)
        except FsError as exc:
            raise SyscallError(exc.errno, str(exc)) from None

    def open(self, dirfd: int, guest_path: str, flags: int, mode: int, cwd: str = "/") -> int:
        """openat: the lowest free descriptor for ``guest_path`` (relative to ``cwd``)."""
        if dirfd != AT_FDCWD and not guest_path.startswith("/"):
            raise SyscallError(EINVAL, "only AT_FDCWD is supported as dirfd")
        path = self.host_path(guest_path, cwd)
        fd = self._lowest_free()
        host_flags = _host_flags(flags)
        if guest_path.endswith("/"):
            _refuse_trailing_slash(path, host_flags)
        if os.path.exists(path):                  # before open: a FIFO's open would block
            _refuse_special(_host(os.stat, path).st_mode, guest_path)
        host_fd = _host(os.open, path, host_flags | os.O_NONBLOCK | os.O_NOCTTY, mode & 0o777)
        try:                                      # again on what was opened (no race)
            _refuse_special(_host(os.fstat, host_fd).st_mode, guest_path)
        except SyscallError:
            os.close(host_fd)
            raise
        os.set_blocking(host_fd, True)
        self.open_files[fd] = HostFile(host_fd, self.quota)
        return fd

    def close(self, fd: int) -> None:
        self.get(fd).close()
        del self.open_files[fd]

    def close_all(self) -> None:
        for fd in sorted(self.open_files):
            self.close(fd)

    def _lowest_free(self) -> int:
        for fd in range(MAX_FILES):
            if fd not in self.open_files:
                return fd
        raise SyscallError(EMFILE, f"all {MAX_FILES} descriptors are in use")


def _refuse_trailing_slash(path: str, host_flags: int) -> None:
    """``name/`` names a directory: ENOTDIR for an existing non-directory, EISDIR when it
    would create a file (Linux's ``open(2)``)."""
    if os.path.lexists(path):
        if not os.path.isdir(path):
            raise SyscallError(ENOTDIR, f"{path}/: not a directory")
    elif host_flags & os.O_CREAT:
        raise SyscallError(EISDIR, f"{path}/: cannot create a file named with a final '/'")


def _refuse_special(st_mode: int, guest_path: str) -> None:
    """Only regular files and directories: a FIFO, device or socket is EACCES."""
    kind = host_stat.S_IFMT(st_mode)
    if kind not in (host_stat.S_IFREG, host_stat.S_IFDIR):
        raise SyscallError(EACCES, f"{guest_path}: a special file (FIFO, device or socket); "
                                   "this kernel serves regular files and directories only")


def _host_flags(flags: int) -> int:
    """Linux open flags (asm-generic/fcntl.h) -> this host's os.O_* flags."""
    access = {0: os.O_RDONLY, O_WRONLY: os.O_WRONLY, O_RDWR: os.O_RDWR}.get(flags & O_ACCMODE)
    if access is None:
        raise SyscallError(EINVAL, f"bad access mode in flags {flags:#o}")
    for linux, host in ((O_CREAT, os.O_CREAT), (O_EXCL, os.O_EXCL), (O_TRUNC, os.O_TRUNC),
                        (O_APPEND, os.O_APPEND)):
        if flags & linux:
            access |= host
    return access
