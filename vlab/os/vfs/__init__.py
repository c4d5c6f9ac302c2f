"""The virtual file system: one tree of names over many file system types.

Like Linux's VFS (``fs/``, ``Documentation/filesystems/vfs.rst``), in one file per
concept:

==================  ====================================================================
``inode.py``        the inode protocol every file system implements; ``FileSystem``
``openfile.py``     open files: offset and flags over an inode, directories, the console
``namei.py``        path resolution: ``..``, symbolic links (ELOOP), mounts; FsContext
``mount.py``        mounts, locations (mount, inode), mount namespaces, pivot_root
``open.py``         ``openat``'s rules (O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY, EROFS)
``stat.py``         ``struct statx`` and ``struct stat64``
``constants.py``    the ABI's numbers: modes, O_*, AT_*, F_*, ioctls, poll, MS_*
``ramfs.py``        tmpfs: directories, files and links in memory
``devfs.py``        /dev: console, tty, null, zero
``procfs.py``       /proc: self, <pid>/status|cmdline|comm, meminfo, mounts
``synthetic.py``    files whose reads are generated and whose writes are parsed
``hostfs.py``       a host directory (``vlab run --root``, bind mounts ``-v``)
``overlayfs.py``    an image's layer store (``vlab.os.fs.Overlay``) as a container root
``blockfs.py``      vlabfs on the DMA block device: persistent, crash-consistent
``fstypes.py``      the types ``mount(2)`` can make by name
``rootfs.py``       the tree a booted kernel starts with (/dev, /proc, /tmp, cgroup)
==================  ====================================================================

The descriptor table is ``vlab/os/file.py``, pipes ``vlab/os/pipe.py`` and the system
calls ``vlab/os/sysfile.py``.
"""

from .devfs import Console, make_devfs
from .hostfs import HostFs
from .inode import FileSystem, Inode
from .mount import Location, Mount, MountNamespace
from .namei import FsContext, lookup, lookup_parent, namei
from .open import open_path
from .procfs import ProcFs
from .ramfs import RamFs
from .stat import Stat
from .synthetic import SyntheticFile

__all__ = ["Console", "FileSystem", "FsContext", "HostFs", "Inode", "Location", "Mount",
           "MountNamespace", "ProcFs", "RamFs", "Stat", "SyntheticFile", "lookup",
           "lookup_parent", "make_devfs", "namei", "open_path"]
