"""The file system types ``mount(2)`` knows, by the name given as its ``filesystemtype``.

Like Linux's ``register_filesystem`` list (``/proc/filesystems``): a name -> a function
that makes a new instance for the calling process.  An unknown name is ENODEV, as in
Linux.  ``bind`` mounts and overlay roots of containers are not made here: a bind
mount reuses the file system of its source, a container's root is an ``OverlayFs``
given to the runtime (``overlayfs.py``).
"""

from __future__ import annotations

from ..errno import ENODEV, SyscallError
from .devfs import Console, make_devfs
from .ramfs import RamFs


def _tmpfs(kernel, proc, source):
    return RamFs(source)


def _devtmpfs(kernel, proc, source):
    return make_devfs(getattr(kernel, "console", None) or Console())


def _proc(kernel, proc, source):
    from .procfs import ProcFs
    return ProcFs(kernel, source)


def _cgroup2(kernel, proc, source):
    from ..cgroup.cgroupfs import CgroupFs
    if getattr(kernel, "root_cgroup", None) is None:
        raise SyscallError(ENODEV, "cgroup2: this kernel has no cgroup tree")
    return CgroupFs.for_kernel(kernel)


def _vlabfs(kernel, proc, source):
    """The platform's block device, formatted with ``blockfs.mkfs``; its DMA bounce
    buffer is a frame of the kernel's allocator."""
    from .blockfs import BlockFs
    machine = getattr(kernel, "machine", None)
    device = getattr(getattr(machine, "platform", None), "block", None)
    frames = getattr(kernel, "frames", None)
    if device is None or frames is None:
        raise SyscallError(ENODEV, "vlabfs: this kernel has no block device")
    return BlockFs(device, frames.alloc(), kernel, source)


TYPES = {"tmpfs": _tmpfs, "ramfs": _tmpfs, "devtmpfs": _devtmpfs, "proc": _proc,
         "cgroup2": _cgroup2, "vlabfs": _vlabfs}


def make(name: str, kernel, proc, source: str = "none"):
    """A new file system of type ``name`` (ENODEV for a type this kernel lacks)."""
    factory = TYPES.get(name)
    if factory is None:
        raise SyscallError(ENODEV, f"unknown file system type {name!r} (known: "
                                   f"{', '.join(sorted(TYPES))})")
    return factory(kernel, proc, source)
