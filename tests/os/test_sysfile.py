"""The file system calls' ABI: struct layouts (statx, linux_dirent64, iovec), 64-bit
offsets in register pairs, descriptors (dup, dup3, fcntl, CLOEXEC), and random calls
with hostile arguments that must always come back as a number."""
from __future__ import annotations

import random
import struct

from test_vfs import AT_FDCWD, RAM, getcwd, mkdir, openat, read_file, sys, world, write_file

from vlab.os import errno as E
from vlab.os.sysfile import CALLS
from vlab.os.vfs.constants import (
    F_DUPFD,
    F_DUPFD_CLOEXEC,
    F_GETFD,
    F_SETFD,
    O_APPEND,
    O_CLOEXEC,
    O_CREAT,
    O_DIRECTORY,
    O_RDWR,
    O_TRUNC,
    O_WRONLY,
)
from vlab.os.waitq import Blocked


def dirents(raw: bytes):
    """(ino, off, type, name) of each linux_dirent64 in ``raw``."""
    out, at = [], 0
    while at < len(raw):
        ino, off, reclen, kind = struct.unpack_from("<QqHB", raw, at)
        assert reclen % 8 == 0 and reclen >= 20
        name = raw[at + 19:at + reclen].split(b"\0")[0].decode()
        out.append((ino, off, kind, name))
        at += reclen
    return out


def test_getdents64_layout_order_and_small_buffers():
    _, p = world()
    mkdir(p, "/d")
    for name in ("a", "bb", "c" * 30):
        write_file(p, f"/d/{name}", b"")
    mkdir(p, "/d/sub")
    fd = openat(p, "/d", O_DIRECTORY)
    buf = p.buffer(4096)
    n = sys(p, "getdents64", fd, buf, 4096)
    entries = dirents(p.space.read(buf, n))
    assert [e[3] for e in entries] == [".", "..", "a", "bb", "c" * 30, "sub"]
    assert [e[2] for e in entries] == [4, 4, 8, 8, 8, 4]           # DT_DIR, DT_REG
    assert sys(p, "getdents64", fd, buf, 4096) == 0                 # the end
    fd = openat(p, "/d", O_DIRECTORY)
    assert sys(p, "getdents64", fd, buf, 10) == -E.EINVAL          # not even one fits
    seen = []
    while (n := sys(p, "getdents64", fd, buf, 48)) > 0:            # two small ones a time
        seen += [e[3] for e in dirents(p.space.read(buf, n))]
    assert n == -E.EINVAL and seen == [".", "..", "a", "bb"]        # 56 bytes do not fit
    n = sys(p, "getdents64", fd, buf, 64)                           # the rest continues
    assert [e[3] for e in dirents(p.space.read(buf, n))] == ["c" * 30]
    file_fd = openat(p, "/d/a")
    assert sys(p, "getdents64", file_fd, buf, 4096) == -E.ENOTDIR


def test_statx_layout():
    _, p = world()
    write_file(p, "/f", b"x" * 1000)
    buf = p.buffer(256)
    assert sys(p, "statx", AT_FDCWD, p.put("/f"), 0, 0x7FF, buf) == 0
    raw = p.space.read(buf, 256)
    mask, blksize = struct.unpack_from("<II", raw, 0)
    nlink, uid, gid, mode = struct.unpack_from("<IIIH", raw, 0x10)
    ino, size, blocks = struct.unpack_from("<QQQ", raw, 0x20)
    assert mask == 0x7FF and blksize == 4096 and nlink == 1 and (uid, gid) == (0, 0)
    assert mode == 0o100644 and size == 1000 and blocks == 2 and ino > 0
    fd = openat(p, "/f")
    assert sys(p, "statx", fd, p.put(""), 0x1000, 0x7FF, buf) == 0    # fstat: AT_EMPTY_PATH
    assert struct.unpack_from("<Q", p.space.read(buf, 256), 0x28)[0] == 1000
    dev_major, dev_minor = struct.unpack_from("<II", p.space.read(buf, 256), 0x88)
    assert (dev_major << 8 | dev_minor) > 0


def test_offsets_llseek_pread_pwrite_append_truncate():
    _, p = world()
    fd = openat(p, "/f", O_RDWR | O_CREAT)
    assert sys(p, "write", fd, p.put(b"0123456789"), 10) == 10
    result = p.buffer(8)
    assert sys(p, "_llseek", fd, 0, 4, result, 0) == 0                 # SEEK_SET 4
    assert struct.unpack("<q", p.space.read(result, 8))[0] == 4
    buf = p.buffer(16)
    assert sys(p, "read", fd, buf, 3) == 3 and p.space.read(buf, 3) == b"456"
    assert sys(p, "_llseek", fd, 0xFFFF_FFFF, 0xFFFF_FFFE, result, 2) == 0   # END - 2
    assert struct.unpack("<q", p.space.read(result, 8))[0] == 8
    assert sys(p, "_llseek", fd, 0xFFFF_FFFF, 0xFFFF_FF00, result, 0) == -E.EINVAL
    assert sys(p, "_llseek", fd, 0, 0, 0x10, 0) == -E.EFAULT
    assert sys(p, "pread64", fd, buf, 4, 2, 0) == 4 and p.space.read(buf, 4) == b"2345"
    assert sys(p, "pwrite64", fd, p.put(b"AB"), 2, 0, 0) == 2
    assert read_file(p, "/f") == b"AB23456789"
    assert sys(p, "pread64", fd, buf, 4, 0, 0x8000_0000) == -E.EINVAL   # negative offset
    assert sys(p, "ftruncate64", fd, 4, 0) == 0
    assert read_file(p, "/f") == b"AB23"
    app = openat(p, "/f", O_WRONLY | O_APPEND)
    assert sys(p, "write", app, p.put(b"!"), 1) == 1
    assert read_file(p, "/f") == b"AB23!"
    assert openat(p, "/f", O_WRONLY | O_TRUNC) >= 0 and read_file(p, "/f") == b""
    pipe_fds = p.buffer(8)
    sys(p, "pipe2", pipe_fds, 0)
    r, _ = struct.unpack("<ii", p.space.read(pipe_fds, 8))
    assert sys(p, "_llseek", r, 0, 0, result, 0) == -E.ESPIPE
    assert sys(p, "pread64", r, buf, 1, 0, 0) == -E.ESPIPE


def test_readv_and_writev_use_struct_iovec():
    _, p = world()
    fd = openat(p, "/v", O_RDWR | O_CREAT)
    a, b = p.put(b"hello "), p.put(b"world")
    iov = p.put(struct.pack("<IIII", a, 6, b, 5))
    assert sys(p, "writev", fd, iov, 2) == 11
    assert read_file(p, "/v") == b"hello world"
    x, y = p.buffer(4), p.buffer(16)
    sys(p, "_llseek", fd, 0, 0, p.buffer(8), 0)
    iov = p.put(struct.pack("<IIII", x, 4, y, 16))
    assert sys(p, "readv", fd, iov, 2) == 11
    assert p.space.read(x, 4) == b"hell" and p.space.read(y, 7) == b"o world"
    assert sys(p, "writev", fd, iov, 1025) == -E.EINVAL
    assert sys(p, "writev", fd, 0x10, 2) == -E.EFAULT
    bad = p.put(struct.pack("<IIII", a, 6, 0x10, 5))
    assert sys(p, "writev", fd, bad, 2) == 6                           # up to the fault


def test_dup_dup3_fcntl_and_cloexec():
    _, p = world()
    fd = openat(p, "/dev/null", O_WRONLY | O_CLOEXEC)
    assert fd == 0 and sys(p, "fcntl64", fd, F_GETFD, 0) == 1
    assert sys(p, "dup", fd) == 1 and sys(p, "fcntl64", 1, F_GETFD, 0) == 0
    assert sys(p, "fcntl64", fd, F_DUPFD, 10) == 10
    assert sys(p, "fcntl64", fd, F_DUPFD_CLOEXEC, 10) == 11
    assert sys(p, "fcntl64", 11, F_GETFD, 0) == 1
    assert sys(p, "fcntl64", 11, F_SETFD, 0) == 0 and sys(p, "fcntl64", 11, F_GETFD, 0) == 0
    assert sys(p, "dup3", fd, 5, O_CLOEXEC) == 5 and 5 in p.files.cloexec
    assert sys(p, "dup3", fd, fd, 0) == -E.EINVAL
    assert sys(p, "dup3", fd, 5000, 0) == -E.EBADF
    assert sys(p, "dup3", 77, 5, 0) == -E.EBADF
    assert sys(p, "fcntl64", fd, 999, 0) == -E.EINVAL
    shared = p.files.get(fd)
    assert shared.refs == 5                                            # 0, 1, 10, 11, 5
    p.files.exec_close()
    assert sorted(p.files.files) == [1, 10, 11] and shared.refs == 3
    assert sys(p, "close", 99) == -E.EBADF


def test_descriptor_limit_is_emfile():
    _, p = world()
    p.files.limit = 8
    fds = [openat(p, "/dev/null") for _ in range(8)]
    assert fds == list(range(8)) and openat(p, "/dev/null") == -E.EMFILE
    sys(p, "close", 3)
    assert openat(p, "/dev/null") == 3                                 # the lowest free


def test_getcwd_too_small_is_erange():
    _, p = world()
    mkdir(p, "/a-long-directory-name")
    sys(p, "chdir", p.put("/a-long-directory-name"))
    assert getcwd(p) == "/a-long-directory-name"
    assert sys(p, "getcwd", p.buffer(8), 8) == -E.ERANGE


def test_read_and_write_check_the_access_mode():
    _, p = world()
    write_file(p, "/f", b"data")
    ro = openat(p, "/f")
    wo = openat(p, "/f", O_WRONLY)
    assert sys(p, "write", ro, p.put(b"x"), 1) == -E.EBADF
    assert sys(p, "read", wo, p.buffer(4), 4) == -E.EBADF
    assert sys(p, "read", ro, 0x10, 4) == -E.EFAULT
    assert sys(p, "read", ro, RAM + (8 << 20) - 2, 0x7FFF_FFFF) == 2


EXTREMES = [0, 1, 3, 0x7F, 0x1000, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0xFFFF_FF9C]


def test_random_file_calls_return_numbers():
    """Every handler in CALLS, random hostile arguments: a number or Blocked, never a
    Python exception."""
    _, p = world()
    names = [p.put(n) for n in ("/", "/tmp", "/dev/zero", "/proc/self", "..", "/x/y/",
                                b"\xff\xfe\0", "a" * 300, "/tmp/new")]
    write_file(p, "/tmp/file", b"content")
    rng = random.Random(9)
    for _ in range(3000):
        name = rng.choice(sorted(CALLS))
        args = [rng.choice(EXTREMES + names + [rng.randrange(1 << 32), p.next - 64])
                for _ in range(6)]
        if rng.random() < 0.5:
            args[0] = rng.randrange(6)                   # a descriptor that may be open
        try:
            result = sys(p, name, *args)
        except Blocked:
            continue
        assert isinstance(result, int), (name, args)
        if len(p.files.files) > 200:
            p.files.close_all()


def test_chmod_chown_utimensat_truncate_and_statfs():
    _, p = world()
    write_file(p, "/f", b"0123456789")
    assert sys(p, "fchmodat", AT_FDCWD, p.put("/f"), 0o600) == 0
    from test_vfs import stat
    assert stat(p, "/f").mode == 0o100600
    fd = openat(p, "/f")
    assert sys(p, "fchmod", fd, 0o4755) == 0 and stat(p, "/f").mode == 0o104755
    assert sys(p, "fchownat", AT_FDCWD, p.put("/f"), 7, 8, 0) == 0
    assert p.fs.root.inode.lookup("f").uid == 7
    assert sys(p, "fchmodat", AT_FDCWD, p.put("/proc/meminfo"), 0o777) == -E.EPERM
    assert sys(p, "utimensat_time64", AT_FDCWD, p.put("/f"), 0, 0) == 0     # touch
    assert sys(p, "utimensat_time64", AT_FDCWD, p.put("/nope"), 0, 0) == -E.ENOENT
    assert sys(p, "utimensat_time64", fd, 0, 0, 0) == 0                     # futimens
    bad = p.put(struct.pack("<qqqq", 0, 2_000_000_000, 0, 0))
    assert sys(p, "utimensat_time64", AT_FDCWD, p.put("/f"), bad, 0) == -E.EINVAL
    assert sys(p, "truncate64", p.put("/f"), 4, 0) == 0 and read_file(p, "/f") == b"0123"
    assert sys(p, "truncate64", p.put("/"), 4, 0) == -E.EISDIR
    buf = p.buffer(88)
    assert sys(p, "statfs64", p.put("/proc"), 88, buf) == 0
    assert struct.unpack_from("<I", p.space.read(buf, 4))[0] == 0x9FA0
    assert sys(p, "fstatfs64", fd, 88, buf) == 0
    kind, bsize, blocks = struct.unpack_from("<IIQ", p.space.read(buf, 16))
    assert kind == 0x01021994 and bsize == 4096 and blocks == (64 << 20) // 4096
    assert sys(p, "statfs64", p.put("/"), 12, buf) == -E.EINVAL
    p.creds = type("C", (), {"euid": 5})()
    assert sys(p, "fchownat", AT_FDCWD, p.put("/f"), 0, 0, 0) == -E.EPERM
