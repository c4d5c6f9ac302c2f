"""Pipes: a one-way byte channel between processes, with a bounded buffer.

As ``pipe(7)`` describes Linux's pipes (``fs/pipe.c``):

* the buffer holds ``PIPE_CAPACITY`` = 65536 bytes (16 pages, Linux's default);
* ``read`` of an empty pipe *blocks* while a writer is open and returns 0 (end of file)
  once every write end is closed; otherwise it returns what is there, up to the count;
* ``write`` blocks while the pipe is full and a reader is open.  A write of at most
  ``PIPE_BUF`` = 4096 bytes is atomic: it waits until all of it fits.  A larger one
  writes what fits and returns that count (Linux would write it piecewise and return
  when done; the C library's ``fwrite`` loops on the short count, so programs see the
  same bytes);
* ``write`` when no read end is open fails with EPIPE, and the writer gets SIGPIPE: the
  ``SyscallError`` carries ``signal = SIGPIPE`` for the kernel to send;
* with ``O_NONBLOCK`` a read or write that would block fails with EAGAIN instead.

Blocking follows the kernel's block-and-restart protocol (``waitq.py``): ``read`` and
``write`` raise ``Blocked(pipe.queue)`` before changing anything, and every change of
the pipe (data in or out, an end closed) wakes the queue -- and the queues of ``ppoll``
sleepers registered on the ends.
"""

from __future__ import annotations

from .errno import EAGAIN, EPIPE, SyscallError
from .vfs.constants import O_NONBLOCK, O_WRONLY, POLLERR, POLLHUP, POLLIN, POLLOUT, S_IFIFO
from .vfs.openfile import OpenFile
from .vfs.stat import Stat
from .waitq import Blocked, WaitQueue

PIPE_CAPACITY = 65536
PIPE_BUF = 4096
SIGPIPE = 13                      # asm-generic/signal.h
_PIPE_INODES = iter(range(1, 1 << 62))


class Pipe:
    """The shared buffer and the count of open ends."""

    def __init__(self, capacity: int = PIPE_CAPACITY):
        self.capacity = capacity
        self.buffer = bytearray()
        self.readers = self.writers = 0
        self.queue = WaitQueue("pipe")
        self.ino = next(_PIPE_INODES)
        self.ends: list[PipeEnd] = []

    def changed(self) -> None:
        """Wake every sleeper: readers, writers and ppoll callers on either end."""
        self.queue.wake_all()
        for end in self.ends:
            for queue in end.poll_waiters:
                queue.wake_all()
            end.poll_waiters.clear()

    @property
    def room(self) -> int:
        return self.capacity - len(self.buffer)


class PipeEnd(OpenFile):
    """One end of a pipe, an open file like any other (shared by dup and fork)."""

    def __init__(self, pipe: Pipe, flags: int):
        super().__init__(flags)
        self.pipe = pipe
        pipe.ends.append(self)

    def stat(self):
        return Stat(mode=S_IFIFO | 0o600, ino=self.pipe.ino)

    def _would_block(self, what: str):
        if self.flags & O_NONBLOCK:
            raise SyscallError(EAGAIN, f"the pipe is {what} (O_NONBLOCK)")
        raise Blocked(self.pipe.queue)


class PipeReader(PipeEnd):
    def __init__(self, pipe: Pipe, flags: int = 0):
        super().__init__(pipe, flags & ~O_WRONLY)
        pipe.readers += 1

    def read(self, count):
        pipe = self.pipe
        if count == 0:
            return b""
        if not pipe.buffer:
            if pipe.writers == 0:
                return b""                # end of file
            self._would_block("empty")
        data = bytes(pipe.buffer[:count])
        del pipe.buffer[:count]
        pipe.changed()
        return data

    def poll(self):
        pipe = self.pipe
        return (POLLIN if pipe.buffer else 0) | (POLLHUP if pipe.writers == 0 else 0)

    def close(self):
        self.pipe.readers -= 1
        self.pipe.changed()


class PipeWriter(PipeEnd):
    def __init__(self, pipe: Pipe, flags: int = O_WRONLY):
        super().__init__(pipe, (flags & ~3) | O_WRONLY)
        pipe.writers += 1

    def read(self, count):
        self.need_readable()
        return b""

    def write(self, data):
        pipe = self.pipe
        if pipe.readers == 0:
            error = SyscallError(EPIPE, "write to a pipe with no reader")
            error.signal = SIGPIPE
            raise error
        if not data:
            return 0
        if pipe.room == 0 or (len(data) <= PIPE_BUF and pipe.room < len(data)):
            self._would_block("full")
        taken = bytes(data[:pipe.room])
        pipe.buffer += taken
        pipe.changed()
        return len(taken)

    def poll(self):
        pipe = self.pipe
        if pipe.readers == 0:
            return POLLERR
        return POLLOUT if pipe.room >= PIPE_BUF or pipe.room == pipe.capacity else 0

    def close(self):
        self.pipe.writers -= 1
        self.pipe.changed()


def make_pipe(flags: int = 0) -> tuple[PipeReader, PipeWriter]:
    """``pipe2``: a new pipe's read end and write end (``O_NONBLOCK`` on both if set)."""
    pipe = Pipe()
    status = flags & O_NONBLOCK
    return PipeReader(pipe, status), PipeWriter(pipe, status | O_WRONLY)
