"""Paths of the virtual file system, and how a sandbox refuses to be escaped.

Every name an application uses is turned into one canonical absolute path
(``/dir/file``) before any layer is consulted.  Canonical paths are what the
layers store, so two spellings of one file (``/a/./b``, ``/a//b``,
``/a/x/../b``) can never reach two different files.

Escapes are refused rather than silently clamped.  POSIX resolves ``/..`` to
``/``; a sandbox that did the same would hide an application's attempt to
climb out of its root, so here a ``..`` that would climb above the root is a
:class:`~vlab.application.sandbox.errors.PathEscapeError`.  So are names that
only make sense on the real host: a drive letter (``C:``), a UNC or backslash
path (``\\\\server\\share``, ``dir\\file``) and a NUL byte, the classic ways
to make a path check and the file system disagree (CWE-22, "Improper
Limitation of a Pathname to a Restricted Directory").

Package entries are stricter still (:func:`package_entry_path`): a packager
must store canonical absolute paths, so an archive entry such as
``../../home/user/.profile`` (the "zip slip" attack) is a malformed package.
"""

from __future__ import annotations

import re

from vlab.application.sandbox.errors import PathEscapeError

ROOT = "/"
_DRIVE = re.compile(r"^[A-Za-z]:")


def _refuse_host_syntax(path: object) -> str:
    if not isinstance(path, str):
        raise PathEscapeError(f"a path must be a string, got {type(path).__name__} {path!r}")
    if path == "":
        raise PathEscapeError("empty path: name a file such as '/data/notes.txt'")
    if "\x00" in path:
        raise PathEscapeError(f"path {path!r} contains a NUL byte; remove it")
    if "\\" in path:
        raise PathEscapeError(
            f"path {path!r} uses a backslash; virtual paths use '/' (e.g. '/data/notes.txt')"
        )
    if _DRIVE.match(path):
        raise PathEscapeError(
            f"path {path!r} names a host drive; the virtual file system has one root, '/'"
        )
    return path


def normalize(path: str, cwd: str = ROOT) -> str:
    """Return the canonical absolute form of ``path`` (relative paths start at ``cwd``).

    Raises :class:`PathEscapeError` if the path climbs above the root or uses
    host-only syntax.
    """
    _refuse_host_syntax(path)
    joined = path if path.startswith("/") else f"{cwd.rstrip('/')}/{path}"
    parts: list[str] = []
    for part in joined.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise PathEscapeError(
                    f"path {path!r} climbs above the root of the virtual file system "
                    f"(resolved from {cwd!r}); a sandboxed application cannot leave '/'"
                )
            parts.pop()
            continue
        parts.append(part)
    return "/" + "/".join(parts)


def parent(path: str) -> str:
    """The directory holding canonical ``path`` (the root's parent is the root)."""
    head = path.rsplit("/", 1)[0]
    return head or ROOT


def ancestors(path: str) -> list[str]:
    """Every directory above canonical ``path``, nearest first, ending with ``/``."""
    chain = []
    while path != ROOT:
        path = parent(path)
        chain.append(path)
    return chain


def is_within(path: str, directory: str) -> bool:
    """Whether canonical ``path`` is ``directory`` or lies beneath it."""
    if directory == ROOT:
        return True
    return path == directory or path.startswith(directory + "/")


def package_entry_path(name: str) -> str:
    """Check a path stored in a package: it must already be canonical and absolute.

    Raises :class:`PathEscapeError` naming the entry otherwise, so that a
    crafted package cannot smuggle ``..`` past the packager.
    """
    _refuse_host_syntax(name)
    if not name.startswith("/"):
        raise PathEscapeError(f"package entry {name!r} is relative; entries are absolute paths")
    if normalize(name) != name or name == ROOT:
        raise PathEscapeError(
            f"package entry {name!r} is not a canonical file path "
            f"(no '.', '..', '//' or trailing '/'; canonical form: {normalize(name)!r})"
        )
    return name
