"""The host interface: the only door from guest code to the outside world.

A process VM (Smith & Nair 2005, sec. 6.1) runs as an ordinary program on an operating
system; everything the guest program does to the world (console, files, time) goes
through a narrow interface that the VM's natives call.  Keeping it a small protocol means
the same VM can run over a real directory, an in-memory dictionary, a sandboxed layered
file system (``vlab.application.sandbox``) or, later, as a process on the modeled kernel.

The :class:`Policy` (``policy.py``) is checked by the natives *before* calling the host;
the host itself only performs the operation.  Every host names files by the same rules
as the rest of vlab (:mod:`vlab.os.fs.paths`): ``..`` above the root, NUL bytes and
backslashes are refused (a guest ``PermissionError``), never clamped, and a
:class:`DirectoryHost` also refuses a symbolic link that leads out of its root.  The
modeled clock runs at the guest rate of :mod:`vlab.host.clock`.

Two optional methods make a host safe against hostile files; the natives use them when a
host has them (:func:`resolve` and :func:`read_at_most` fall back for hosts without):

* ``resolve(path)``: the guest path after the host followed its symbolic links, so the
  policy judges the file that will really be opened (a link ``/w/p -> /etc/passwd`` is
  judged as ``/etc/passwd``), by the one resolver :func:`vlab.os.fs.paths.host_path`;
* ``read_file_at_most(path, limit)``: read a *regular* file of at most ``limit`` bytes,
  refusing FIFOs, devices and sockets (``/dev/zero`` never ends, a FIFO blocks forever)
  before reading anything, and files too big before reading them whole.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Protocol, runtime_checkable

from vlab.host.clock import NS_PER_INSTRUCTION
from vlab.os.fs.errors import PathEscapeError
from vlab.os.fs.paths import host_path
from vlab.os.fs.paths import normalize as canonical_path


@runtime_checkable
class HostInterface(Protocol):
    """What natives may ask of the host.  Paths are POSIX-style strings."""

    def write_console(self, text: str) -> None: ...

    def read_file(self, path: str) -> bytes: ...  # FileNotFoundError / PermissionError

    def write_file(self, path: str, data: bytes) -> None: ...

    def list_dir(self, path: str) -> list[str]: ...

    def clock_ns(self) -> int: ...  # modeled and deterministic


class MemoryHost:
    """A host over an in-memory file dictionary; console output is collected in a list.

    ``clock_ns`` is modeled: the VM sets :attr:`instructions` as it runs and the clock is
    that count times ``ns_per_instruction``, so a program's output never depends on the
    wall clock.
    """

    def __init__(self, files: dict[str, bytes] | None = None, echo=None,
                 ns_per_instruction: int = NS_PER_INSTRUCTION, record: bool = True):
        self.files: dict[str, bytes] = {normalize(k): v for k, v in (files or {}).items()}
        self.console: list[str] = []
        self.echo, self.record = echo, record
        self.instructions = 0
        self.ns_per_instruction = ns_per_instruction

    def write_console(self, text: str) -> None:
        if self.record:
            self.console.append(text)
        if self.echo is not None:
            self.echo(text)

    def output(self) -> str:
        return "".join(self.console)

    def read_file(self, path: str) -> bytes:
        path = normalize(path)
        if path not in self.files:
            raise FileNotFoundError(path)
        return self.files[path]

    def resolve(self, path: str) -> str:
        return normalize(path)  # no symbolic links in memory

    def read_file_at_most(self, path: str, limit: int) -> bytes:
        data = self.read_file(path)
        if len(data) > limit:
            raise FileTooBig(path, len(data), limit)
        return data

    def write_file(self, path: str, data: bytes) -> None:
        self.files[normalize(path)] = bytes(data)

    def list_dir(self, path: str) -> list[str]:
        prefix = normalize(path).rstrip("/") + "/"
        names = {p[len(prefix):].split("/")[0] for p in self.files if p.startswith(prefix)}
        return sorted(names)

    def clock_ns(self) -> int:
        return self.instructions * self.ns_per_instruction


class DirectoryHost(MemoryHost):
    """A host whose files live under a real directory ``root`` (guest ``/`` is ``root``)."""

    def __init__(self, root: str | Path, echo=None, record: bool = True):
        super().__init__(echo=echo, record=record)
        self.root = Path(root).resolve()

    def _real(self, path: str) -> Path:
        try:
            return Path(host_path(self.root, path))
        except PathEscapeError as error:
            raise PermissionError(str(error)) from None

    def resolve(self, path: str) -> str:
        real = self._real(path)
        inside = os.path.relpath(real, self.root)
        return "/" if inside == "." else "/" + inside.replace(os.sep, "/")

    def read_file(self, path: str) -> bytes:
        return self.read_file_at_most(path, MAX_READ)

    def read_file_at_most(self, path: str, limit: int) -> bytes:
        fd = os.open(self._real(path), os.O_RDONLY | os.O_NONBLOCK)  # a FIFO must not block
        try:
            _refuse_special(path, os.fstat(fd))
            size = os.fstat(fd).st_size
            if size > limit:
                raise FileTooBig(path, size, limit)
            with os.fdopen(os.dup(fd), "rb") as file:
                data = file.read(limit + 1)  # a file growing while read stops at the cap
        finally:
            os.close(fd)
        if len(data) > limit:
            raise FileTooBig(path, len(data), limit)
        return data

    def write_file(self, path: str, data: bytes) -> None:
        real = self._real(path)
        if real.exists():
            _refuse_special(path, os.stat(real))
        real.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(real, os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK, 0o666)
        try:
            _refuse_special(path, os.fstat(fd))  # replaced between the check and the open
            os.ftruncate(fd, 0)
            with os.fdopen(os.dup(fd), "wb") as file:
                file.write(data)
        finally:
            os.close(fd)

    def list_dir(self, path: str) -> list[str]:
        return sorted(p.name for p in self._real(path).iterdir())


MAX_READ = 64 * 2**20  # the most a host reads for a caller that names no limit


class FileTooBig(MemoryError):
    """A file larger than the caller may read (a guest OutOfMemoryError)."""

    def __init__(self, path: str, size: int, limit: int):
        super().__init__(f"{path} holds {size} bytes, more than the {limit} this program "
                         "may read (the heap limit): read a smaller file or raise --heap")


def _refuse_special(path: str, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = ("a directory" if stat.S_ISDIR(info.st_mode) else
                "a FIFO" if stat.S_ISFIFO(info.st_mode) else
                "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else
                "a socket" if stat.S_ISSOCK(info.st_mode) else "not a regular file")
        error = IsADirectoryError if kind == "a directory" else PermissionError
        raise error(f"{path} is {kind}: only regular files can be read or written")


def resolve(host, path: str) -> str:
    """``path`` as ``host`` resolves it (hosts without symbolic links: normalized)."""
    resolver = getattr(host, "resolve", None)
    return resolver(path) if resolver is not None else normalize(path)


def read_at_most(host, path: str, limit: int) -> bytes:
    """Read ``path`` from ``host``, never more than ``limit`` bytes."""
    reader = getattr(host, "read_file_at_most", None)
    if reader is not None:
        return reader(path, limit)
    data = host.read_file(path)  # an in-memory host: the data exists already
    if len(data) > limit:
        raise FileTooBig(path, len(data), limit)
    return data


def normalize(path: str) -> str:
    """Canonical absolute path (``a/./b`` is ``/a/b``) by :func:`vlab.os.fs.paths.normalize`.

    An escape (``/../etc``), a NUL byte or a backslash is a ``PermissionError`` the guest
    program can catch.
    """
    try:
        return canonical_path(path)
    except PathEscapeError as error:
        raise PermissionError(str(error)) from None
