"""Opening a name: ``openat(2)``'s rules, once, for every file system.

Like Linux's ``do_filp_open``/``open_last_lookups`` (``fs/namei.c``) and ``may_open``:

* without ``O_CREAT`` the name must exist; with ``O_NOFOLLOW`` a symbolic link as the
  last component is ELOOP;
* with ``O_CREAT`` a missing last component is created in its directory (mode masked by
  the umask); with ``O_EXCL`` an existing one is EEXIST (a symbolic link is not
  followed); a name ending in ``/`` cannot be created (EISDIR);
* ``O_DIRECTORY`` on a non-directory is ENOTDIR; opening a directory for writing is
  EISDIR; opening a regular file for writing (or with ``O_TRUNC``) on a read-only mount
  is EROFS (devices on it may still be written, as in Linux); ``O_TRUNC`` empties it.
"""

from __future__ import annotations

from ..errno import EEXIST, EINVAL, EISDIR, ELOOP, ENOENT, ENOTDIR, EROFS, SyscallError
from .constants import (
    O_ACCMODE,
    O_CREAT,
    O_DIRECTORY,
    O_EXCL,
    O_NOFOLLOW,
    O_RDONLY,
    O_TRUNC,
    PERMISSIONS,
    S_IFREG,
)
from .namei import FsContext, Walk, lookup, lookup_parent

ACCESS_MODES = (0, 1, 2)


def refuse_readonly(location, what: str) -> None:
    """EROFS if ``location`` lies on a read-only mount."""
    if location.mount.readonly:
        raise SyscallError(EROFS, f"{what}: the file system is mounted read-only")


def open_path(ctx: FsContext, start, path: str, flags: int, mode: int, umask: int = 0,
              owner=None):
    """The open file for ``path`` (relative to ``start``) under ``flags``; ``owner`` is
    called with an inode this call created (to give it the creator's uid and gid)."""
    if flags & O_ACCMODE not in ACCESS_MODES:
        raise SyscallError(EINVAL, f"bad access mode in flags {flags:#o}")
    writing = flags & O_ACCMODE != O_RDONLY or bool(flags & O_TRUNC)
    if flags & O_CREAT:
        location = _open_create(ctx, start, path, flags, mode & ~umask & PERMISSIONS, owner)
    else:
        location = lookup(ctx, start, path, follow=not flags & O_NOFOLLOW)
    inode = location.inode
    if inode.is_symlink():
        raise SyscallError(ELOOP, f"{path!r} is a symbolic link (O_NOFOLLOW)")
    if flags & O_DIRECTORY and not inode.is_dir():
        raise SyscallError(ENOTDIR, f"{path!r} is not a directory (O_DIRECTORY)")
    if inode.is_dir() and writing:
        raise SyscallError(EISDIR, f"{path!r} is a directory: it cannot be opened for writing")
    if writing and inode.is_regular():
        refuse_readonly(location, path)
    file = inode.open(flags, location)
    if file.location is None:
        file.location = location
    if flags & O_TRUNC and inode.is_regular() and flags & O_ACCMODE != O_RDONLY:
        inode.truncate(0)
    return file


def _open_create(ctx, start, path, flags, perm, owner):
    directory, name, trailing = lookup_parent(ctx, start, path)
    if name in ("/", ".", ".."):
        raise SyscallError(EISDIR, f"{path!r} names a directory; O_CREAT makes files")
    try:
        existing = directory.child(name, directory.inode.lookup(name))
    except SyscallError as error:
        if error.errno != ENOENT:
            raise
        existing = None
    if existing is not None:
        if flags & O_EXCL:
            raise SyscallError(EEXIST, f"{path!r} exists (O_EXCL)")
        if existing.inode.is_symlink() and not flags & O_NOFOLLOW:
            return Walk(ctx).follow_link(directory, existing)
        if trailing and not existing.inode.is_dir():
            raise SyscallError(ENOTDIR, f"{path!r}: not a directory (the name ends in '/')")
        return existing
    if trailing:
        raise SyscallError(EISDIR, f"{path!r}: cannot create a file named with a final '/'")
    refuse_readonly(directory, path)
    inode = directory.inode.create(name, S_IFREG | perm)
    if owner is not None:
        owner(inode)
    return directory.child(name, inode)
