"""Mounts: where each file system hangs in the tree, per mount namespace.

Like Linux's ``struct mount``/``vfsmount`` (``fs/mount.h``, ``fs/namespace.c``): a mount
puts the tree of one file system (from its root, or from any directory of it for a bind
mount) on top of a directory -- its *mount point* -- of another mount.  A place in the
tree is therefore a pair, (mount, inode): a ``Location`` (Linux's ``struct path``).
The same directory inode reached through two mounts (a bind mount) is two locations.

A ``MountNamespace`` (``mount_namespaces(7)``) is one tree of mounts.  ``copy()`` makes
the new namespace of ``clone(CLONE_NEWNS)``/``unshare``: the same file systems under new
mount objects, so later mounts and unmounts on either side are invisible to the other.
``pivot_root`` follows ``pivot_root(2)``: the caller's root mount moves to ``put_old``
and ``new_root`` becomes the root; processes whose root or working directory was the old
root are moved to the new one.

Simplified: no mount propagation (every mount is private, as after
``mount --make-rprivate /``, which container runtimes do first); ``umount`` does not
check for open files (only for mounts on top: EBUSY unless ``MNT_DETACH``); a
``Location`` remembers the names it was reached by, so ``..`` after a ``rename`` of an
ancestor follows the old path.
"""

from __future__ import annotations

import itertools

from ..errno import EBUSY, EINVAL, SyscallError

_MOUNT_IDS = itertools.count(1)


class Mount:
    """One mount: a file system (from ``root``), read-only or not, and where it sits."""

    def __init__(self, fs, root=None, *, readonly: bool = False, source: str | None = None):
        self.fs = fs
        self.root = root if root is not None else fs.root
        self.readonly = readonly
        self.source = source if source is not None else fs.source
        self.id = next(_MOUNT_IDS)
        self.parent: Mount | None = None
        self.mountpoint: Location | None = None
        self.children: dict[object, list[Mount]] = {}   # mount-point inode -> stack

    @property
    def fstype(self) -> str:
        return self.fs.fstype

    def root_location(self) -> Location:
        return Location(self, (("", self.root),))

    def __repr__(self) -> str:
        return f"<Mount {self.id} {self.fstype} {'ro' if self.readonly else 'rw'}>"


class Location:
    """A place in the tree: a mount and the chain of (name, inode) from its root."""

    __slots__ = ("mount", "chain")

    def __init__(self, mount: Mount, chain: tuple):
        self.mount, self.chain = mount, chain

    @property
    def inode(self):
        return self.chain[-1][1]

    @property
    def name(self) -> str:
        return self.chain[-1][0]

    def is_mount_root(self) -> bool:
        return len(self.chain) == 1

    def parent(self) -> Location:
        """The directory above, inside the same mount (the mount root is its own)."""
        return Location(self.mount, self.chain[:-1]) if len(self.chain) > 1 else self

    def child(self, name: str, inode) -> Location:
        """Step into ``name``, and onto whatever is mounted there (the top of the stack)."""
        return cross_mounts(Location(self.mount, (*self.chain, (name, inode))))

    def __eq__(self, other) -> bool:
        return (isinstance(other, Location) and self.mount is other.mount
                and self.inode is other.inode)

    def __hash__(self) -> int:
        return hash((id(self.mount), id(self.inode)))

    def __repr__(self) -> str:
        return f"<Location {self.mount!r} {'/'.join(n for n, _ in self.chain) or '/'}>"


def cross_mounts(location: Location) -> Location:
    """The root of the top mount on ``location``, or ``location`` if nothing is mounted."""
    while True:
        stack = location.mount.children.get(location.inode)
        if not stack:
            return location
        location = stack[-1].root_location()


def top_mount_at(location: Location) -> Location:
    """Like ``cross_mounts``, also for a location already at a mount root (umount ".")."""
    return cross_mounts(location)


class MountNamespace:
    """A tree of mounts with one root mount; mounts listed in the order they were made."""

    def __init__(self, root_fs=None, *, root_mount: Mount | None = None,
                 readonly: bool = False):
        if root_mount is None:
            root_mount = Mount(root_fs, readonly=readonly)
        self.root_mount = root_mount
        self.order: list[Mount] = [root_mount]

    def root(self) -> Location:
        return self.root_mount.root_location()

    def mount(self, fs, target: Location, *, root=None, readonly: bool = False,
              source: str | None = None) -> Mount:
        """Mount ``fs`` (from its directory ``root``: a bind mount) on ``target``."""
        if not target.inode.is_dir():
            raise SyscallError(EINVAL, "a mount point must be a directory")
        new = Mount(fs, root, readonly=readonly, source=source)
        self._attach(new, target)
        self.order.append(new)
        return new

    def _attach(self, mount: Mount, target: Location) -> None:
        mount.parent, mount.mountpoint = target.mount, target
        target.mount.children.setdefault(target.inode, []).append(mount)

    def _detach(self, mount: Mount) -> None:
        stack = mount.parent.children[mount.mountpoint.inode]
        stack.remove(mount)
        if not stack:
            del mount.parent.children[mount.mountpoint.inode]
        mount.parent = mount.mountpoint = None

    def umount(self, target: Location, *, detach: bool = False) -> None:
        """Unmount the mount whose root is ``target`` (the top one if several are
        stacked there); EINVAL if it is not a mount root, EBUSY for the root mount or
        with mounts on top (unless ``detach``: MNT_DETACH takes them along)."""
        target = top_mount_at(target)
        mount = target.mount
        if not target.is_mount_root():
            raise SyscallError(EINVAL, "not a mount point (umount takes the mount's root)")
        if mount is self.root_mount or mount.parent is None:
            raise SyscallError(EBUSY, "cannot unmount the root of the mount namespace")
        if mount.children and not detach:
            raise SyscallError(EBUSY, "other file systems are mounted inside it "
                                      "(unmount them first, or use MNT_DETACH)")
        for gone in self.subtree(mount):
            if gone in self.order:
                self.order.remove(gone)
        self._detach(mount)

    def subtree(self, mount: Mount) -> list[Mount]:
        """``mount`` and every mount below it."""
        found = [mount]
        for stack in mount.children.values():
            for child in stack:
                found += self.subtree(child)
        return found

    def visible(self) -> list[Mount]:
        """The mounts reachable from the root, in the order they were made."""
        reachable = set(map(id, self.subtree(self.root_mount)))
        return [m for m in self.order if id(m) in reachable]

    def pivot_root(self, new_root: Location, put_old: Location, caller_root: Location,
                   contexts=()) -> None:
        """``pivot_root(2)``: ``new_root`` (a mount root, not the caller's root mount)
        becomes the namespace's root; the old root mount moves to ``put_old`` (at or
        under ``new_root``).  Every FsContext in ``contexts`` whose root or cwd was the
        old root is moved to ``new_root``."""
        old = caller_root.mount
        if not caller_root.is_mount_root() or old is not self.root_mount:
            raise SyscallError(EINVAL, "the caller's root is not the root mount of its "
                                       "mount namespace")
        if not new_root.is_mount_root():
            raise SyscallError(EINVAL, "new_root must be a mount point (bind-mount it "
                                       "onto itself first: mount --bind DIR DIR)")
        if new_root.mount is old:
            raise SyscallError(EBUSY, "new_root is already the root")
        if not _under(put_old, new_root):
            raise SyscallError(EINVAL, "put_old must be at or underneath new_root")
        if new_root.mount.parent is None:
            raise SyscallError(EINVAL, "new_root is not in this mount namespace")
        new = new_root.mount
        self._detach(new)
        self.root_mount = new
        self._attach(old, put_old)
        for ctx in contexts:
            if ctx.root == caller_root:
                ctx.root = new.root_location()
            if ctx.cwd == caller_root:
                ctx.cwd = new.root_location()

    def copy(self) -> MountNamespace:
        """A new namespace with the same file systems under new mounts (CLONE_NEWNS).
        ``translate`` maps a location of this namespace to the copy."""
        mapping: dict[int, Mount] = {}

        def clone(mount: Mount) -> Mount:
            twin = Mount(mount.fs, mount.root, readonly=mount.readonly, source=mount.source)
            mapping[id(mount)] = twin
            for inode, stack in mount.children.items():
                for child in stack:
                    kid = clone(child)
                    kid.parent = twin
                    kid.mountpoint = Location(twin, child.mountpoint.chain)
                    twin.children.setdefault(inode, []).append(kid)
            return twin

        new = MountNamespace(root_mount=clone(self.root_mount))
        new.order = [mapping[id(m)] for m in self.visible()]
        new.copied_from = (self, mapping)
        return new

    def translate(self, location: Location) -> Location:
        """The same place in this namespace, for a location of the namespace it was
        copied from (how a process's root and cwd follow it into a new namespace)."""
        _, mapping = getattr(self, "copied_from", (None, {}))
        mount = mapping.get(id(location.mount))
        return location if mount is None else Location(mount, location.chain)


def _under(location: Location, top: Location) -> bool:
    """Whether ``location`` is ``top`` or lies beneath it (through mounts)."""
    while True:
        if location == top:
            return True
        if not location.is_mount_root():
            location = location.parent()
        elif location.mount.parent is None:
            return False
        else:
            location = location.mount.mountpoint
