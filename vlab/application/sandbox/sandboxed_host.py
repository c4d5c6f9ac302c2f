"""The HLL VM's host interface, answered by a sandboxed application's file system.

The HLL VM reaches the world only through
:class:`vlab.application.hll.host.HostInterface` (console, files, clock).
:class:`SandboxedHost` implements that protocol over a
:class:`~vlab.application.sandbox.vfs.LayeredFileSystem`, so a guest program's
file writes land in its application's sandbox layer and its reads see
sandbox over package over host.  Two levels of isolation stack here, as in a
real deployment: the VM's capability policy decides *whether* a native may
touch a path; the sandbox decides *where* the bytes go.

The VFS's own errors are translated (one table) into the ``OSError`` types
the VM's natives expect, keeping the sandbox's message, so a guest sees e.g.
``FileNotFoundError`` or ``PermissionError`` and never a Python traceback.

The clock is modeled like :class:`~vlab.application.hll.host.MemoryHost`'s
(the VM sets :attr:`instructions`; :mod:`vlab.host.clock` gives the rate) plus the
modeled time the application spent waiting for streamed blocks: a stream fault is
visible to the program as time passing, as it would be on a real workstation.
"""

from __future__ import annotations

from vlab.application.sandbox.streaming import StreamStats
from vlab.application.sandbox.vfs import LayeredFileSystem
from vlab.host.clock import NS_PER_INSTRUCTION
from vlab.os.fs.errors import (
    FileNotFound,
    FsError,
    IsADirectory,
    NotADirectory,
    PathEscapeError,
    QuotaExceeded,
)

OS_ERROR_OF: dict[type[FsError], type[OSError]] = {
    FileNotFound: FileNotFoundError,
    PathEscapeError: PermissionError,
    IsADirectory: IsADirectoryError,
    NotADirectory: NotADirectoryError,
    # EDQUOT on a real system; the VM maps PermissionError to a guest exception
    QuotaExceeded: PermissionError,
}


def as_os_error(error: FsError) -> OSError:
    """The ``OSError`` a native sees for a sandbox error (same message)."""
    for kind, os_error in OS_ERROR_OF.items():
        if isinstance(error, kind):
            return os_error(str(error))
    return OSError(str(error))


class SandboxedHost:
    """A :class:`~vlab.application.hll.host.HostInterface` over one application's VFS."""

    def __init__(self, vfs: LayeredFileSystem, *, stream_stats: StreamStats | None = None,
                 echo=None, ns_per_instruction: int = NS_PER_INSTRUCTION) -> None:
        self.vfs = vfs
        self.stream_stats = stream_stats
        self.console: list[str] = []
        self.echo = echo
        self.instructions = 0
        self.ns_per_instruction = ns_per_instruction

    # ---------------------------------------------------------------- console

    def write_console(self, text: str) -> None:
        self.console.append(text)
        if self.echo is not None:
            self.echo(text)

    def output(self) -> str:
        """Everything the program printed so far."""
        return "".join(self.console)

    # ---------------------------------------------------------------- files

    def read_file(self, path: str) -> bytes:
        try:
            return self.vfs.read(path)
        except FsError as error:
            raise as_os_error(error) from None

    def write_file(self, path: str, data: bytes) -> None:
        try:
            self.vfs.write(path, bytes(data))
        except FsError as error:
            raise as_os_error(error) from None

    def list_dir(self, path: str) -> list[str]:
        try:
            return self.vfs.listdir(path)
        except FsError as error:
            raise as_os_error(error) from None

    # ---------------------------------------------------------------- clock

    def clock_ns(self) -> int:
        """Modeled nanoseconds: instructions run plus time spent waiting for blocks."""
        waited_us = self.stream_stats.modeled_us if self.stream_stats else 0.0
        return self.instructions * self.ns_per_instruction + round(waited_us * 1000)
