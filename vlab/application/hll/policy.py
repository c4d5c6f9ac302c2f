"""The capability policy: what a guest program may do to the outside world.

Java's security manager checked a *permission* before every sensitive operation (Gong et
al., "Going Beyond the Sandbox: An Overview of the New Security Architecture in the Java
Development Kit 1.2", USENIX 1997).  Here each native that touches the host asks the
:class:`Policy` first: console output, the clock, reading or writing files *under given
path prefixes*.  A denied request is a guest ``PermissionError`` the program may catch;
it never reaches the host.  Paths are judged as the host will open them: normalized
(``/sandbox/../etc`` is ``/etc``) and with symbolic links followed by the host's resolver
(``host.resolve``, :func:`vlab.os.fs.paths.host_path` for a real directory), the allowed
prefixes too, so ``/w/p -> /etc/passwd`` is judged as ``/etc/passwd``.  The checks return
the resolved path, which is what the natives hand to the host.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .host import normalize

Resolver = Callable[[str], str]


class PolicyDenied(PermissionError):
    """A request the policy refuses (becomes a guest PermissionError)."""


@dataclass(frozen=True)
class Policy:
    console: bool = True
    clock: bool = True
    read_paths: tuple[str, ...] = ()
    write_paths: tuple[str, ...] = ()

    @classmethod
    def allow_all(cls) -> Policy:
        return cls(True, True, ("/",), ("/",))

    @classmethod
    def deny_all(cls) -> Policy:
        return cls(False, False, (), ())

    def check_console(self) -> None:
        if not self.console:
            raise PolicyDenied("policy denies console output")

    def check_clock(self) -> None:
        if not self.clock:
            raise PolicyDenied("policy denies reading the clock")

    def check_read(self, path: str, resolve: Resolver = normalize) -> str:
        return self._check(path, self.read_paths, "read", resolve)

    def check_write(self, path: str, resolve: Resolver = normalize) -> str:
        return self._check(path, self.write_paths, "write", resolve)

    def _check(self, path: str, allowed: tuple[str, ...], what: str,
               resolve: Resolver) -> str:
        if not isinstance(path, str):
            raise TypeError(f"path must be str, not {type(path).__name__}")
        clean = resolve(path)
        for prefix in allowed:
            root = resolve(prefix)
            if clean == root or clean.startswith(root.rstrip("/") + "/"):
                return clean
        via = "" if clean == normalize(path) else f" ({path} leads there by a symbolic link)"
        raise PolicyDenied(f"policy denies {what} access to {clean}{via}")
