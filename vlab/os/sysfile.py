"""File system calls: the VFS as the RV32 Linux system call ABI.

Like Linux's ``fs/read_write.c``, ``fs/open.c``, ``fs/namei.c``, ``fs/stat.c``,
``fs/readdir.c``, ``fs/namespace.c`` (and xv6's ``kernel/sysfile.c``): each handler
checks its arguments, works on the calling process's descriptor table (``proc.files``,
``file.py``) and root/cwd (``proc.fs``, ``vfs/namei.py``), and copies data in or out of
its address space (``proc.space``: EFAULT on an address the process may not use, the
kernel's ``copy_from_user``/``copy_to_user``).  Handlers are
``sys_x(kernel, proc, a0, ..., a5)``; ``CALLS`` maps the names of ``unistd.py`` to them.

``read`` and ``write`` move data in chunks of ``RW_CHUNK`` bytes, so a call costs the host
memory for one chunk whatever count the guest asks for, and ``count`` is capped at
``MAX_RW_COUNT`` as Linux caps it.  ``read`` checks the user buffer first
(``writable_prefix``) and never pulls more input than the buffer can take: a bad buffer
is EFAULT with the input left unread.  A fault (or a full pipe) part-way returns the
bytes moved so far; a call that must wait before moving anything raises ``Blocked``
(``waitq.py``) and is restarted.

RV32 has no 32-bit-offset calls: ``_llseek`` takes the offset in two registers and
stores the 64-bit result; ``pread64``/``pwrite64``/``ftruncate64`` take a 64-bit offset
as (low, high) register pairs; ``statx`` serves ``stat``, ``fstat`` and ``lstat``
(musl's ``fstatat``).  The proxy kernel's older calls (``lseek`` and ``fstat`` with a
``struct stat64``, numbers 62 and 80 of riscv-pk) stay as ``sys_lseek``/``sys_fstat``.
"""

from __future__ import annotations

import struct

from .errno import (
    EBADF,
    EBUSY,
    EEXIST,
    EFAULT,
    EINVAL,
    EISDIR,
    ENAMETOOLONG,
    ENOTDIR,
    ENOTEMPTY,
    EPERM,
    ERANGE,
    EXDEV,
    SyscallError,
)
from .pipe import make_pipe
from .vfs import fstypes
from .vfs.constants import (
    AT_EMPTY_PATH,
    AT_FDCWD,
    AT_REMOVEDIR,
    AT_SYMLINK_NOFOLLOW,
    F_DUPFD,
    F_DUPFD_CLOEXEC,
    F_GETFD,
    F_GETFL,
    F_SETFD,
    F_SETFL,
    FD_CLOEXEC,
    MNT_DETACH,
    MS_BIND,
    MS_RDONLY,
    MS_REMOUNT,
    O_CLOEXEC,
    O_NONBLOCK,
    POLLNVAL,
    RENAME_EXCHANGE,
    RENAME_NOREPLACE,
    STATUS_FLAGS,
    W_OK,
)
from .vfs.namei import lookup, lookup_parent, start_location
from .vfs.open import open_path, refuse_readonly
from .vfs.stat import pack_stat64, pack_statx
from .waitq import Blocked, WaitQueue

PATH_MAX = 4096
RW_CHUNK = 64 << 10              # bytes moved per step of a read or write
MAX_RW_COUNT = 0x7FFF_F000       # Linux: INT_MAX rounded down to a page
IOV_MAX = 1024                   # uio.h: iovecs per readv/writev
IOVEC = struct.Struct("<II")     # struct iovec on rv32: void *iov_base; size_t iov_len
POLLFD = struct.Struct("<ihh")   # struct pollfd: int fd; short events, revents
TIMESPEC64 = struct.Struct("<qq")  # struct __kernel_timespec
DIRENT_HEAD = struct.Struct("<QqHB")  # linux_dirent64: ino, off, reclen, type, name[]
MAX_POLL_FDS = 1024              # RLIMIT_NOFILE: more is EINVAL


def signed(value: int) -> int:
    """A 32-bit register value as a C ``int`` (dirfd AT_FDCWD = -100, lseek offsets)."""
    return (value ^ 0x8000_0000) - 0x8000_0000


def pair(low: int, high: int) -> int:
    """A 64-bit argument passed in two registers (low word first), as a signed loff_t."""
    value = (high & 0xFFFF_FFFF) << 32 | (low & 0xFFFF_FFFF)
    return value - (1 << 64) if value >> 63 else value


def read_cstring(space, address: int, limit: int = PATH_MAX) -> str:
    """A NUL-terminated string from user memory (xv6's ``copyinstr``), byte by byte so a
    string ending just before an unmapped page is read without a fault.  Bytes that are
    not UTF-8 survive as surrogates (``os.fsdecode``'s rule)."""
    data = bytearray()
    while len(data) < limit:
        chunk = space.read(address + len(data), 1)
        if chunk == b"\0":
            return data.decode("utf-8", errors="surrogateescape")
        data += chunk
    raise SyscallError(ENAMETOOLONG, "path longer than PATH_MAX")


def fs_of(proc):
    """The process's FsContext; a proxy-kernel process (``kernel.spawn`` with a
    ``FileTable``) gets a confined one over its sandbox the first time."""
    if getattr(proc, "fs", None) is None:
        proc.fs = proc.files.context(getattr(proc, "cwd", "/"))
    return proc.fs


def mnt_ns_of(proc):
    ns = getattr(proc, "ns", None)
    if ns is not None and getattr(ns, "mnt", None) is not None:
        return ns.mnt
    return proc.files.mnt_ns


def _start(proc, dirfd: int, path: str):
    fs_of(proc)
    return start_location(proc, signed(dirfd), path)


def _path(proc, address: int) -> str:
    if address == 0:
        raise SyscallError(EFAULT, "NULL path")
    return read_cstring(proc.space, address)


def resolve(proc, dirfd: int, address: int, follow: bool = True):
    """The location a (dirfd, path pointer) pair names."""
    path = _path(proc, address)
    return lookup(fs_of(proc), _start(proc, dirfd, path), path, follow)


def resolve_parent(proc, dirfd: int, address: int):
    path = _path(proc, address)
    return lookup_parent(fs_of(proc), _start(proc, dirfd, path), path)


def own(inode, proc) -> None:
    """A new file belongs to its creator's effective uid and gid (Linux's fsuid/fsgid);
    a file system with fixed owners (hostfs, procfs) keeps its own."""
    creds = getattr(proc, "creds", None)
    if creds is None or (creds.euid, creds.egid) == (inode.uid, inode.gid):
        return
    try:
        inode.chown(creds.euid, creds.egid)
    except SyscallError:
        pass


DEVICE_TYPES = ("vlabfs",)          # file systems on the host's block device


def _may_mount_device(proc, kind: str) -> None:
    """Only the host (the root PID namespace) mounts the disk: a container has no
    CAP_SYS_ADMIN, as Docker's default capability set leaves it out (modeled by the
    PID namespace: a container's processes live in a child one)."""
    pid_ns = getattr(getattr(proc, "ns", None), "pid", None)
    if kind in DEVICE_TYPES and getattr(pid_ns, "parent", None) is not None:
        raise SyscallError(EPERM, f"mounting {kind} (the host's disk) is not allowed "
                                  "inside a container")


def _need_admin(proc, what: str) -> None:
    """CAP_SYS_ADMIN, modeled as effective uid 0 (in its user namespace)."""
    creds = getattr(proc, "creds", None)
    euid = creds.euid if creds is not None else getattr(proc, "uid", 0)
    if euid != 0:
        raise SyscallError(EPERM, f"{what} needs CAP_SYS_ADMIN (effective uid 0)")


# -- reading and writing -------------------------------------------------------------

def _read_into(proc, file, buf: int, count: int) -> int:
    count = min(count, MAX_RW_COUNT)
    room = proc.space.writable_prefix(buf, count)
    if count and not room:
        raise SyscallError(EFAULT, f"read buffer {buf:#x} is not writable by the program")
    done = 0
    while done < room:
        wanted = min(RW_CHUNK, room - done)
        try:
            data = file.read(wanted)
        except (Blocked, SyscallError):
            if done:                        # got some already: return them
                return done
            raise
        proc.space.write(buf + done, data)
        done += len(data)
        if len(data) < wanted:              # end of file, or all a stream has now
            break
    return done


def _write_from(proc, file, buf: int, count: int) -> int:
    count = min(count, MAX_RW_COUNT)
    done = 0
    while done < count:
        wanted = min(RW_CHUNK, count - done)
        try:
            data = proc.space.read(buf + done, wanted)
            written = file.write(data)
        except (Blocked, SyscallError):
            if done:                        # a fault, a full pipe, the quota part-way
                return done
            raise
        done += written
        if written < wanted:
            break
    return done


def sys_read(kernel, proc, fd, buf, count, *_):
    file = proc.files.get(fd)
    file.need_readable()                    # EBADF comes before EFAULT
    return _read_into(proc, file, buf, count)


def sys_write(kernel, proc, fd, buf, count, *_):
    file = proc.files.get(fd)
    file.need_writable()
    return _write_from(proc, file, buf, count)


def _iovecs(proc, iov: int, iovcnt: int) -> list[tuple[int, int]]:
    if iovcnt > IOV_MAX:
        raise SyscallError(EINVAL, f"{iovcnt} iovecs, more than IOV_MAX = {IOV_MAX}")
    raw = proc.space.read(iov, IOVEC.size * iovcnt) if iovcnt else b""
    vectors = [IOVEC.unpack_from(raw, i * IOVEC.size) for i in range(iovcnt)]
    if sum(length for _, length in vectors) > 0x7FFF_FFFF:
        raise SyscallError(EINVAL, "the iovec lengths add up past SSIZE_MAX")
    return vectors


def _vectored(proc, file, vectors, move) -> int:
    done = 0
    for base, length in vectors:
        try:
            moved = move(proc, file, base, length)
        except (Blocked, SyscallError):
            if done:
                return done
            raise
        done += moved
        if moved < length:
            break
    return done


def sys_readv(kernel, proc, fd, iov, iovcnt, *_):
    file = proc.files.get(fd)
    file.need_readable()
    return _vectored(proc, file, _iovecs(proc, iov, iovcnt), _read_into)


def sys_writev(kernel, proc, fd, iov, iovcnt, *_):
    file = proc.files.get(fd)
    file.need_writable()
    return _vectored(proc, file, _iovecs(proc, iov, iovcnt), _write_from)


def _offset(low, high) -> int:
    offset = pair(low, high)
    if offset < 0:
        raise SyscallError(EINVAL, f"negative file offset {offset}")
    return offset


def sys_pread64(kernel, proc, fd, buf, count, low, high, *_):
    file = proc.files.get(fd)
    file.need_readable()
    offset = _offset(low, high)
    count = min(count, MAX_RW_COUNT, RW_CHUNK * 16)
    room = proc.space.writable_prefix(buf, count)
    if count and not room:
        raise SyscallError(EFAULT, f"read buffer {buf:#x} is not writable by the program")
    data = file.pread(offset, min(room, RW_CHUNK))
    proc.space.write(buf, data)
    return len(data)


def sys_pwrite64(kernel, proc, fd, buf, count, low, high, *_):
    file = proc.files.get(fd)
    file.need_writable()
    offset = _offset(low, high)
    data = proc.space.read(buf, min(count, RW_CHUNK))
    return file.pwrite(offset, data)


def sys__llseek(kernel, proc, fd, high, low, result, whence, *_):
    """``_llseek(fd, offset_high, offset_low, loff_t *result, whence)``: 0, and the new
    offset stored at ``result``."""
    file = proc.files.get(fd)
    if proc.space.writable_prefix(result, 8) < 8:
        raise SyscallError(EFAULT, f"_llseek result {result:#x} is not writable")
    offset = file.seek(pair(low, high), whence)
    proc.space.write(result, struct.pack("<q", offset))
    return 0


def sys_lseek(kernel, proc, fd, offset, whence, *_):
    """The proxy kernel's 32-bit lseek (riscv-pk's number 62)."""
    return proc.files.get(fd).seek(signed(offset), whence)


def sys_ftruncate64(kernel, proc, fd, low, high, *_):
    file = proc.files.get(fd)
    if not file.writable:
        raise SyscallError(EINVAL, "ftruncate: the descriptor is not open for writing")
    size = pair(low, high)
    if size < 0:
        raise SyscallError(EINVAL, f"negative size {size}")
    if file.location is not None:
        refuse_readonly(file.location, "ftruncate")
    file.truncate(size)
    return 0


def _sync_fs(fs) -> None:
    sync = getattr(fs, "sync", None)
    if sync is not None:
        sync()


def sys_fsync(kernel, proc, fd, *_):
    """A disk file system (blockfs) writes its checkpoint; the others keep nothing
    unwritten (ramfs, hostfs: the host's own cache): a no-op there."""
    file = proc.files.get(fd)
    if file.location is not None:
        _sync_fs(file.location.mount.fs)
    return 0


# -- opening and closing ---------------------------------------------------------------

def sys_openat(kernel, proc, dirfd, path, flags, mode, *_):
    name = _path(proc, path)
    file = open_path(fs_of(proc), _start(proc, dirfd, name), name, flags, mode,
                     getattr(proc, "umask", 0), owner=lambda inode: own(inode, proc))
    file.hold()                              # the install takes its own reference
    try:
        return proc.files.install(file, cloexec=bool(flags & O_CLOEXEC))
    finally:
        file.drop()


def sys_close(kernel, proc, fd, *_):
    proc.files.close(fd)
    return 0


def sys_dup(kernel, proc, fd, *_):
    return proc.files.dup(fd)


def sys_dup3(kernel, proc, old, new, flags, *_):
    if flags & ~O_CLOEXEC:
        raise SyscallError(EINVAL, f"dup3 flags {flags:#o}: only O_CLOEXEC")
    return proc.files.dup3(old, signed(new), bool(flags & O_CLOEXEC))


def sys_fcntl64(kernel, proc, fd, cmd, arg, *_):
    files = proc.files
    file = files.get(fd)
    if cmd in (F_DUPFD, F_DUPFD_CLOEXEC):
        lowest = signed(arg)
        if not 0 <= lowest < files.limit:
            raise SyscallError(EINVAL, f"F_DUPFD from {lowest}: out of range")
        return files.dup(fd, lowest, cmd == F_DUPFD_CLOEXEC)
    if cmd == F_GETFD:
        return FD_CLOEXEC if fd in files.cloexec else 0
    if cmd == F_SETFD:
        (files.cloexec.add if arg & FD_CLOEXEC else files.cloexec.discard)(fd)
        return 0
    if cmd == F_GETFL:
        return file.flags
    if cmd == F_SETFL:
        file.flags = (file.flags & ~STATUS_FLAGS) | (arg & STATUS_FLAGS)
        return 0
    raise SyscallError(EINVAL, f"fcntl command {cmd} is not supported")


def sys_pipe2(kernel, proc, fds, flags, *_):
    if flags & ~(O_CLOEXEC | O_NONBLOCK):
        raise SyscallError(EINVAL, f"pipe2 flags {flags:#o}")
    if proc.space.writable_prefix(fds, 8) < 8:
        raise SyscallError(EFAULT, f"pipe2: {fds:#x} cannot hold two descriptors")
    reader, writer = make_pipe(flags)
    cloexec = bool(flags & O_CLOEXEC)
    rfd = proc.files.install(reader, cloexec)
    try:
        wfd = proc.files.install(writer, cloexec)
    except SyscallError:
        proc.files.close(rfd)
        raise
    proc.space.write(fds, struct.pack("<ii", rfd, wfd))
    return 0


def sys_ioctl(kernel, proc, fd, request, arg, *_):
    reply = proc.files.get(fd).ioctl(request, arg)
    if isinstance(reply, bytes):
        proc.space.write(arg, reply)
        return 0
    return reply


# -- information about files -------------------------------------------------------------

def _stat_of(proc, dirfd, path_address, flags):
    if flags & AT_EMPTY_PATH and (not path_address or _path(proc, path_address) == ""):
        if signed(dirfd) == AT_FDCWD:
            return fs_of(proc).cwd.inode.stat()
        return proc.files.get(dirfd).stat()
    location = resolve(proc, dirfd, path_address, follow=not flags & AT_SYMLINK_NOFOLLOW)
    st = location.inode.stat()
    st.mnt_id = location.mount.id
    return st


def sys_statx(kernel, proc, dirfd, path, flags, mask, buf, *_):
    st = _stat_of(proc, dirfd, path, flags)
    proc.space.write(buf, pack_statx(st))
    return 0


def sys_fstat(kernel, proc, fd, statbuf, *_):
    """The proxy kernel's fstat (riscv-pk's number 80): a ``struct stat64``."""
    proc.space.write(statbuf, pack_stat64(proc.files.get(fd).stat()))
    return 0


def sys_getdents64(kernel, proc, fd, dirp, count, *_):
    """As many ``struct linux_dirent64`` as fit in ``count`` bytes (0 at the end; EINVAL
    if not even the next one fits)."""
    file = proc.files.get(fd)
    entries = file.getdents()
    out = bytearray()
    used = 0
    for ino, kind, name in entries:
        raw = name.encode("utf-8", "surrogateescape") + b"\0"
        reclen = (DIRENT_HEAD.size + len(raw) + 7) & ~7
        if len(out) + reclen > count:
            break
        used += 1
        position = getattr(file, "position", 0) + used
        out += DIRENT_HEAD.pack(ino, position, reclen, kind) + raw.ljust(
            reclen - DIRENT_HEAD.size, b"\0")
    if entries and not used:
        raise SyscallError(EINVAL, f"getdents64: a buffer of {count} bytes cannot hold "
                                   "the next entry")
    if out and proc.space.writable_prefix(dirp, len(out)) < len(out):
        raise SyscallError(EFAULT, f"getdents64 buffer {dirp:#x} is not writable")
    proc.space.write(dirp, bytes(out))
    if used:
        file.advance(used)
    return len(out)


def sys_readlinkat(kernel, proc, dirfd, path, buf, size, *_):
    if signed(size) <= 0:
        raise SyscallError(EINVAL, "readlink buffer size must be positive")
    location = resolve(proc, dirfd, path, follow=False)
    target = location.inode.readlink().encode("utf-8", "surrogateescape")[:size]
    proc.space.write(buf, target)
    return len(target)


def sys_faccessat(kernel, proc, dirfd, path, mode, flags=0, *_):
    """Exists?  (Permission bits are not modeled: root may.)  W_OK on a read-only
    mount is EROFS."""
    if mode & ~7:
        raise SyscallError(EINVAL, f"access mode {mode:#o}")
    location = resolve(proc, dirfd, path, follow=not flags & AT_SYMLINK_NOFOLLOW)
    if mode & W_OK and not location.inode.kind == 0o020000:
        refuse_readonly(location, "access(W_OK)")
    return 0


def sys_faccessat2(kernel, proc, dirfd, path, mode, flags, *_):
    return sys_faccessat(kernel, proc, dirfd, path, mode, flags)


# -- attributes: mode, owner, times, size, file system ------------------------------------

STATFS64 = struct.Struct("<IIQQQQQiiIII16x")   # struct statfs64 (asm-generic/statfs.h)
STATFS_MAGIC = {"tmpfs": 0x01021994, "devtmpfs": 0x01021994, "proc": 0x9FA0,
                "cgroup2": 0x63677270, "overlay": 0x794C7630, "hostfs": 0x00C0FFEE}
UTIME_NOW, UTIME_OMIT = (1 << 30) - 1, (1 << 30) - 2


def _target(proc, dirfd, path, flags=0):
    """A location from (dirfd, path), or the descriptor itself for a NULL/empty path
    with AT_EMPTY_PATH (or NULL, as utimensat allows)."""
    if not path or (flags & AT_EMPTY_PATH and _path(proc, path) == ""):
        location = proc.files.get(dirfd).location if signed(dirfd) != AT_FDCWD \
            else fs_of(proc).cwd
        if location is None:
            raise SyscallError(EBADF, "the descriptor has no file behind it")
        return location
    return resolve(proc, dirfd, path, follow=not flags & AT_SYMLINK_NOFOLLOW)


def sys_fchmodat(kernel, proc, dirfd, path, mode, *_):
    location = resolve(proc, dirfd, path)
    refuse_readonly(location, "chmod")
    location.inode.chmod(mode)
    return 0


def sys_fchmod(kernel, proc, fd, mode, *_):
    location = _target(proc, fd, 0)
    refuse_readonly(location, "chmod")
    location.inode.chmod(mode)
    return 0


def sys_fchownat(kernel, proc, dirfd, path, uid, gid, flags, *_):
    _need_admin(proc, "chown")
    location = _target(proc, dirfd, path, flags)
    refuse_readonly(location, "chown")
    location.inode.chown(uid, gid)
    return 0


def sys_fchown(kernel, proc, fd, uid, gid, *_):
    return sys_fchownat(kernel, proc, fd, 0, uid, gid, AT_EMPTY_PATH)


def sys_utimensat_time64(kernel, proc, dirfd, path, times, flags, *_):
    """File times are not modeled (all zero): the call checks its arguments and that
    the file exists and may be changed, as ``touch`` needs."""
    if times:
        raw = proc.space.read(times, 2 * TIMESPEC64.size)
        for i in range(2):
            _, nanos = TIMESPEC64.unpack_from(raw, i * TIMESPEC64.size)
            if not (0 <= nanos < 1_000_000_000 or nanos in (UTIME_NOW, UTIME_OMIT)):
                raise SyscallError(EINVAL, f"utimensat: bad nanoseconds {nanos}")
    location = _target(proc, dirfd, path, flags | AT_EMPTY_PATH * (not path))
    refuse_readonly(location, "utimensat")
    return 0


def sys_truncate64(kernel, proc, path, low, high, *_):
    size = pair(low, high)
    if size < 0:
        raise SyscallError(EINVAL, f"negative size {size}")
    location = resolve(proc, AT_FDCWD & 0xFFFF_FFFF, path)
    if location.inode.is_dir():
        raise SyscallError(EISDIR, "truncate: a directory")
    refuse_readonly(location, "truncate")
    location.inode.truncate(size)
    return 0


def _statfs(proc, location, size, buf) -> int:
    if size not in (84, 88):
        raise SyscallError(EINVAL, f"statfs64: struct size {size}, expected 88")
    fs = location.mount.fs
    magic = STATFS_MAGIC.get(fs.fstype, 0x858458F6)          # RAMFS_MAGIC otherwise
    limit = getattr(fs, "max_bytes", 0) // 4096
    free = max(0, limit - getattr(fs, "used_bytes", 0) // 4096)
    flags = 1 if location.mount.readonly else 0              # ST_RDONLY
    raw = STATFS64.pack(magic, 4096, limit, free, free, 0, 0, fs.dev, 0, 255, 4096, flags)
    proc.space.write(buf, raw.ljust(size, b"\0"))
    return 0


def sys_statfs64(kernel, proc, path, size, buf, *_):
    return _statfs(proc, resolve(proc, AT_FDCWD & 0xFFFF_FFFF, path), size, buf)


def sys_fstatfs64(kernel, proc, fd, size, buf, *_):
    return _statfs(proc, _target(proc, fd, 0), size, buf)


def sys_sync(kernel, proc, *_):
    """Every disk file system mounted in the caller's namespace writes its checkpoint."""
    for fs in {id(m.fs): m.fs for m in mnt_ns_of(proc).visible()}.values():
        _sync_fs(fs)
    return 0


def sys_syncfs(kernel, proc, fd, *_):
    return sys_fsync(kernel, proc, fd)


# -- changing names ----------------------------------------------------------------------

def _creatable(proc, dirfd, path):
    directory, name, _ = resolve_parent(proc, dirfd, path)
    if name in ("/", ".", ".."):
        raise SyscallError(EEXIST, f"{name!r} exists")
    refuse_readonly(directory, name)
    return directory, name


def sys_mkdirat(kernel, proc, dirfd, path, mode, *_):
    directory, name = _creatable(proc, dirfd, path)
    own(directory.inode.mkdir(name, mode & ~getattr(proc, "umask", 0) & 0o7777), proc)
    return 0


def sys_symlinkat(kernel, proc, target, dirfd, path, *_):
    text = _path(proc, target)
    directory, name = _creatable(proc, dirfd, path)
    own(directory.inode.symlink(name, text), proc)
    return 0


def sys_unlinkat(kernel, proc, dirfd, path, flags, *_):
    if flags & ~AT_REMOVEDIR:
        raise SyscallError(EINVAL, f"unlinkat flags {flags:#x}")
    directory, name, trailing = resolve_parent(proc, dirfd, path)
    if flags & AT_REMOVEDIR:
        if name == ".":
            raise SyscallError(EINVAL, "cannot remove '.'")
        if name in ("..", "/"):
            raise SyscallError(ENOTEMPTY if name == ".." else EBUSY, f"cannot remove {name!r}")
    elif name in ("/", ".", ".."):
        raise SyscallError(EISDIR, f"{name!r} is a directory")
    child = directory.child(name, directory.inode.lookup(name))
    if child.mount is not directory.mount:
        raise SyscallError(EBUSY, f"{name!r} is a mount point")
    refuse_readonly(directory, name)
    if flags & AT_REMOVEDIR:
        directory.inode.rmdir(name)
    else:
        if trailing:
            raise SyscallError(ENOTDIR if not child.inode.is_dir() else EISDIR,
                               f"{name!r}/: unlink takes a file")
        directory.inode.unlink(name)
    return 0


def sys_renameat2(kernel, proc, olddirfd, oldpath, newdirfd, newpath, flags, *_):
    if flags & RENAME_EXCHANGE or flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE):
        raise SyscallError(EINVAL, f"renameat2 flags {flags:#x}: only RENAME_NOREPLACE")
    old_dir, old_name, _ = resolve_parent(proc, olddirfd, oldpath)
    new_dir, new_name, _ = resolve_parent(proc, newdirfd, newpath)
    for name in (old_name, new_name):
        if name in ("/", ".", ".."):
            raise SyscallError(EBUSY, f"cannot rename {name!r}")
    if old_dir.mount is not new_dir.mount:
        raise SyscallError(EXDEV, "rename across mounts (copy, then remove)")
    refuse_readonly(old_dir, old_name)
    old_dir.inode.lookup(old_name)          # ENOENT first
    if flags & RENAME_NOREPLACE:
        try:
            new_dir.inode.lookup(new_name)
        except SyscallError:
            pass
        else:
            raise SyscallError(EEXIST, f"{new_name!r} exists (RENAME_NOREPLACE)")
    old_dir.inode.rename(old_name, new_dir.inode, new_name)
    return 0


def sys_linkat(kernel, proc, *_):
    raise SyscallError(EPERM, "hard links are not supported by these file systems")


# -- where a process is ------------------------------------------------------------------

def sys_chdir(kernel, proc, path, *_):
    location = resolve(proc, AT_FDCWD & 0xFFFF_FFFF, path)
    if not location.inode.is_dir():
        raise SyscallError(ENOTDIR, "chdir: not a directory")
    proc.fs.cwd = location
    return 0


def sys_fchdir(kernel, proc, fd, *_):
    location = proc.files.get(fd).location
    if location is None or not location.inode.is_dir():
        raise SyscallError(ENOTDIR, f"descriptor {fd} is not a directory")
    fs_of(proc).cwd = location
    return 0


def sys_chroot(kernel, proc, path, *_):
    _need_admin(proc, "chroot")
    location = resolve(proc, AT_FDCWD & 0xFFFF_FFFF, path)
    if not location.inode.is_dir():
        raise SyscallError(ENOTDIR, "chroot: not a directory")
    proc.fs.root = location
    return 0


def sys_getcwd(kernel, proc, buf, size, *_):
    """The cwd as the process names it, NUL-terminated; the result is its length with
    the NUL (the system call's convention; the C library returns ``buf``)."""
    text = fs_of(proc).path_of(proc.fs.cwd).encode("utf-8", "surrogateescape") + b"\0"
    if len(text) > size:
        raise SyscallError(ERANGE, f"getcwd: {size} bytes cannot hold {len(text)}")
    proc.space.write(buf, text)
    return len(text)


# -- mounts ------------------------------------------------------------------------------

def sys_mount(kernel, proc, source, target, fstype, flags, data, *_):
    """mount(2): a new file system of a type (tmpfs, proc, devtmpfs, cgroup2...), a bind
    mount (MS_BIND), or a change of read-only (MS_REMOUNT)."""
    _need_admin(proc, "mount")
    where = resolve(proc, AT_FDCWD & 0xFFFF_FFFF, target)
    readonly = bool(flags & MS_RDONLY)
    ns = mnt_ns_of(proc)
    if flags & MS_REMOUNT:
        if not where.is_mount_root():
            raise SyscallError(EINVAL, "remount: the target is not a mount point")
        where.mount.readonly = readonly
        return 0
    if flags & MS_BIND:
        origin = resolve(proc, AT_FDCWD & 0xFFFF_FFFF, source)
        ns.mount(origin.mount.fs, where, root=origin.inode, readonly=readonly,
                 source=origin.mount.source)
        return 0
    if not fstype:
        raise SyscallError(EINVAL, "mount: no file system type")
    kind = _path(proc, fstype)
    _may_mount_device(proc, kind)
    name = _path(proc, source) if source else "none"
    fs = fstypes.make(kind, kernel, proc, name)
    if not where.inode.is_dir():
        raise SyscallError(ENOTDIR, "mount point is not a directory")
    ns.mount(fs, where, readonly=readonly, source=name)
    return 0


def sys_umount2(kernel, proc, target, flags, *_):
    _need_admin(proc, "umount")
    if flags & ~(MNT_DETACH | 1 | 4 | 8):
        raise SyscallError(EINVAL, f"umount2 flags {flags:#x}")
    where = resolve(proc, AT_FDCWD & 0xFFFF_FFFF, target)
    fs = where.mount.fs
    mnt_ns_of(proc).umount(where, detach=bool(flags & MNT_DETACH))
    _sync_fs(fs)
    return 0


def sys_pivot_root(kernel, proc, new_root, put_old, *_):
    _need_admin(proc, "pivot_root")
    ns = mnt_ns_of(proc)
    new = resolve(proc, AT_FDCWD & 0xFFFF_FFFF, new_root)
    old = resolve(proc, AT_FDCWD & 0xFFFF_FFFF, put_old)
    for location in (new, old):
        if not location.inode.is_dir():
            raise SyscallError(ENOTDIR, "pivot_root takes two directories")
    sharing = [p.fs for p in getattr(kernel, "processes", {}).values()
               if getattr(p, "fs", None) is not None and mnt_ns_of(p) is ns]
    ns.pivot_root(new, old, proc.fs.root, sharing or [proc.fs])
    return 0


# -- waiting for several files -----------------------------------------------------------

def sys_ppoll_time64(kernel, proc, fds, nfds, timeout, sigmask, sigsetsize, *_):
    """Which of ``nfds`` descriptors are ready; sleeps until one is, or the timeout
    passes (a NULL timeout waits without end).  The signal mask is not applied."""
    if nfds > MAX_POLL_FDS:
        raise SyscallError(EINVAL, f"{nfds} descriptors, more than {MAX_POLL_FDS}")
    raw = bytearray(proc.space.read(fds, POLLFD.size * nfds)) if nfds else bytearray()
    if nfds and proc.space.writable_prefix(fds, len(raw)) < len(raw):
        raise SyscallError(EFAULT, "ppoll: the pollfd array is not writable")
    deadline = None
    if timeout:
        seconds, nanos = TIMESPEC64.unpack(proc.space.read(timeout, TIMESPEC64.size))
        if seconds < 0 or not 0 <= nanos < 1_000_000_000:
            raise SyscallError(EINVAL, "ppoll: bad timeout")
        deadline = kernel.now_ns() + seconds * 1_000_000_000 + nanos
        if getattr(proc, "restart_deadline", None) is not None:
            deadline = proc.restart_deadline
    ready, files = 0, []
    for i in range(nfds):
        fd, events, _ = POLLFD.unpack_from(raw, i * POLLFD.size)
        revents = 0
        if fd >= 0:
            file = proc.files.files.get(fd)
            if file is None:
                revents = POLLNVAL
            else:
                files.append(file)
                revents = file.poll() & (events | 0x8 | 0x10)   # POLLERR, POLLHUP always
        POLLFD.pack_into(raw, i * POLLFD.size, fd, events, revents)
        ready += bool(revents)
    if ready or (deadline is not None and kernel.now_ns() >= deadline):
        if raw:
            proc.space.write(fds, bytes(raw))
        return ready
    queue = WaitQueue("ppoll")
    for file in files:
        file.poll_waiters.append(queue)
    raise Blocked(queue, deadline)


CALLS = {
    "read": sys_read, "write": sys_write, "readv": sys_readv, "writev": sys_writev,
    "pread64": sys_pread64, "pwrite64": sys_pwrite64, "_llseek": sys__llseek,
    "openat": sys_openat, "close": sys_close, "dup": sys_dup, "dup3": sys_dup3,
    "fcntl64": sys_fcntl64, "pipe2": sys_pipe2, "ioctl": sys_ioctl,
    "statx": sys_statx, "getdents64": sys_getdents64, "readlinkat": sys_readlinkat,
    "faccessat": sys_faccessat, "faccessat2": sys_faccessat2,
    "mkdirat": sys_mkdirat, "symlinkat": sys_symlinkat, "unlinkat": sys_unlinkat,
    "renameat2": sys_renameat2, "linkat": sys_linkat,
    "chdir": sys_chdir, "fchdir": sys_fchdir, "chroot": sys_chroot, "getcwd": sys_getcwd,
    "mount": sys_mount, "umount2": sys_umount2, "pivot_root": sys_pivot_root,
    "ppoll_time64": sys_ppoll_time64, "ftruncate64": sys_ftruncate64,
    "fsync": sys_fsync, "fdatasync": sys_fsync, "sync": sys_sync, "syncfs": sys_syncfs,
    "fchmodat": sys_fchmodat, "fchmod": sys_fchmod, "fchownat": sys_fchownat,
    "fchown": sys_fchown, "utimensat_time64": sys_utimensat_time64,
    "truncate64": sys_truncate64, "statfs64": sys_statfs64, "fstatfs64": sys_fstatfs64,
}
