"""Path resolution: a name, a starting directory and a root -> a place in the tree.

Like Linux's ``fs/namei.c`` (``path_resolution(7)``): a path is split at ``/``; an
absolute one starts at the process's root, a relative one at its working directory or
at the directory of a descriptor (``openat``'s ``dirfd``).  Each component must be
looked up in a directory (ENOTDIR otherwise, ENOENT if absent, ENAMETOOLONG past
``NAME_MAX``); ``.`` stays; ``..`` goes up, but never above the process's root (there
it stays, as Linux's ``follow_dotdot``: a chroot cannot be climbed out of) and across
mounts (from a mount's root to the directory it is mounted on).  After each step the
walk moves onto whatever is mounted there.  A symbolic link met in the middle of a path
is followed (its target resolved from the link's directory, or from the root if it
is absolute), and the last one too unless the caller says not to (``O_NOFOLLOW``,
``lstat``); more than ``MAXSYMLINKS`` = 40 links in one resolution is ELOOP.  A path
ending in ``/`` must name a directory.

``FsContext`` is a process's ``struct fs_struct``: its root and working directory,
shared by threads, copied by ``fork``.  A *confined* context (the proxy kernel's
``vlab run --root DIR`` sandbox) keeps that sandbox's stricter rule: a name that would
climb above the root, or uses host-only syntax, is refused with EACCES
(``vlab.os.fs.paths``) instead of stopping at the root.
"""

from __future__ import annotations

from ..errno import EACCES, ELOOP, ENAMETOOLONG, ENOENT, ENOTDIR, SyscallError
from ..fs import paths
from ..fs.errors import FsError
from .constants import AT_FDCWD
from .mount import Location

PATH_MAX = 4096          # bytes in a path, NUL included (linux/limits.h)
NAME_MAX = 255           # bytes in one component
MAXSYMLINKS = 40         # links followed in one resolution (include/linux/namei.h)


class FsContext:
    """A process's root and working directory (Linux's ``struct fs_struct``)."""

    def __init__(self, root: Location, cwd: Location | None = None, *,
                 confined: bool = False):
        self.root = root
        self.cwd = cwd if cwd is not None else root
        self.confined = confined

    def copy(self) -> FsContext:
        return FsContext(self.root, self.cwd, confined=self.confined)

    def rebind(self, mnt_ns) -> None:
        """After ``unshare``/``clone(CLONE_NEWNS)``: point root and cwd at the same
        places in the copied namespace ``mnt_ns`` (``MountNamespace.copy()``)."""
        self.root, self.cwd = mnt_ns.translate(self.root), mnt_ns.translate(self.cwd)

    def path_of(self, location: Location) -> str:
        """The absolute path of ``location`` as this process names it (getcwd,
        /proc/mounts); a place outside its root is ``(unreachable)/...`` as in Linux."""
        names = []
        while location != self.root:
            if not location.is_mount_root():
                names.append(location.name)
                location = location.parent()
            elif location.mount.parent is None:
                return "(unreachable)/" + "/".join(reversed(names))
            else:
                location = location.mount.mountpoint
        return "/" + "/".join(reversed(names))

    def dotdot(self, location: Location) -> Location:
        """``..`` from ``location``: up one directory, across mounts, never above root."""
        while True:
            if location == self.root:
                return location
            if not location.is_mount_root():
                return location.parent()
            if location.mount.parent is None:
                return location
            location = location.mount.mountpoint


class Walk:
    """One resolution: counts the symbolic links followed (ELOOP past MAXSYMLINKS)."""

    def __init__(self, ctx: FsContext):
        self.ctx = ctx
        self.links = 0

    def resolve(self, start: Location, path: str, follow: bool = True) -> Location:
        location = self.ctx.root if path.startswith("/") else start
        names = [n for n in path.split("/") if n]
        for i, name in enumerate(names):
            last = i == len(names) - 1
            location = self.step(location, name, follow or not last)
        if path.endswith("/") and not location.inode.is_dir():
            raise SyscallError(ENOTDIR, f"{path!r}: not a directory (the name ends in '/')")
        return location

    def step(self, location: Location, name: str, follow: bool) -> Location:
        """One component ``name`` from directory ``location``."""
        if not location.inode.is_dir():
            raise SyscallError(ENOTDIR, f"{location.name or '/'!r} is not a directory")
        if len(name.encode("utf-8", "surrogateescape")) > NAME_MAX:
            raise SyscallError(ENAMETOOLONG, f"name {name[:40]!r}... is longer than "
                                             f"NAME_MAX = {NAME_MAX} bytes")
        if name == ".":
            return location
        if name == "..":
            return self.ctx.dotdot(location)
        found = location.child(name, location.inode.lookup(name))
        if follow and found.inode.is_symlink():
            return self.follow_link(location, found)
        return found

    def follow_link(self, directory: Location, link: Location) -> Location:
        self.links += 1
        if self.links > MAXSYMLINKS:
            raise SyscallError(ELOOP, f"more than {MAXSYMLINKS} symbolic links in one "
                                      "path (a loop?)")
        target = link.inode.readlink()
        if not target:
            raise SyscallError(ENOENT, f"symbolic link {link.name!r} is empty")
        return self.resolve(directory, target, follow=True)


def check_path(ctx: FsContext, path: str) -> str:
    """The rules every path obeys before a walk: not empty, shorter than PATH_MAX.  In
    a confined context the path is first normalised as the proxy kernel's sandbox did
    (``vlab.os.fs.paths``: ``..`` taken lexically, an escape above the root EACCES);
    returns the path to walk."""
    if path == "":
        raise SyscallError(ENOENT, "empty path")
    if len(path.encode("utf-8", "surrogateescape")) >= PATH_MAX:
        raise SyscallError(ENAMETOOLONG, f"path longer than PATH_MAX = {PATH_MAX} bytes")
    if not ctx.confined:
        return path
    cwd = ctx.path_of(ctx.cwd)
    try:
        canonical = paths.normalize(path, cwd if cwd.startswith("/") else "/")
    except FsError as exc:
        raise SyscallError(EACCES, str(exc)) from None
    return canonical + "/" if path.endswith("/") and canonical != "/" else canonical


def lookup(ctx: FsContext, start: Location, path: str, follow: bool = True) -> Location:
    """Resolve ``path`` (which must exist) from ``start`` (cwd or a dirfd's directory)."""
    path = check_path(ctx, path)
    return Walk(ctx).resolve(start, path, follow)


def lookup_parent(ctx: FsContext, start: Location, path: str) -> tuple[Location, str, bool]:
    """For calls that create or remove a name: the directory that holds the last
    component, that component, and whether the path ended in ``/``.  The last component
    is ``"/"`` for a path that names the root, else may be ``.`` or ``..`` (the caller
    refuses those as Linux does)."""
    path = check_path(ctx, path)
    trailing = path.endswith("/")
    head, _, last = path.rstrip("/").rpartition("/")
    if not last:                                   # "/", "//": the root itself
        return ctx.root, "/", True
    if head == "" and path.startswith("/"):
        head = "/"
    walk = Walk(ctx)
    directory = walk.resolve(start, head) if head else start
    if not directory.inode.is_dir():
        raise SyscallError(ENOTDIR, f"{head!r} is not a directory")
    if len(last.encode("utf-8", "surrogateescape")) > NAME_MAX:
        raise SyscallError(ENAMETOOLONG, f"name {last[:40]!r}... is longer than NAME_MAX")
    return directory, last, trailing


def start_location(proc, dirfd: int, path: str) -> Location:
    """Where a relative ``path`` starts: the cwd for AT_FDCWD, else the directory open
    on ``dirfd`` (EBADF if none is open there, ENOTDIR if it is not a directory)."""
    if path.startswith("/") or dirfd == AT_FDCWD:
        return proc.fs.cwd
    location = getattr(proc.files.get(dirfd), "location", None)
    if location is None or not location.inode.is_dir():
        raise SyscallError(ENOTDIR, f"descriptor {dirfd} is not an open directory")
    return location


def namei(proc, dirfd: int, path: str, follow: bool = True) -> Location:
    """Resolve ``path`` for process ``proc`` relative to ``dirfd`` (AT_FDCWD: its cwd)."""
    return lookup(proc.fs, start_location(proc, dirfd, path), path, follow)
