"""Synthetic files: a read generates text, a write parses it.

The pattern of Linux's ``seq_file`` (``fs/seq_file.c``) and kernfs: a file that stores
nothing.  Its text is produced by a function when a read starts at offset 0 (so a reader
taking small pieces sees one consistent text) and a write hands the bytes to a parser.
procfs and cgroupfs files are made of these.
"""

from __future__ import annotations

from ..errno import EACCES, EINVAL, SyscallError
from .constants import O_ACCMODE, O_RDONLY, S_IFREG
from .inode import Inode
from .openfile import SEEK_CUR, SEEK_SET, OpenFile


class SyntheticFile(Inode):
    """A regular file whose content is ``render()``; ``parse(bytes)`` (if given) takes
    a write, returning the count taken or raising ``SyscallError``."""

    def __init__(self, fs, render, parse=None, perm: int | None = None):
        super().__init__(fs, S_IFREG | (perm if perm is not None else
                                        (0o644 if parse else 0o444)))
        self.render, self.parse = render, parse

    @property
    def size(self) -> int:
        return 0                          # like procfs: the size is not known in advance

    def read_at(self, offset, count):
        return self.render()[offset:offset + count]

    def open(self, flags, location=None):
        if flags & O_ACCMODE != O_RDONLY and self.parse is None:
            raise SyscallError(EACCES, "this file is read-only")
        return SyntheticOpenFile(self, flags, location)

    def truncate(self, size):
        """``O_TRUNC`` on a synthetic file does nothing (``echo x > file`` works)."""


class SyntheticOpenFile(OpenFile):
    def __init__(self, inode: SyntheticFile, flags: int, location=None):
        super().__init__(flags, location)
        self.inode = inode
        self.offset = 0
        self.text = b""

    def read(self, count):
        self.need_readable()
        if self.offset == 0:
            self.text = self.inode.render()
        data = self.text[self.offset:self.offset + count]
        self.offset += len(data)
        return data

    def write(self, data):
        self.need_writable()
        return self.inode.parse(bytes(data))

    def seek(self, offset, whence):
        if whence not in (SEEK_SET, SEEK_CUR):
            raise SyscallError(EINVAL, "a generated file seeks from the start or here")
        new = offset + (self.offset if whence == SEEK_CUR else 0)
        if new < 0:
            raise SyscallError(EINVAL, "negative offset")
        self.offset = new
        return new

    def stat(self):
        return self.inode.stat()
