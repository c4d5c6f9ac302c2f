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

Hostile files are met as the HLL VM's own hosts meet them (vlab/application/hll/host.py):
the host offers ``resolve`` and ``read_file_at_most``, so the natives' policy judges the
path the sandbox will open and a read is capped before anything is fetched.

* **One resolver.**  ``resolve`` is the layer store's normalizer
  (:func:`vlab.os.fs.paths.normalize`, the one :func:`~vlab.os.fs.paths.host_path` starts
  from), relative to the application's directory as the VFS resolves names
  (``Overlay.resolve``): ``.``/``..`` folded, ``..`` above the root, NUL bytes and
  backslashes refused.  A relative name is therefore judged by the policy where it will
  be opened (``data.txt`` is ``/apps/NAME/data.txt``, not ``/data.txt``).
  Symbolic links need no following because none can exist here: a package is refused
  if its directory holds one (``packager.py``), a layer tar if it has a link member
  (:meth:`~vlab.os.fs.image_layer.ImageLayer.from_tar`), and the VM can only write
  regular files -- so the path judged is the path opened, and a link ``/w/p ->
  /etc/passwd`` cannot be made.
* **Regular files only.**  Directories are implicit in the layers; reading one is
  ``IsADirectoryError`` before any layer is asked for bytes.  Layers hold no FIFOs or
  devices (refused at import, as above).
* **Read cap.**  The file's size is known before it is read (a package file's from the
  package's file table, so a huge file is refused *before* its blocks are streamed); a
  file over the limit is :class:`~vlab.application.hll.host.FileTooBig`, the guest's
  ``OutOfMemoryError``.

The clock is modeled like :class:`~vlab.application.hll.host.MemoryHost`'s
(the VM sets :attr:`instructions`; :mod:`vlab.host.clock` gives the rate) plus the
modeled time the application spent waiting for streamed blocks: a stream fault is
visible to the program as time passing, as it would be on a real workstation.
"""

from __future__ import annotations

from vlab.application.hll.host import MAX_READ, FileTooBig
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


def file_size(layer, path: str) -> int:
    """The size of ``path`` in ``layer`` without reading it where the layer can tell
    (a package layer: its file table); an in-memory layer's bytes exist already."""
    size = getattr(layer, "size", None)
    return size(path) if size is not None else len(layer.read(path))


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

    def resolve(self, path: str) -> str:
        """The canonical absolute path the sandbox opens for ``path`` (see the module
        docstring): what the VM's policy judges."""
        try:
            return self.vfs.resolve(path)           # relative to the app's directory
        except FsError as error:
            raise as_os_error(error) from None

    def read_file(self, path: str) -> bytes:
        return self.read_file_at_most(path, MAX_READ)

    def read_file_at_most(self, path: str, limit: int) -> bytes:
        """A regular file of at most ``limit`` bytes; its size is checked first."""
        resolved = self.resolve(path)
        try:
            layer = self.vfs.layer_answering(resolved)
            if layer is None:
                return self.vfs.read(resolved)      # raises: a directory, or no such file
            size = file_size(layer, resolved)
            if size > limit:
                raise FileTooBig(resolved, size, limit)
            return self.vfs.read(resolved)
        except FsError as error:
            raise as_os_error(error) from None

    def write_file(self, path: str, data: bytes) -> None:
        try:
            self.vfs.write(self.resolve(path), bytes(data))
        except FsError as error:
            raise as_os_error(error) from None

    def list_dir(self, path: str) -> list[str]:
        try:
            return self.vfs.listdir(self.resolve(path))
        except FsError as error:
            raise as_os_error(error) from None

    # ---------------------------------------------------------------- clock

    def clock_ns(self) -> int:
        """Modeled nanoseconds: instructions run plus time spent waiting for blocks."""
        waited_us = self.stream_stats.modeled_us if self.stream_stats else 0.0
        return self.instructions * self.ns_per_instruction + round(waited_us * 1000)
