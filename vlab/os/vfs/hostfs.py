"""hostfs: a directory of the host machine as a file system.

How ``vlab run --root DIR`` gives a program its files, and how a container's bind
mount ``-v HOST:CTR[:ro]`` shows a host directory inside it (read-only through the
mount's flag, EROFS).  Like User-Mode Linux's hostfs or 9p's passthrough (gVisor's
gofer): every inode is a path under ``root`` and every operation a host call on it.

Escape protection (the rules of ``vlab.os.fs.paths``, kept from the proxy kernel):

* the VFS walks names one component at a time; each is checked with ``lstat`` on the
  host, so the host never follows a symbolic link during a walk.  A host link is shown
  as a link and the VFS follows it *inside the guest's root* (as ``chroot`` and a
  container's bind mounts do), so ``/etc/passwd`` in a link names the guest's file.
  With ``strict_links`` (the proxy kernel's ``--root`` sandbox) a link whose target,
  resolved on the host, leaves ``root`` is refused with EACCES instead, as
  ``vlab.os.fs.paths.host_path`` always did;
* files are opened with ``O_NOFOLLOW | O_NONBLOCK`` and checked with ``fstat`` after the
  open: only regular files and directories are served, a FIFO, device or socket is
  EACCES (a FIFO's open would block the host beyond any instruction budget,
  ``/dev/zero`` would feed it without end);
* bytes written count against a ``WriteQuota`` (``../quota.py``: EDQUOT when used up).

Inodes are kept per path, so a directory is one inode however often it is looked up
(mount points are inodes).  Inode numbers are the host's; owners are shown as root
(uid 0, as a rootless container shows the user's files) and cannot be changed; mode bits
can (``chmod``).  Simplified: a concurrent
change on the host between the ``lstat`` and the use is not guarded against beyond the
``O_NOFOLLOW``/``fstat`` of the final open.
"""

from __future__ import annotations

import os
import stat as host_stat

from ..errno import EACCES, EINVAL, EISDIR, ENOENT, SyscallError, from_oserror
from ..quota import WriteQuota
from .constants import S_IFREG
from .inode import FileSystem, Inode
from .openfile import SEEK_CUR, SEEK_END, SEEK_SET, DirectoryFile, OpenFile
from .stat import Stat

SERVED = (host_stat.S_IFREG, host_stat.S_IFDIR, host_stat.S_IFLNK)


def _host(function, *args):
    try:
        return function(*args)
    except OSError as exc:
        raise SyscallError(from_oserror(exc), f"host: {exc.strerror}") from None


class HostFs(FileSystem):
    fstype = "hostfs"

    def __init__(self, root, quota: WriteQuota | None = None, *, strict_links: bool = False):
        super().__init__(source=os.fspath(root))
        self.strict_links = strict_links
        self.host_root = os.path.realpath(root)
        if not os.path.isdir(self.host_root):
            raise SyscallError(ENOENT, f"hostfs: {os.fspath(root)!r} is not a directory on "
                                       "the host: give an existing host directory")
        self.quota = quota if quota is not None else WriteQuota()
        self.inodes: dict[str, HostInode] = {}
        self.root = self.inode("")

    def host_path(self, rel: str) -> str:
        return os.path.join(self.host_root, rel) if rel else self.host_root

    def inode(self, rel: str) -> HostInode:
        """The inode of ``rel`` (a path under the root, components already checked)."""
        info = _host(os.lstat, self.host_path(rel))
        found = self.inodes.get(rel)
        if found is None or found.host_ino != info.st_ino:
            found = self.inodes[rel] = HostInode(self, rel, info)
        else:
            found.refresh(info)
        return found

    def forget(self, rel: str) -> None:
        for key in [k for k in self.inodes if k == rel or k.startswith(rel + "/")]:
            del self.inodes[key]


def _mode(info) -> int:
    kind = host_stat.S_IFMT(info.st_mode)
    return kind | host_stat.S_IMODE(info.st_mode)


class HostInode(Inode):
    def __init__(self, fs: HostFs, rel: str, info):
        super().__init__(fs, _mode(info), ino=info.st_ino)
        self.rel = rel
        self.host_ino = info.st_ino
        self._size = info.st_size

    def refresh(self, info) -> None:
        self.mode, self._size = _mode(info), info.st_size

    @property
    def host(self) -> str:
        return self.fs.host_path(self.rel)

    def _child(self, name: str) -> str:
        return f"{self.rel}/{name}" if self.rel else name

    @property
    def size(self):
        try:
            return os.lstat(self.host).st_size
        except OSError:
            return self._size

    def stat(self):
        st = super().stat()
        st.size = self.size
        return st

    # -- directories
    def lookup(self, name):
        self._need_dir(name)
        if "/" in name or name in (".", ".."):
            raise SyscallError(EINVAL, f"bad name {name!r}")
        return self.fs.inode(self._child(name))

    def readdir(self):
        self._need_dir("")
        out = []
        for name in sorted(_host(os.listdir, self.host)):
            try:
                out.append((name, self.lookup(name)))
            except SyscallError:            # vanished meanwhile
                continue
        return out

    def create(self, name, mode):
        self._need_dir(name)
        path = os.path.join(self.host, name)
        fd = _host(os.open, path, os.O_CREAT | os.O_EXCL | os.O_WRONLY | os.O_NOFOLLOW
                   | os.O_NONBLOCK, mode & 0o777)
        os.close(fd)
        return self.lookup(name)

    def mkdir(self, name, mode):
        self._need_dir(name)
        _host(os.mkdir, os.path.join(self.host, name), mode & 0o777)
        return self.lookup(name)

    def symlink(self, name, target):
        self._need_dir(name)
        _host(os.symlink, target, os.path.join(self.host, name))
        return self.lookup(name)

    def unlink(self, name):
        child = self.lookup(name)
        if child.is_dir():
            raise SyscallError(EISDIR, f"{name!r} is a directory (use rmdir)")
        _host(os.unlink, child.host)
        self.fs.forget(child.rel)

    def rmdir(self, name):
        child = self.lookup(name)
        _host(os.rmdir, child.host)
        self.fs.forget(child.rel)

    def rename(self, name, new_dir, new_name):
        child = self.lookup(name)
        if not isinstance(new_dir, HostInode) or new_dir.fs is not self.fs:
            raise SyscallError(EINVAL, "rename target is not in the same host directory")
        _host(os.rename, child.host, os.path.join(new_dir.host, new_name))
        self.fs.forget(child.rel)
        self.fs.forget(new_dir._child(new_name))

    def chmod(self, perm):
        if self.is_symlink():
            return super().chmod(perm)
        _host(os.chmod, self.host, perm & 0o7777)

    # -- symbolic links
    def readlink(self):
        if not self.is_symlink():
            return super().readlink()
        target = _host(os.readlink, self.host)
        if not self.fs.strict_links:
            return target
        resolved = os.path.realpath(self.host)
        root = self.fs.host_root
        if resolved != root and not resolved.startswith(root.rstrip(os.sep) + os.sep):
            raise SyscallError(EACCES, f"symbolic link {self.rel!r} leaves the host "
                                       f"directory {root!r} (it resolves to {resolved!r})")
        return target

    # -- data
    def truncate(self, size):
        if self.is_dir():
            return super().truncate(size)
        fd = self._open_host(os.O_WRONLY)
        try:
            _host(os.ftruncate, fd, size)
        finally:
            os.close(fd)

    def _open_host(self, host_flags: int) -> int:
        fd = _host(os.open, self.host, host_flags | os.O_NOFOLLOW | os.O_NONBLOCK
                   | getattr(os, "O_NOCTTY", 0))
        kind = host_stat.S_IFMT(_host(os.fstat, fd).st_mode)
        if kind not in (host_stat.S_IFREG, host_stat.S_IFDIR):
            os.close(fd)
            raise SyscallError(EACCES, f"{self.rel!r}: a special file (FIFO, device or "
                                       "socket); hostfs serves regular files and "
                                       "directories only")
        os.set_blocking(fd, True)
        return fd

    def open(self, flags, location=None):
        if self.is_dir():
            return DirectoryFile(self, flags, location)
        if self.kind not in SERVED:
            raise SyscallError(EACCES, f"{self.rel!r}: a special file (FIFO, device or "
                                       "socket); hostfs serves regular files and "
                                       "directories only")
        access = {0: os.O_RDONLY, 1: os.O_WRONLY, 2: os.O_RDWR}[flags & 3]
        append = os.O_APPEND if flags & 0o2000 else 0
        return HostFile(self._open_host(access | append), self, flags, location)


class HostFile(OpenFile):
    """An open host file: the host descriptor keeps the offset; writes use the quota."""

    def __init__(self, fd: int, inode: HostInode, flags: int, location=None):
        super().__init__(flags, location)
        self.fd, self.inode = fd, inode
        self.quota = inode.fs.quota

    def read(self, count):
        self.need_readable()
        return _host(os.read, self.fd, count)

    def pread(self, offset, count):
        self.need_readable()
        return _host(os.pread, self.fd, count, offset)

    def _write(self, data, writer) -> int:
        self.need_writable()
        allowed = self.quota.grant(len(data))
        written = writer(bytes(data[:allowed]))
        self.quota.charge(written)
        return written

    def write(self, data):
        return self._write(data, lambda d: _host(os.write, self.fd, d))

    def pwrite(self, offset, data):
        return self._write(data, lambda d: _host(os.pwrite, self.fd, d, offset))

    def seek(self, offset, whence):
        if whence not in (SEEK_SET, SEEK_CUR, SEEK_END):
            raise SyscallError(EINVAL, f"bad whence {whence}")
        return _host(os.lseek, self.fd, offset, whence)

    def truncate(self, size):
        self.need_writable()
        _host(os.ftruncate, self.fd, size)

    def stat(self):
        info = _host(os.fstat, self.fd)
        return Stat(mode=S_IFREG | host_stat.S_IMODE(info.st_mode), ino=info.st_ino,
                    size=info.st_size, dev=self.inode.fs.dev,
                    mnt_id=self.location.mount.id if self.location is not None else 0)

    def close(self):
        os.close(self.fd)

