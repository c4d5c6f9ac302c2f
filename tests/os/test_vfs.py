"""The VFS through its system calls: path walk (.., symlinks, ELOOP, the Linux errors),
mounts (crossing, read-only, bind, umount, pivot_root, namespaces), ramfs and devfs."""
from __future__ import annotations

import struct
from types import SimpleNamespace

import pytest

from vlab.host.platform import Platform
from vlab.os import errno as E
from vlab.os.file import FdTable
from vlab.os.sysfile import CALLS
from vlab.os.vfs.constants import (
    AT_FDCWD,
    AT_REMOVEDIR,
    AT_SYMLINK_NOFOLLOW,
    MNT_DETACH,
    MS_BIND,
    MS_RDONLY,
    MS_REMOUNT,
    O_CREAT,
    O_DIRECTORY,
    O_EXCL,
    O_NOFOLLOW,
    O_RDWR,
    O_TRUNC,
    O_WRONLY,
    S_IFCHR,
    S_IFDIR,
    S_IFLNK,
    S_IFMT,
    S_IFREG,
)
from vlab.os.vfs.devfs import Console
from vlab.os.vfs.rootfs import init_context, make_root
from vlab.os.vm import FlatSpace

RAM = 0x8000_0000
USER = RAM + (4 << 20)
CWD = AT_FDCWD & 0xFFFF_FFFF


class Kernel:
    def __init__(self):
        self.processes, self.current, self.time = {}, None, 0

    def now_ns(self):
        return self.time


class Proc:
    """Just what the file calls use of a process."""

    def __init__(self, kernel, mnt, pid=1, console=None):
        self.kernel, self.pid = kernel, pid
        self.space = FlatSpace(Platform(ram_size=8 << 20).bus)
        self.files = FdTable()
        self.fs = init_context(mnt)
        self.ns = SimpleNamespace(mnt=mnt, pid=None)
        self.umask, self.creds, self.restart_deadline = 0o022, None, None
        self.next = USER + 0x10_0000
        kernel.processes[pid] = self
        kernel.current = self

    def put(self, data) -> int:
        """Copy ``data`` (str: a C string) into user memory; its address."""
        raw = data.encode() + b"\0" if isinstance(data, str) else bytes(data)
        address, self.next = self.next, self.next + ((len(raw) + 15) & ~15) + 16
        self.space.write(address, raw)
        return address

    def buffer(self, size: int) -> int:
        return self.put(bytes(size))


def world(console=None):
    kernel = Kernel()
    mnt = make_root(kernel, console or Console())
    return kernel, Proc(kernel, mnt)


def sys(proc, name, *args):
    """A system call as the kernel makes it: the result, or -errno."""
    args = [a & 0xFFFF_FFFF if isinstance(a, int) else a for a in args]
    try:
        return CALLS[name](proc.kernel, proc, *args, *[0] * (6 - len(args)))
    except E.SyscallError as error:
        return -error.errno


def openat(proc, path, flags=0, mode=0o644, dirfd=AT_FDCWD):
    return sys(proc, "openat", dirfd, proc.put(path), flags, mode)


def mkdir(proc, path, mode=0o755):
    return sys(proc, "mkdirat", AT_FDCWD, proc.put(path), mode)


def write_file(proc, path, data: bytes):
    fd = openat(proc, path, O_WRONLY | O_CREAT | O_TRUNC)
    assert fd >= 0, (path, fd)
    assert sys(proc, "write", fd, proc.put(data), len(data)) == len(data)
    sys(proc, "close", fd)


def read_file(proc, path, size=4096):
    fd = openat(proc, path)
    if fd < 0:
        return fd
    buf = proc.buffer(size)
    n = sys(proc, "read", fd, buf, size)
    sys(proc, "close", fd)
    return proc.space.read(buf, n)


def stat(proc, path, flags=0):
    buf = proc.buffer(256)
    result = sys(proc, "statx", AT_FDCWD, proc.put(path), flags, 0x7FF, buf)
    if result < 0:
        return result
    raw = proc.space.read(buf, 256)
    mode, = struct.unpack_from("<H", raw, 0x1C)
    ino, size = struct.unpack_from("<QQ", raw, 0x20)
    return SimpleNamespace(mode=mode, ino=ino, size=size, kind=mode & S_IFMT)


def getcwd(proc):
    buf = proc.buffer(256)
    n = sys(proc, "getcwd", buf, 256)
    return proc.space.read(buf, n - 1).decode() if n > 0 else n


# -- ramfs and the path walk ---------------------------------------------------------------

def test_create_write_read_and_stat_a_file():
    _, p = world()
    assert mkdir(p, "/home") == 0
    write_file(p, "/home/notes", b"hello vfs")
    assert read_file(p, "/home/notes") == b"hello vfs"
    st = stat(p, "/home/notes")
    assert st.kind == S_IFREG and st.size == 9 and st.mode & 0o777 == 0o644   # umask 022
    assert stat(p, "/home").kind == S_IFDIR


def test_dotdot_at_the_root_stays_at_the_root():
    _, p = world()
    write_file(p, "/top", b"x")
    assert read_file(p, "/../../../top") == b"x"
    assert read_file(p, "../../top") == b"x"
    assert sys(p, "chdir", p.put("/..")) == 0 and getcwd(p) == "/"


def test_chroot_cannot_be_climbed_out_of():
    _, p = world()
    assert mkdir(p, "/jail") == 0
    write_file(p, "/secret", b"s")
    write_file(p, "/jail/inside", b"i")
    assert sys(p, "chroot", p.put("/jail")) == 0
    assert read_file(p, "/inside") == b"i"
    assert read_file(p, "/../secret") == -E.ENOENT
    assert sys(p, "chdir", p.put("/")) == 0
    assert read_file(p, "../../secret") == -E.ENOENT


def test_relative_paths_start_at_cwd_or_at_dirfd():
    _, p = world()
    mkdir(p, "/a")
    mkdir(p, "/a/b")
    write_file(p, "/a/b/f", b"deep")
    assert sys(p, "chdir", p.put("/a")) == 0
    assert read_file(p, "b/f") == b"deep"
    assert getcwd(p) == "/a"
    dirfd = openat(p, "/a/b", O_DIRECTORY)
    fd = openat(p, "f", dirfd=dirfd)
    assert fd >= 0
    assert openat(p, "f", dirfd=999) == -E.EBADF
    file_fd = openat(p, "/a/b/f")
    assert openat(p, "x", dirfd=file_fd) == -E.ENOTDIR
    assert sys(p, "fchdir", dirfd) == 0 and getcwd(p) == "/a/b"


def test_linux_errors_of_the_walk():
    _, p = world()
    write_file(p, "/file", b"")
    mkdir(p, "/dir")
    assert openat(p, "/missing") == -E.ENOENT
    assert openat(p, "/file/x") == -E.ENOTDIR
    assert openat(p, "/file/") == -E.ENOTDIR
    assert openat(p, "/dir", O_WRONLY) == -E.EISDIR
    assert openat(p, "/file", O_DIRECTORY) == -E.ENOTDIR
    assert openat(p, "/file", O_CREAT | O_EXCL) == -E.EEXIST
    assert openat(p, "/new/", O_CREAT | O_WRONLY) == -E.EISDIR
    assert openat(p, "") == -E.ENOENT
    assert openat(p, "/" + "n" * 256) == -E.ENAMETOOLONG
    assert openat(p, "/a" * 2100) == -E.ENAMETOOLONG
    assert mkdir(p, "/dir") == -E.EEXIST
    assert mkdir(p, "/") == -E.EEXIST
    assert mkdir(p, "/nowhere/x") == -E.ENOENT


def test_symlinks_are_followed_and_loops_are_eloop():
    _, p = world()
    mkdir(p, "/real")
    write_file(p, "/real/f", b"target")
    assert sys(p, "symlinkat", p.put("/real"), AT_FDCWD, p.put("/abs")) == 0
    assert sys(p, "symlinkat", p.put("real/f"), AT_FDCWD, p.put("/rel")) == 0
    assert read_file(p, "/abs/f") == b"target"
    assert read_file(p, "/rel") == b"target"
    assert stat(p, "/rel", AT_SYMLINK_NOFOLLOW).kind == S_IFLNK
    assert openat(p, "/rel", O_NOFOLLOW) == -E.ELOOP
    sys(p, "symlinkat", p.put("/loop2"), AT_FDCWD, p.put("/loop1"))
    sys(p, "symlinkat", p.put("/loop1"), AT_FDCWD, p.put("/loop2"))
    assert openat(p, "/loop1") == -E.ELOOP
    sys(p, "symlinkat", p.put("self/x"), AT_FDCWD, p.put("/self"))
    assert openat(p, "/self") == -E.ELOOP
    buf = p.buffer(64)
    assert sys(p, "readlinkat", AT_FDCWD, p.put("/rel"), buf, 64) == 6
    assert p.space.read(buf, 6) == b"real/f"
    assert sys(p, "readlinkat", AT_FDCWD, p.put("/real/f"), buf, 64) == -E.EINVAL


def test_a_chain_of_forty_links_resolves_and_forty_one_is_eloop():
    _, p = world()
    write_file(p, "/end", b"ok")
    previous = "/end"
    for i in range(41):
        sys(p, "symlinkat", p.put(previous), AT_FDCWD, p.put(f"/l{i}"))
        previous = f"/l{i}"
    assert read_file(p, "/l39") == b"ok"               # 40 links
    assert read_file(p, "/l40") == -E.ELOOP            # 41


def test_a_symlink_out_of_a_chroot_lands_inside_it():
    _, p = world()
    mkdir(p, "/jail")
    write_file(p, "/secret", b"host")
    sys(p, "symlinkat", p.put("/secret"), AT_FDCWD, p.put("/jail/esc"))
    sys(p, "symlinkat", p.put("../../../secret"), AT_FDCWD, p.put("/jail/esc2"))
    assert sys(p, "chroot", p.put("/jail")) == 0
    assert read_file(p, "/esc") == -E.ENOENT
    assert read_file(p, "/esc2") == -E.ENOENT


def test_unlink_rmdir_and_rename():
    _, p = world()
    mkdir(p, "/d")
    write_file(p, "/d/f", b"1")
    assert sys(p, "unlinkat", AT_FDCWD, p.put("/d"), AT_REMOVEDIR) == -E.ENOTEMPTY
    assert sys(p, "unlinkat", AT_FDCWD, p.put("/d"), 0) == -E.EISDIR
    assert sys(p, "unlinkat", AT_FDCWD, p.put("/d/f"), AT_REMOVEDIR) == -E.ENOTDIR
    assert sys(p, "renameat2", AT_FDCWD, p.put("/d/f"), AT_FDCWD, p.put("/g"), 0) == 0
    assert read_file(p, "/g") == b"1" and read_file(p, "/d/f") == -E.ENOENT
    write_file(p, "/h", b"2")
    assert sys(p, "renameat2", AT_FDCWD, p.put("/h"), AT_FDCWD, p.put("/g"), 1) == -E.EEXIST
    assert sys(p, "renameat2", AT_FDCWD, p.put("/d"), AT_FDCWD, p.put("/d/x"), 0) == -E.EINVAL
    assert sys(p, "unlinkat", AT_FDCWD, p.put("/d"), AT_REMOVEDIR) == 0
    assert stat(p, "/d") == -E.ENOENT
    assert sys(p, "renameat2", AT_FDCWD, p.put("/g"), AT_FDCWD, p.put("/tmp/g"), 0) == -E.EXDEV
    assert sys(p, "linkat", AT_FDCWD, p.put("/g"), AT_FDCWD, p.put("/g2"), 0) == -E.EPERM


def test_an_unlinked_open_file_keeps_its_data():
    _, p = world()
    write_file(p, "/tmp/t", b"still here")
    fd = openat(p, "/tmp/t")
    assert sys(p, "unlinkat", AT_FDCWD, p.put("/tmp/t"), 0) == 0
    buf = p.buffer(16)
    assert sys(p, "read", fd, buf, 16) == 10


def test_tmpfs_size_limit_is_enospc():
    kernel, p = world()
    from vlab.os.vfs.ramfs import RamFs
    mkdir(p, "/small")
    where = p.fs.cwd.child("small", p.fs.root.inode.lookup("small"))
    p.ns.mnt.mount(RamFs(max_bytes=100), where)
    fd = openat(p, "/small/f", O_WRONLY | O_CREAT)
    data = p.put(b"x" * 150)
    assert sys(p, "write", fd, data, 150) == -E.ENOSPC
    assert sys(p, "write", fd, data, 100) == 100


# -- devfs ---------------------------------------------------------------------------------

def test_dev_null_zero_and_console():
    import io
    out, inp = io.BytesIO(), io.BytesIO(b"typed")
    _, p = world(Console(inp, out))
    assert read_file(p, "/dev/null") == b""
    assert read_file(p, "/dev/zero", 100) == bytes(100)
    fd = openat(p, "/dev/null", O_WRONLY)
    assert sys(p, "write", fd, p.put(b"gone"), 4) == 4
    fd = openat(p, "/dev/console", O_RDWR)
    assert sys(p, "write", fd, p.put(b"hi\n"), 3) == 3 and out.getvalue() == b"hi\n"
    buf = p.buffer(16)
    assert sys(p, "read", fd, buf, 16) == 5 and p.space.read(buf, 5) == b"typed"
    assert stat(p, "/dev/console").kind == S_IFCHR
    winsize = p.buffer(8)
    assert sys(p, "ioctl", fd, 0x5413, winsize) == 0
    assert struct.unpack("<4H", p.space.read(winsize, 8))[:2] == (24, 80)
    null = openat(p, "/dev/null")
    assert sys(p, "ioctl", null, 0x5413, winsize) == -E.ENOTTY


def test_a_huge_read_of_dev_zero_is_bounded_by_the_buffer():
    _, p = world()
    fd = openat(p, "/dev/zero")
    top = RAM + (8 << 20)
    assert sys(p, "read", fd, top - 5000, 0x7FFF_FFFF) == 5000


# -- mounts --------------------------------------------------------------------------------

def mount(p, source, target, fstype, flags=0):
    return sys(p, "mount", p.put(source) if source else 0, p.put(target),
               p.put(fstype) if fstype else 0, flags, 0)


def test_mount_tmpfs_hides_the_directory_and_umount_shows_it_again():
    _, p = world()
    mkdir(p, "/mnt")
    write_file(p, "/mnt/under", b"u")
    assert mount(p, "none", "/mnt", "tmpfs") == 0
    assert read_file(p, "/mnt/under") == -E.ENOENT
    write_file(p, "/mnt/over", b"o")
    assert sys(p, "chdir", p.put("/mnt")) == 0
    assert read_file(p, "../mnt/over") == b"o"           # .. crosses back out of the mount
    assert getcwd(p) == "/mnt"
    assert sys(p, "chdir", p.put("/")) == 0
    assert sys(p, "umount2", p.put("/mnt"), 0) == 0
    assert read_file(p, "/mnt/under") == b"u"
    assert sys(p, "umount2", p.put("/mnt"), 0) == -E.EINVAL       # not a mount point
    assert mount(p, "none", "/mnt", "nosuchfs") == -E.ENODEV


def test_read_only_bind_mount_is_erofs_but_the_original_is_writable():
    _, p = world()
    mkdir(p, "/data")
    write_file(p, "/data/f", b"orig")
    mkdir(p, "/view")
    assert mount(p, "/data", "/view", None, MS_BIND | MS_RDONLY) == 0
    assert read_file(p, "/view/f") == b"orig"
    assert openat(p, "/view/f", O_WRONLY) == -E.EROFS
    assert openat(p, "/view/new", O_WRONLY | O_CREAT) == -E.EROFS
    assert mkdir(p, "/view/d") == -E.EROFS
    assert sys(p, "unlinkat", AT_FDCWD, p.put("/view/f"), 0) == -E.EROFS
    assert sys(p, "symlinkat", p.put("x"), AT_FDCWD, p.put("/view/l")) == -E.EROFS
    assert sys(p, "faccessat", AT_FDCWD, p.put("/view/f"), 2, 0) == -E.EROFS
    write_file(p, "/data/f", b"changed")                      # the same file below
    assert read_file(p, "/view/f") == b"changed"
    assert mount(p, None, "/view", None, MS_REMOUNT | MS_BIND) == 0      # now rw
    write_file(p, "/view/f", b"via view")
    assert read_file(p, "/data/f") == b"via view"


def test_umount_with_mounts_inside_is_ebusy_unless_detached():
    _, p = world()
    mkdir(p, "/m")
    mount(p, "none", "/m", "tmpfs")
    mkdir(p, "/m/inner")
    mount(p, "none", "/m/inner", "tmpfs")
    assert sys(p, "umount2", p.put("/m"), 0) == -E.EBUSY
    assert sys(p, "umount2", p.put("/m"), MNT_DETACH) == 0
    assert stat(p, "/m/inner") == -E.ENOENT
    assert sys(p, "umount2", p.put("/"), 0) == -E.EBUSY


def test_mount_needs_root():
    _, p = world()
    p.creds = SimpleNamespace(euid=1000, egid=1000)
    mkdir(p, "/m")
    assert mount(p, "none", "/m", "tmpfs") == -E.EPERM
    assert sys(p, "chroot", p.put("/m")) == -E.EPERM


def test_pivot_root_into_a_new_root_and_detach_the_old_one():
    _, p = world()
    mkdir(p, "/newroot")
    assert mount(p, "none", "/newroot", "tmpfs") == 0
    mkdir(p, "/newroot/old")
    write_file(p, "/newroot/hello", b"new world")
    write_file(p, "/hostfile", b"host")
    assert sys(p, "pivot_root", p.put("/newroot"), p.put("/newroot/old")) == 0
    assert read_file(p, "/hello") == b"new world"
    assert read_file(p, "/old/hostfile") == b"host"
    assert sys(p, "umount2", p.put("/old"), MNT_DETACH) == 0
    assert read_file(p, "/old/hostfile") == -E.ENOENT
    assert read_file(p, "/../../hostfile") == -E.ENOENT
    assert getcwd(p) == "/"


def test_pivot_root_dot_dot_trick():
    _, p = world()
    mkdir(p, "/c")
    mount(p, "none", "/c", "tmpfs")
    write_file(p, "/c/inside", b"c")
    assert sys(p, "chdir", p.put("/c")) == 0
    assert sys(p, "pivot_root", p.put("."), p.put(".")) == 0
    assert sys(p, "umount2", p.put("."), MNT_DETACH) == 0
    assert read_file(p, "/inside") == b"c"
    assert stat(p, "/dev/null") == -E.ENOENT               # the old root is gone


def test_pivot_root_errors():
    _, p = world()
    mkdir(p, "/plain")
    assert sys(p, "pivot_root", p.put("/plain"), p.put("/plain")) == -E.EINVAL  # not a mount
    mkdir(p, "/nr")
    mount(p, "none", "/nr", "tmpfs")
    mkdir(p, "/elsewhere")
    assert sys(p, "pivot_root", p.put("/nr"), p.put("/elsewhere")) == -E.EINVAL


def test_a_copied_mount_namespace_is_independent():
    kernel, p = world()
    mkdir(p, "/shared")
    child_ns = p.ns.mnt.copy()
    child = Proc(kernel, child_ns, pid=2)
    child.fs = p.fs.copy()
    child.fs.rebind(child_ns)
    assert mount(child, "none", "/shared", "tmpfs") == 0
    write_file(child, "/shared/only-child", b"c")
    assert stat(p, "/shared/only-child") == -E.ENOENT       # the parent sees no mount
    write_file(p, "/tmp/from-parent", b"p")                 # same tmpfs, both see it
    assert read_file(child, "/tmp/from-parent") == b"p"
    assert sys(child, "umount2", child.put("/tmp"), 0) == 0
    assert read_file(p, "/tmp/from-parent") == b"p"


@pytest.mark.parametrize("name", ["mount", "umount2", "pivot_root", "chroot", "chdir",
                                  "statx", "openat", "getcwd", "readlinkat", "getdents64"])
def test_bad_pointers_are_efault(name):
    _, p = world()
    args = {"mount": (0x10, 0x10, 0x10, 0, 0), "umount2": (0x10, 0), "pivot_root": (0x10, 0x10),
            "chroot": (0x10,), "chdir": (0x10,), "statx": (AT_FDCWD, 0x10, 0, 0, 0),
            "openat": (AT_FDCWD, 0x10, 0, 0), "getcwd": (0x10, 100),
            "readlinkat": (AT_FDCWD, 0x10, 0x10, 10),
            "getdents64": (openat(p, "/", O_DIRECTORY), 0x10, 4096)}[name]
    assert sys(p, name, *args) == -E.EFAULT


def test_console_sets_are_accepted_and_a_terminal_gives_what_was_typed():
    import io

    class Terminal(io.BytesIO):
        def isatty(self):
            return True

        def read(self, size=-1):                 # a tty's read(n) would wait for n bytes
            raise AssertionError("the console must not wait for a full buffer")

    _, p = world(Console(Terminal(b"ls\n"), io.BytesIO()))
    fd = openat(p, "/dev/console", O_RDWR)
    assert sys(p, "ioctl", fd, 0x5402, p.buffer(36)) == 0          # TCSETS: accepted
    buf = p.buffer(1024)
    assert sys(p, "read", fd, buf, 1024) == 3 and p.space.read(buf, 3) == b"ls\n"


def test_new_files_belong_to_their_creator():
    _, p = world()
    p.creds = SimpleNamespace(euid=1000, egid=100)
    mkdir(p, "/tmp/d")
    write_file(p, "/tmp/d/f", b"")
    buf = p.buffer(256)
    for path in ("/tmp/d", "/tmp/d/f"):
        assert sys(p, "statx", AT_FDCWD, p.put(path), 0, 0x7FF, buf) == 0
        assert struct.unpack_from("<II", p.space.read(buf, 256), 0x14) == (1000, 100)


def test_a_container_cannot_mount_the_host_disk():
    _, p = world()
    p.ns.pid = SimpleNamespace(parent=object())           # a child PID namespace
    mkdir(p, "/mnt")
    assert mount(p, "/dev/vda", "/mnt", "vlabfs") == -E.EPERM
    assert mount(p, "none", "/mnt", "tmpfs") == 0         # its own tmpfs is fine


def test_hostile_ways_around_a_read_only_bind_mount():
    _, p = world()
    mkdir(p, "/outer")
    mkdir(p, "/outer/data")
    write_file(p, "/outer/data/f", b"protected")
    write_file(p, "/outer/beside", b"not exported")
    mkdir(p, "/view")
    assert mount(p, "/outer/data", "/view", None, MS_BIND | MS_RDONLY) == 0
    # a link in a writable place that points into the read-only mount
    assert sys(p, "symlinkat", p.put("/view/f"), AT_FDCWD, p.put("/tmp/l")) == 0
    assert openat(p, "/tmp/l", O_WRONLY) == -E.EROFS
    assert openat(p, "/tmp/l", O_WRONLY | O_CREAT) == -E.EROFS
    # .. from the bind mount's root goes to where it is mounted, not the source's parent
    assert read_file(p, "/view/../beside") == -E.ENOENT
    assert read_file(p, "/view/../outer/beside") == b"not exported"
    # moving the file out of the mount, or over it, is refused
    assert sys(p, "renameat2", AT_FDCWD, p.put("/view/f"), AT_FDCWD, p.put("/tmp/f"),
               0) == -E.EXDEV
    assert sys(p, "renameat2", AT_FDCWD, p.put("/view/f"), AT_FDCWD, p.put("/view/g"),
               0) == -E.EROFS
    # truncating through a descriptor opened elsewhere is refused by the mount it came from
    fd = openat(p, "/view/f")
    assert sys(p, "ftruncate64", fd, 0, 0) == -E.EINVAL
    assert read_file(p, "/outer/data/f") == b"protected"
    # a process jailed in the mount sees nothing beside it and still cannot write
    assert sys(p, "chroot", p.put("/view")) == 0
    assert read_file(p, "/../beside") == -E.ENOENT
    assert openat(p, "/f", O_RDWR) == -E.EROFS
