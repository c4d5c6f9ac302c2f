"""The tree a booted kernel starts with: a root file system and the standard mounts.

Like an init system's first steps after the kernel mounted the root (systemd's
``mount-setup.c``, busybox's ``/etc/init.d/rcS``)::

    /                 the root file system (a ramfs, a host directory, an image overlay)
    /dev              devtmpfs: console, tty, null, zero
    /proc             procfs
    /tmp              tmpfs
    /sys/fs/cgroup    cgroup2 (when the kernel has a cgroup tree)

Mount points missing on the root file system are created (on a read-only root they must
exist already, or that mount is left out).
"""

from __future__ import annotations

from ..errno import SyscallError
from . import fstypes
from .devfs import Console, DeviceInode, make_devfs
from .mount import MountNamespace
from .namei import FsContext, lookup
from .ramfs import RamFs

STANDARD_MOUNTS = (("/dev", "devtmpfs"), ("/proc", "proc"), ("/tmp", "tmpfs"),
                   ("/sys/fs/cgroup", "cgroup2"))


def _directory(ctx: FsContext, path: str):
    """The directory ``path``, made (with its parents) if missing and possible."""
    location = ctx.root
    for name in [n for n in path.split("/") if n]:
        try:
            location = location.child(name, location.inode.lookup(name))
        except SyscallError:
            location = location.child(name, location.inode.mkdir(name, 0o755))
    return location


def make_root(kernel=None, console: Console | None = None, root_fs=None, *,
              readonly: bool = False, mounts=STANDARD_MOUNTS) -> MountNamespace:
    """A mount namespace over ``root_fs`` (a new ramfs if None) with ``mounts``."""
    ns = MountNamespace(root_fs if root_fs is not None else RamFs("rootfs"),
                        readonly=readonly)
    ctx = FsContext(ns.root())
    for path, kind in mounts:
        if kind == "cgroup2" and getattr(kernel, "root_cgroup", None) is None:
            continue
        try:
            where = _directory(ctx, path)
        except SyscallError:               # a read-only root without the directory
            continue
        if kind == "devtmpfs":
            fs = make_devfs(console or getattr(kernel, "console", None) or Console())
        else:
            fs = fstypes.make(kind, kernel, None, kind if kind != "proc" else "proc")
        ns.mount(fs, where, source=kind)
    return ns


def init_context(ns: MountNamespace, cwd: str = "/") -> FsContext:
    """The first process's root and working directory in ``ns``."""
    ctx = FsContext(ns.root())
    ctx.cwd = lookup(ctx, ctx.root, cwd)
    return ctx


def register_device(ns: MountNamespace, name: str, major: int, minor: int, opener,
                    perm: int = 0o666) -> None:
    """A driver's public hook: the character device ``/dev/<name>`` in ``ns``.

    Like Linux's ``misc_register`` (drivers/char/misc.c) making a node in devtmpfs:
    ``opener(flags, location)`` makes the device's open file (an OpenFile whose ``read``,
    ``write`` and ``ioctl`` are the driver).  A kernel module (e.g. the dual-mode
    hypervisor's ``/dev/kvm``, vlab/hosted/kvm_module.py) calls this on a booted kernel's
    mount namespace (``kernel.root_ns.mnt``)."""
    dev = lookup(FsContext(ns.root()), ns.root(), "/dev")
    dev.inode.add(name, DeviceInode(dev.inode.fs, major, minor, opener, perm))
