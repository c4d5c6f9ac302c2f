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
"""

from __future__ import annotations

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

    def read_file(self, path: str) -> bytes:
        return self._real(path).read_bytes()

    def write_file(self, path: str, data: bytes) -> None:
        real = self._real(path)
        real.parent.mkdir(parents=True, exist_ok=True)
        real.write_bytes(data)

    def list_dir(self, path: str) -> list[str]:
        return sorted(p.name for p in self._real(path).iterdir())


def normalize(path: str) -> str:
    """Canonical absolute path (``a/./b`` is ``/a/b``) by :func:`vlab.os.fs.paths.normalize`.

    An escape (``/../etc``), a NUL byte or a backslash is a ``PermissionError`` the guest
    program can catch.
    """
    try:
        return canonical_path(path)
    except PathEscapeError as error:
        raise PermissionError(str(error)) from None
