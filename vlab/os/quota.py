"""The write quota: how many bytes a process may write into files under its ``--root``.

A guest that loops on ``write`` could otherwise fill the host's disk in a few
instructions (one ``write`` of a large buffer is one instruction).  Like a disk quota
(Linux ``quotactl(2)``; the error is ``EDQUOT``, "Disk quota exceeded"), every byte
written to a host file is counted against one allowance per process, whatever file it
goes to and whether it overwrites old data or not -- so the quota bounds the host's work
as well as its disk.  A write that crosses the limit is cut short at it (the bytes that
fit are written and counted, as Linux does with ``RLIMIT_FSIZE``); the next one fails
with ``-EDQUOT``.  The default, ``DEFAULT_WRITE_QUOTA``, is 64 MiB; ``vlab run
--write-quota`` changes it.  Writes to stdout and stderr are not files under the root and
are not counted by it; when they are captured in memory (``run_program``, for notebooks
and tests) a ``CappedOutput`` holds at most ``DEFAULT_OUTPUT_CAP`` bytes, and writes past
it fail with ``-EFBIG`` (File too large), as writes past ``RLIMIT_FSIZE`` do on Linux: the
write that crosses the limit is cut short and returns the count that fit (a short
write); the next one fails with ``-EFBIG`` (setrlimit(2), write(2)).  When they go to a
terminal (``vlab run``, ``vlab vm run``, ``vlab os run|boot``, ``vlab container
run|exec|start|logs``), a ``CappedStream`` forwards at most ``DEFAULT_OUTPUT_CAP`` bytes
per stream the same way: the bytes that fit reach the terminal, one line says the cap
was hit (``--output-cap N`` raises it) and every later write fails with ``-EFBIG``
without reaching the terminal -- a guest printing forever stops flooding it at once
instead of when its instruction budget runs out.
"""

from __future__ import annotations

import errno as host_errno
import io
import sys

from .errno import EDQUOT, SyscallError

DEFAULT_WRITE_QUOTA = 64 << 20
DEFAULT_OUTPUT_CAP = 16 << 20


class WriteQuota:
    """Bytes written so far against a limit."""

    def __init__(self, limit: int = DEFAULT_WRITE_QUOTA):
        if limit < 0:
            raise ValueError(f"write quota {limit} must be zero or more bytes")
        self.limit = limit
        self.used = 0

    def grant(self, wanted: int) -> int:
        """How many of ``wanted`` bytes may be written now (EDQUOT if none may)."""
        allowed = min(wanted, self.limit - self.used)
        if wanted and allowed <= 0:
            raise SyscallError(EDQUOT, f"the write quota of {self.limit} bytes under the "
                                       "root is used up (vlab run --write-quota N raises it)")
        return allowed

    def charge(self, written: int) -> None:
        self.used += written


def _efbig(limit: int, what: str) -> OSError:
    return OSError(host_errno.EFBIG, f"{what} is capped at {limit} bytes")


class CappedOutput(io.BytesIO):
    """An in-memory stdout/stderr that keeps at most ``limit`` bytes: a write crossing
    the limit keeps the bytes that fit and returns their count (a short write), then a
    write fails with EFBIG (the guest sees ``-EFBIG``)."""

    def __init__(self, limit: int = DEFAULT_OUTPUT_CAP):
        super().__init__()
        self.limit = limit

    def write(self, data) -> int:
        room = self.limit - self.tell()
        if len(data) > room:
            if room <= 0:
                raise _efbig(self.limit, "captured output")
            return super().write(bytes(data[:room]))
        return super().write(data)


class CappedStream:
    """A binary output stream (a terminal, a pipe) that forwards at most ``limit`` bytes
    to ``stream``.  The write that reaches the limit forwards the bytes that fit and
    returns their count (a short write, as Linux does at ``RLIMIT_FSIZE``); ``notice`` is
    called once with a one-line explanation as soon as a write does not fit, and every
    later write fails with EFBIG (the guest sees ``-EFBIG``).  ``forwarded`` counts the
    bytes that reached ``stream``."""

    def __init__(self, stream, limit: int = DEFAULT_OUTPUT_CAP, notice=None,
                 name: str = "output"):
        if limit < 0:
            raise ValueError(f"output cap {limit} must be zero or more bytes")
        self.stream, self.limit, self.notice, self.name = stream, limit, notice, name
        self.forwarded = 0
        self.capped = False

    def write(self, data) -> int:
        if self.capped:
            raise _efbig(self.limit, self.name)
        room = self.limit - self.forwarded
        if len(data) <= room:
            self.stream.write(data)
            self.forwarded += len(data)
            return len(data)
        if room > 0:
            self.stream.write(bytes(data[:room]))
            self.forwarded += room
        self.capped = True
        self.flush()
        if self.notice is not None:
            self.notice(f"the program's {self.name} reached the cap of {self.limit} bytes; "
                        "the rest is not shown and its writes fail with EFBIG (--output-cap N "
                        "raises the cap)")
        if room > 0:
            return room                    # a short write; the next one gets EFBIG
        raise _efbig(self.limit, self.name)

    def flush(self) -> None:
        flush = getattr(self.stream, "flush", None)
        if flush is not None:
            flush()

    def isatty(self) -> bool:
        isatty = getattr(self.stream, "isatty", None)
        return bool(isatty()) if isatty is not None else False




def capped_stdio(limit: int, command: str):
    """(stdout, stderr): ``CappedStream``\\ s on this process's binary stdout and stderr,
    whose notice is one line on stderr prefixed by ``command`` (e.g. ``vlab vm run``)."""

    def notice(text: str) -> None:
        print(f"{command}: {text}", file=sys.stderr, flush=True)

    sys.stdout.flush()
    return (CappedStream(sys.stdout.buffer, limit, notice, "standard output"),
            CappedStream(sys.stderr.buffer, limit, notice, "standard error"))


def forward(stream: CappedStream, data: bytes) -> None:
    """Send console bytes the machine cannot be told about failing (a UART, HTIF): up
    to the cap; past it they are dropped (the notice has said so)."""
    try:
        stream.write(data)
    except OSError:
        pass
