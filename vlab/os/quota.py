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
are not counted.
"""

from __future__ import annotations

from .errno import EDQUOT, SyscallError

DEFAULT_WRITE_QUOTA = 64 << 20


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
