"""Open file descriptions: what a descriptor refers to.

Like Linux's ``struct file`` (``include/linux/fs.h``; xv6's ``struct file``): an open file
(the "open file description" of ``open(2)``) holds the access mode and status flags and,
for a regular file, the offset.  Descriptors made by ``dup``/``dup3``/``fcntl(F_DUPFD)``
and the copies a ``fork`` gives the child all refer to the *same* open file, so they share
its offset and flags; ``refs`` counts them and the file is released (``close()``: a pipe
end hangs up, a host file is closed) when the last one goes (``../file.py`` counts).

The kinds: ``InodeFile`` (a regular file of any file system, through its inode's
``read_at``/``write_at``), ``DirectoryFile`` (``getdents64``), ``StreamFile`` (the
console: host streams, not seekable, a terminal for ``ioctl``); pipe ends live in
``../pipe.py``, host files in ``hostfs.py``; a device or synthetic inode returns its own
from ``open``.
"""

from __future__ import annotations

import struct

from ..errno import EBADF, EINVAL, EISDIR, ENOTDIR, ENOTTY, ESPIPE, SyscallError, from_oserror
from .constants import (
    DT_DIR,
    O_ACCMODE,
    O_APPEND,
    O_RDWR,
    O_WRONLY,
    POLLIN,
    POLLOUT,
    S_IFCHR,
    TCGETS,
    TIOCGWINSZ,
    dtype,
)
from .stat import Stat

MAX_FILE_OFFSET = (1 << 63) - 1   # loff_t
SEEK_SET, SEEK_CUR, SEEK_END = 0, 1, 2
CONSOLE_RDEV = (5 << 8) | 1       # /dev/console is character device 5:1
WINSIZE = (24, 80, 0, 0)          # rows, columns of the modeled terminal
TERMIOS_SIZE = 36                 # the kernel's struct termios (asm-generic/termbits.h)
TERMINAL_SETS = (0x5402, 0x5403, 0x5404, 0x5414)   # TCSETS, TCSETSW, TCSETSF, TIOCSWINSZ


class OpenFile:
    """An open file description: flags, a reference count, the place it was opened."""

    def __init__(self, flags: int = 0, location=None):
        self.flags = flags
        self.location = location
        self.refs = 0
        self.poll_waiters: list = []      # extra wait queues of ppoll sleepers (pipe.py)

    @property
    def readable(self) -> bool:
        return self.flags & O_ACCMODE in (0, O_RDWR)

    @property
    def writable(self) -> bool:
        return self.flags & O_ACCMODE in (O_WRONLY, O_RDWR)

    def need_readable(self) -> None:
        if not self.readable:
            raise SyscallError(EBADF, "the descriptor is not open for reading")

    def need_writable(self) -> None:
        if not self.writable:
            raise SyscallError(EBADF, "the descriptor is not open for writing")

    # -- the protocol; subclasses override what they support
    def read(self, count: int) -> bytes:
        self.need_readable()
        return b""

    def write(self, data: bytes) -> int:
        self.need_writable()
        raise SyscallError(EINVAL, "this file cannot be written")

    def pread(self, offset: int, count: int) -> bytes:
        raise SyscallError(ESPIPE, "this file has no offset (pread)")

    def pwrite(self, offset: int, data: bytes) -> int:
        raise SyscallError(ESPIPE, "this file has no offset (pwrite)")

    def seek(self, offset: int, whence: int) -> int:
        raise SyscallError(ESPIPE, "this file cannot seek")

    def truncate(self, size: int) -> None:
        raise SyscallError(EINVAL, "only a regular file can be truncated")

    def stat(self) -> Stat:
        if self.location is not None:
            st = self.location.inode.stat()
            st.mnt_id = self.location.mount.id
            return st
        return Stat(mode=S_IFCHR | 0o600)

    def getdents(self) -> list:
        raise SyscallError(ENOTDIR, "not a directory")

    def advance(self, entries: int) -> None:
        raise SyscallError(ENOTDIR, "not a directory")

    def ioctl(self, request: int, arg: int) -> bytes | int:
        raise SyscallError(ENOTTY, f"ioctl {request:#x}: not a terminal")

    def poll(self) -> int:
        """Ready events (POLLIN, POLLOUT...); files that never block are always ready."""
        return (POLLIN if self.readable else 0) | (POLLOUT if self.writable else 0)

    def close(self) -> None:
        """The last descriptor went away."""

    # -- reference counting by the descriptor tables
    def hold(self) -> OpenFile:
        self.refs += 1
        return self

    def drop(self) -> None:
        self.refs -= 1
        if self.refs == 0:
            self.close()


class InodeFile(OpenFile):
    """A regular file of a file system: an offset over the inode's bytes."""

    def __init__(self, inode, flags: int, location=None):
        super().__init__(flags, location)
        self.inode = inode
        self.offset = 0

    def read(self, count):
        self.need_readable()
        data = self.inode.read_at(self.offset, count)
        self.offset += len(data)
        return data

    def write(self, data):
        self.need_writable()
        if self.flags & O_APPEND:
            self.offset = self.inode.size
        written = self.inode.write_at(self.offset, data)
        self.offset += written
        return written

    def pread(self, offset, count):
        self.need_readable()
        return self.inode.read_at(offset, count)

    def pwrite(self, offset, data):
        self.need_writable()
        return self.inode.write_at(offset, data)

    def seek(self, offset, whence):
        base = {SEEK_SET: 0, SEEK_CUR: self.offset, SEEK_END: self.inode.size}.get(whence)
        if base is None:
            raise SyscallError(EINVAL, f"bad whence {whence} (SEEK_SET, SEEK_CUR, SEEK_END)")
        new = base + offset
        if not 0 <= new <= MAX_FILE_OFFSET:
            raise SyscallError(EINVAL, f"offset {new} is negative or too large")
        self.offset = new
        return new

    def truncate(self, size):
        self.need_writable()
        self.inode.truncate(size)

    def stat(self):
        st = self.inode.stat()
        st.mnt_id = self.location.mount.id if self.location is not None else 0
        return st


class DirectoryFile(OpenFile):
    """An open directory: ``getdents64`` hands out its entries, ``.`` and ``..`` first."""

    def __init__(self, inode, flags: int, location=None):
        super().__init__(flags, location)
        self.inode = inode
        self.position = 0               # entries already handed out

    def read(self, count):
        raise SyscallError(EISDIR, "cannot read a directory (use getdents64)")

    def write(self, data):
        raise SyscallError(EBADF, "a directory is not open for writing")

    def entries(self) -> list[tuple[int, int, str]]:
        """(inode number, d_type, name) of every entry, in a stable order."""
        parent = self.inode
        if self.location is not None and not self.location.is_mount_root():
            parent = self.location.parent().inode
        listing = [(self.inode.ino, DT_DIR, "."), (parent.ino, DT_DIR, "..")]
        return listing + [(child.ino, dtype(child.mode), name)
                          for name, child in self.inode.readdir()]

    def getdents(self):
        return self.entries()[self.position:]

    def advance(self, entries):
        self.position += entries

    def seek(self, offset, whence):
        if whence != SEEK_SET or offset < 0:
            raise SyscallError(EINVAL, "a directory seeks to a position it handed out")
        self.position = offset
        return offset

    def stat(self):
        st = self.inode.stat()
        st.mnt_id = self.location.mount.id if self.location is not None else 0
        return st


class StreamFile(OpenFile):
    """A descriptor on a host stream -- the console: not seekable, a terminal to ioctl.

    Simplified: reading a host stream that has no input yet blocks the whole simulation
    (the modeled console has no input buffer of its own); at end of input it returns 0."""

    def __init__(self, stream, readable: bool, writable: bool, location=None, *,
                 input=None):
        flags = O_RDWR if readable and writable else O_WRONLY if writable else 0
        super().__init__(flags, location)
        self.stream = stream              # output (or input, for a read-only descriptor)
        self.input = input if input is not None else stream
        self._readable, self._writable = readable, writable

    @property
    def readable(self):
        return self._readable

    @property
    def writable(self):
        return self._writable

    def read(self, count):
        self.need_readable()
        if self.input is None:
            return b""
        data = _read_some(self.input, count)
        return data.encode() if isinstance(data, str) else data   # a text stream

    def write(self, data):
        """The count the stream accepted: a capped stream (vlab/os/quota.py) takes the
        bytes that fit and says how many -- a short write, then EFBIG -- as Linux does
        at ``RLIMIT_FSIZE``; a stream that returns no count (a text stream) took all."""
        self.need_writable()
        if self.stream is None:
            return len(data)
        try:
            accepted = _write_to(self.stream, data)
        except OSError as exc:                # a closed pipe, a capped capture (EFBIG)...
            raise SyscallError(from_oserror(exc), str(exc)) from None
        return accepted

    def stat(self):
        return Stat(mode=S_IFCHR | 0o620, rdev=CONSOLE_RDEV, ino=1)

    def ioctl(self, request, arg):
        """TCGETS: a terminal's settings (all zero: raw); TIOCGWINSZ: 24x80.  musl asks
        TIOCGWINSZ to decide that stdout is a terminal (``isatty``).  Setting them
        (TCSETS, TCSETSW, TCSETSF, TIOCSWINSZ) is accepted and changes nothing: the
        host's terminal keeps its own settings."""
        if request == TIOCGWINSZ:
            return struct.pack("<4H", *WINSIZE)
        if request == TCGETS:
            return bytes(TERMIOS_SIZE)
        if request in TERMINAL_SETS:
            return 0
        raise SyscallError(ENOTTY, f"ioctl {request:#x} is not served on the console")


def _read_some(stream, count: int):
    """Up to ``count`` bytes: from a terminal what has been typed (one ``read1``: a
    line), from anything else ``read(count)`` (a file or a test's buffer)."""
    isatty = getattr(stream, "isatty", None)
    if isatty is not None and isatty() and hasattr(stream, "read1"):
        return stream.read1(count) or b""
    return stream.read(count) or b""


def _write_to(stream, data: bytes) -> int:
    """Write ``data``; how many bytes the stream took (all, unless a binary stream
    returned a smaller count)."""
    try:
        accepted = stream.write(data)
    except TypeError:                         # a text stream (e.g. a notebook's stdout)
        stream.write(data.decode("utf-8", errors="replace"))
        accepted = None                       # counts characters, not bytes: took all
    if hasattr(stream, "flush"):
        stream.flush()
    if isinstance(accepted, int) and 0 <= accepted < len(data):
        return accepted
    return len(data)


def stdio_files(stdin, stdout, stderr) -> list[OpenFile]:
    """The three console descriptors a first process starts with."""
    return [StreamFile(stdin, readable=True, writable=False),
            StreamFile(stdout, readable=False, writable=True),
            StreamFile(stderr, readable=False, writable=True)]
