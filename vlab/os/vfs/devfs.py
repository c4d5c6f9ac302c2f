"""devfs: the device files of ``/dev``.

Like Linux's devtmpfs (``drivers/base/devtmpfs.c``) with the memory devices of
``drivers/char/mem.c`` and the console (``drivers/tty/tty_io.c``):

=================  ======  ==================================================
``/dev/console``   5:1     the kernel's console: reads the host's stdin,
                           writes its stdout (the streams given to the kernel)
``/dev/tty``       5:0     the same console (the controlling terminal)
``/dev/null``      1:3     reads end at once, writes vanish
``/dev/zero``      1:5     reads give zero bytes, writes vanish
=================  ======  ==================================================

The directory itself is a ramfs, so ``mkdir /dev/pts`` or a symbolic link works as on
tmpfs.  A read of ``/dev/zero`` is bounded by the caller's count (``read`` moves it in
chunks, ``sysfile.py``), so it never makes the host build an unbounded buffer.
"""

from __future__ import annotations

from .constants import S_IFCHR
from .inode import Inode
from .openfile import OpenFile, StreamFile
from .ramfs import RamFs


class Console:
    """The console's host streams: input, output, error output."""

    def __init__(self, stdin=None, stdout=None, stderr=None):
        self.stdin, self.stdout = stdin, stdout
        self.stderr = stderr if stderr is not None else stdout


class NullFile(OpenFile):
    def read(self, count):
        self.need_readable()
        return b""

    def write(self, data):
        self.need_writable()
        return len(data)

    def pread(self, offset, count):
        return self.read(count)

    def pwrite(self, offset, data):
        return self.write(data)

    def seek(self, offset, whence):
        return 0


class ZeroFile(NullFile):
    def read(self, count):
        self.need_readable()
        return bytes(count)


class DeviceInode(Inode):
    """A character device: ``open`` makes the device's own open file."""

    def __init__(self, fs, major: int, minor: int, opener, perm: int = 0o666):
        super().__init__(fs, S_IFCHR | perm)
        self.rdev = (major << 8) | minor
        self.opener = opener

    def open(self, flags, location=None):
        return self.opener(flags, location)


def console_opener(console: Console):
    """Open the console: reads come from its input, writes go to its output."""
    def opener(flags, location):
        readable, writable = flags & 3 in (0, 2), flags & 3 in (1, 2)
        return StreamFile(console.stdout if writable else console.stdin, readable,
                          writable, location, input=console.stdin)
    return opener


def make_devfs(console: Console | None = None) -> RamFs:
    """A devfs instance: a ramfs directory holding the four devices."""
    console = console or Console()
    fs = RamFs("devtmpfs")
    fs.fstype = "devtmpfs"
    root = fs.root
    root.add("console", DeviceInode(fs, 5, 1, console_opener(console), 0o600))
    root.add("tty", DeviceInode(fs, 5, 0, console_opener(console)))
    root.add("null", DeviceInode(fs, 1, 3, lambda flags, loc: NullFile(flags, loc)))
    root.add("zero", DeviceInode(fs, 1, 5, lambda flags, loc: ZeroFile(flags, loc)))
    return fs
