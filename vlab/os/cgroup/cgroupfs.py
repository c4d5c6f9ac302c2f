"""cgroupfs: the cgroup tree as a file system (``mount -t cgroup2 none /sys/fs/cgroup``).

Like Linux's cgroup2 file system (kernel/cgroup/cgroup.c over fs/kernfs/): each cgroup
is a directory, each interface file (``files.py``) a file in it.  ``mkdir`` creates a
child cgroup, ``rmdir`` removes one (EBUSY while it has processes or children; the
interface files do not make it "non-empty"), reading a file formats the cgroup's state
and writing one parses the text and applies it.  Interface files cannot be created or
removed (EPERM); a read-only one cannot be opened for writing (EACCES, as
``kernfs_fop_open`` refuses).

The files are the VFS's synthetic files (``../vfs/synthetic.py``): a read that starts
at offset 0 formats the text (as seq_file does), so a reader that reads in small pieces
sees one consistent text.  Each ``write`` call is one operation on the text it carries,
at most one page (kernfs caps a write at PAGE_SIZE); a write the file refuses fails with
the controller's errno and nothing changes.

The files need to know who reads and writes, and when: ``files.Access`` asks the
kernel for the current process (a pid written to cgroup.procs is looked up in the
writer's PID namespace, 0 meaning the writer), for the pid to show a reader (0 for a
process its PID namespace cannot see, as ``task_pid_vnr``), for the guest time
(cpu.stat) and to send SIGKILL (cgroup.kill).

A *delegated* mount (``CgroupFs(cg, access, delegated=True)``, what a container gets:
Linux's cgroup namespace with the ``nsdelegate`` mount option) shows the subtree of
``cg`` as its whole tree.  Inside it, the files of that root that set the container's
own limits refuse writes (EPERM) except the delegatable ``cgroup.procs`` and
``cgroup.subtree_control``, and a process can be moved only between cgroups of the
subtree (ENOENT otherwise): the container can organize itself below its cgroup but not
raise its own limits or pull processes in from outside.

Simplified: no file-modified notifications (poll/inotify on cgroup.events), no
delegation by file ownership (the files belong to root; permission checks are the
VFS's); a delegated view is chosen by whoever mounts it (the kernel's CLONE_NEWCGROUP
would fix it at unshare time).
"""

from __future__ import annotations

from ..errno import EACCES, EINVAL, ENODEV, ENOTDIR, EPERM, SyscallError
from ..vfs.constants import O_ACCMODE, O_RDONLY, O_RDWR, S_IFDIR
from ..vfs.inode import FileSystem, Inode
from ..vfs.synthetic import SyntheticFile
from .files import Access, file_names, spec_for

PAGE_SIZE = 4096
DELEGATABLE = ("cgroup.procs", "cgroup.subtree_control")   # /sys/kernel/cgroup/delegate


class CgroupFs(FileSystem):
    """A cgroup2 mount: directories over the tree rooted at ``cgroup_root``."""

    fstype = "cgroup2"

    def __init__(self, cgroup_root, access: Access | None = None, source: str = "cgroup2",
                 *, delegated: bool = False):
        super().__init__(source)
        self.cgroup_root = cgroup_root
        self.delegated = delegated
        access = access or Access()
        self.access = access.viewed_from(cgroup_root) if delegated else access
        self._dirs: dict[int, CgroupDir] = {}        # id(cgroup) -> its inode (stable ino)
        self._files: dict[tuple[int, str], CgroupFileInode] = {}
        self.root = self.dir_for(cgroup_root)

    @classmethod
    def for_kernel(cls, kernel, view=None) -> CgroupFs:
        """The cgroupfs of ``kernel``'s cgroup tree (``kernel.root_cgroup``); with
        ``view`` (a cgroup: a container's) the delegated view of its subtree."""
        if view is not None and view is not kernel.root_cgroup:
            return cls(view, Access.for_kernel(kernel), delegated=True)
        return cls(kernel.root_cgroup, Access.for_kernel(kernel))

    def dir_for(self, cgroup) -> CgroupDir:
        """The directory inode of ``cgroup`` (the same one each time: a stable ino)."""
        inode = self._dirs.get(id(cgroup))
        if inode is None or inode.cgroup is not cgroup:
            self._forget_removed()
            inode = self._dirs[id(cgroup)] = CgroupDir(self, cgroup)
        return inode

    def file_for(self, cgroup, name: str) -> CgroupFileInode:
        key = (id(cgroup), name)
        inode = self._files.get(key)
        if inode is None or inode.cgroup is not cgroup:
            inode = self._files[key] = CgroupFileInode(self, cgroup, name)
        return inode

    def _forget_removed(self) -> None:
        """Drop the inodes of cgroups removed since (by this mount, another or the
        kernel), so a mkdir/rmdir loop does not grow the caches."""
        for key in [key for key, inode in self._dirs.items() if inode.cgroup.removed]:
            del self._dirs[key]
        for key in [key for key, inode in self._files.items() if inode.cgroup.removed]:
            del self._files[key]


class CgroupDir(Inode):
    """A cgroup as a directory: its interface files, then its child cgroups."""

    def __init__(self, fs: CgroupFs, cgroup):
        super().__init__(fs, S_IFDIR | 0o755)
        self.cgroup = cgroup

    def lookup(self, name: str) -> Inode:
        child = self.cgroup.children.get(name)
        if child is not None:
            return self.fs.dir_for(child)
        if spec_for(self.cgroup, name) is not None:
            return self.fs.file_for(self.cgroup, name)
        return super().lookup(name)                   # ENOENT

    def readdir(self):
        files = [(name, self.fs.file_for(self.cgroup, name))
                 for name in file_names(self.cgroup)]
        dirs = [(name, self.fs.dir_for(child))
                for name, child in self.cgroup.children.items()]
        return files + dirs

    def mkdir(self, name: str, mode: int) -> Inode:
        return self.fs.dir_for(self.cgroup.create(name))

    def rmdir(self, name: str) -> None:
        child = self.cgroup.children.get(name)
        if child is None:
            if spec_for(self.cgroup, name) is not None:
                raise SyscallError(ENOTDIR, f"{name!r} is an interface file, not a cgroup")
            self.lookup(name)                         # ENOENT
        child.remove()
        self.fs._forget_removed()


class CgroupFileInode(SyntheticFile):
    """One interface file of one cgroup: a synthetic file (``../vfs/synthetic.py``)
    whose text is the controller's reader and whose writes go to its writer."""

    def __init__(self, fs: CgroupFs, cgroup, name: str):
        self.cgroup, self.name = cgroup, name
        spec = spec_for(cgroup, name)
        super().__init__(fs, self.render_text,
                         self.apply if spec.write is not None else None, spec.mode)

    def spec(self):
        """The file's row, or ENODEV if the file is gone (cgroup removed, controller
        disabled) -- an open descriptor outlives it, as in kernfs."""
        spec = None if self.cgroup.removed else spec_for(self.cgroup, self.name)
        if spec is None:
            raise SyscallError(ENODEV, f"{self.cgroup.path}/{self.name} no longer exists")
        return spec

    def render_text(self, reader=None) -> bytes:
        """The file's text for ``reader`` (default: the current process)."""
        spec = self.spec()
        if spec.read is None:
            raise SyscallError(EACCES, f"{self.name} is write-only")
        reader = reader if reader is not None else self.fs.access.current()
        return spec.read(self.cgroup, self.fs.access, reader).encode()

    def apply(self, data: bytes, writer=None) -> int:
        """One write: parse and apply ``data`` (at most one page); the count taken."""
        spec = self.spec()
        if spec.write is None:
            raise SyscallError(EACCES, f"{self.name} is read-only")
        if (self.fs.delegated and self.cgroup is self.fs.cgroup_root
                and self.name not in DELEGATABLE):
            raise SyscallError(EPERM, f"{self.name} of the delegated root sets this "
                               "container's own limits; it is written from outside")
        data = bytes(data[:PAGE_SIZE])
        try:
            text = data.decode("ascii")
        except UnicodeDecodeError:
            raise SyscallError(EINVAL, f"{self.name}: the value must be ASCII text") from None
        writer = writer if writer is not None else self.fs.access.current()
        spec.write(self.cgroup, self.fs.access, text, writer)
        return len(data)

    def write_at(self, offset: int, data: bytes) -> int:
        return self.apply(data)

    def open(self, flags: int, location=None):
        """Refuses what the file cannot do at open, as ``kernfs_fop_open`` (EACCES)."""
        spec = self.spec()
        if flags & O_ACCMODE in (O_RDONLY, O_RDWR) and spec.read is None:
            raise SyscallError(EACCES, f"{self.cgroup.path}/{self.name} is write-only")
        return super().open(flags, location)
