"""The one path normaliser: every name becomes a canonical absolute path, or an error.

Every layer, overlay, sandbox, HLL host and kernel file table turns a name into one
canonical absolute path (``/dir/file``) here, before anything is looked up, so two
spellings of one file (``/a/./b``, ``/a//b``, ``/a/x/../b``) can never reach two files.

Escapes are refused rather than silently clamped.  POSIX resolves ``/..`` to ``/``
(POSIX.1-2017, XBD 4.13 "Pathname Resolution"); a sandbox that did the same would hide
an attempt to climb out of its root, so here a ``..`` above the root is a
:class:`~vlab.os.fs.errors.PathEscapeError`.  So are the classic ways to make a path
check and the file system disagree (CWE-22, "Improper Limitation of a Pathname to a
Restricted Directory"): a NUL byte (C code stops reading there), a drive letter
(``C:``) or backslash (``\\\\server\\share``, ``dir\\file``) that means something else
on another host, and names longer than Linux accepts (``PATH_MAX`` 4096 bytes per path,
``NAME_MAX`` 255 bytes per component, ``include/uapi/linux/limits.h``).

Names that reach a real host directory (:func:`host_path`) are checked once more after
the host resolved them, so a *symbolic link* inside the root that points outside it is
refused too (the check ``realpath`` then prefix, as in the proxy kernels of Spike and
gVisor's gofer).

=========================  =========================================================
function                   answers
=========================  =========================================================
:func:`normalize`          canonical absolute form of a name, relative to a cwd
:func:`entry_path`         a name stored in an image or package, already canonical
:func:`host_path`          where a name lives under a real host directory
:func:`parent`             the directory holding a canonical path
:func:`ancestors`          every directory above a canonical path
:func:`is_within`          whether a canonical path is a directory or beneath it
=========================  =========================================================
"""

from __future__ import annotations

import os
import re

from vlab.os.fs.errors import PathEscapeError

ROOT = "/"
PATH_MAX = 4096  # bytes in a path, terminating NUL included (linux/limits.h)
NAME_MAX = 255   # bytes in one component (linux/limits.h)
_DRIVE = re.compile(r"^[A-Za-z]:")


def _refuse_malformed(path: object) -> str:
    if not isinstance(path, str):
        raise PathEscapeError(f"a path must be a string, got {type(path).__name__} {path!r}")
    if path == "":
        raise PathEscapeError("empty path: name a file such as '/data/notes.txt'")
    if "\x00" in path:
        raise PathEscapeError(f"path {path!r} contains a NUL byte; remove it")
    if "\\" in path:
        raise PathEscapeError(
            f"path {path!r} uses a backslash; paths use '/' (e.g. '/data/notes.txt')"
        )
    if _DRIVE.match(path):
        raise PathEscapeError(f"path {path!r} names a host drive; the file system has one "
                              "root, '/'")
    if len(path.encode("utf-8", "surrogatepass")) >= PATH_MAX:
        raise PathEscapeError(f"path {path[:40]!r}... is {len(path)} characters long; "
                              f"a path has fewer than PATH_MAX = {PATH_MAX} bytes")
    return path


def normalize(path: str, cwd: str = ROOT) -> str:
    """Return the canonical absolute form of ``path`` (relative paths start at ``cwd``).

    Raises :class:`PathEscapeError` if the path climbs above the root, is too long, or
    uses host-only syntax.
    """
    _refuse_malformed(path)
    if not cwd.startswith("/"):
        raise PathEscapeError(f"working directory {cwd!r} must be an absolute path")
    joined = path if path.startswith("/") else f"{cwd.rstrip('/')}/{path}"
    parts: list[str] = []
    for part in joined.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if not parts:
                raise PathEscapeError(
                    f"path {path!r} climbs above the root of the file system "
                    f"(resolved from {cwd!r}); a confined program cannot leave '/'"
                )
            parts.pop()
            continue
        if len(part.encode("utf-8", "surrogatepass")) > NAME_MAX:
            raise PathEscapeError(f"name {part[:40]!r}... in {path[:60]!r} is longer than "
                                  f"NAME_MAX = {NAME_MAX} bytes")
        parts.append(part)
    return "/" + "/".join(parts)


def entry_path(name: str, what: str = "entry") -> str:
    """Check a path stored in an image layer or package: canonical, absolute, not ``/``.

    Raises :class:`PathEscapeError` naming the entry otherwise, so that a crafted archive
    cannot smuggle ``..`` past the store (the "zip slip" attack).
    """
    _refuse_malformed(name)
    if not name.startswith("/"):
        raise PathEscapeError(f"{what} {name!r} is relative; entries are absolute paths")
    if normalize(name) != name or name == ROOT:
        raise PathEscapeError(
            f"{what} {name!r} is not a canonical file path "
            f"(no '.', '..', '//' or trailing '/'; canonical form: {normalize(name)!r})"
        )
    return name


def host_path(root: str | os.PathLike, path: str, cwd: str = ROOT) -> str:
    """Where guest ``path`` lives under the real host directory ``root``.

    The name is normalized first; then the host resolves it (``..`` and symbolic links,
    ``os.path.realpath``) and the result must still be ``root`` or beneath it: a link
    inside the root that points outside is a :class:`PathEscapeError`.
    """
    real_root = os.path.realpath(root)
    guest = normalize(path, cwd)
    candidate = os.path.realpath(os.path.join(real_root, guest.lstrip("/")))
    if candidate != real_root and not candidate.startswith(real_root.rstrip(os.sep) + os.sep):
        raise PathEscapeError(f"path {path!r} leaves the root through a symbolic link "
                              f"(it resolves outside {real_root!r})")
    return candidate


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
