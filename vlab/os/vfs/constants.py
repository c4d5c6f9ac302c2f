"""Numbers of the file ABI, by name: file types and modes, open flags, *at flags, fcntl
commands, ioctls, poll events, mount flags.

Values are the ones RISC-V Linux uses (``include/uapi/asm-generic/fcntl.h``,
``include/uapi/linux/stat.h``, ``fcntl.h``, ``poll.h``, ``mount.h``,
``asm-generic/ioctls.h``), checked against the musl headers of the pinned toolchain
(``ziglang/lib/libc/include/generic-musl/bits/fcntl.h``, ``fcntl.h``).
"""

from __future__ import annotations

# file type bits of st_mode (linux/stat.h)
S_IFMT = 0o170000
S_IFSOCK, S_IFLNK, S_IFREG, S_IFBLK = 0o140000, 0o120000, 0o100000, 0o060000
S_IFDIR, S_IFCHR, S_IFIFO = 0o040000, 0o020000, 0o010000
PERMISSIONS = 0o7777

# d_type of struct linux_dirent64 (include/linux/fs_types.h: the mode's type >> 12)
DT_UNKNOWN, DT_FIFO, DT_CHR, DT_DIR, DT_BLK, DT_REG, DT_LNK = 0, 1, 2, 4, 6, 8, 10


def dtype(mode: int) -> int:
    return (mode & S_IFMT) >> 12


# open flags (asm-generic/fcntl.h)
O_ACCMODE, O_RDONLY, O_WRONLY, O_RDWR = 0o3, 0o0, 0o1, 0o2
O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC, O_APPEND = 0o100, 0o200, 0o400, 0o1000, 0o2000
O_NONBLOCK, O_LARGEFILE, O_DIRECTORY, O_NOFOLLOW = 0o4000, 0o100000, 0o200000, 0o400000
O_CLOEXEC, O_PATH = 0o2000000, 0o10000000
STATUS_FLAGS = O_APPEND | O_NONBLOCK       # what F_SETFL may change (Linux: SETFL_MASK)

# *at() flags (linux/fcntl.h)
AT_FDCWD = -100
AT_SYMLINK_NOFOLLOW, AT_REMOVEDIR, AT_SYMLINK_FOLLOW = 0x100, 0x200, 0x400
AT_EACCESS, AT_EMPTY_PATH = 0x200, 0x1000

# fcntl commands and FD_CLOEXEC (asm-generic/fcntl.h, linux/fcntl.h)
F_DUPFD, F_GETFD, F_SETFD, F_GETFL, F_SETFL = 0, 1, 2, 3, 4
F_DUPFD_CLOEXEC = 1030
FD_CLOEXEC = 1

# renameat2 flags (linux/fs.h)
RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2

# ioctls on a terminal (asm-generic/ioctls.h)
TCGETS, TCSETS, TIOCGWINSZ, TIOCSWINSZ = 0x5401, 0x5402, 0x5413, 0x5414

# poll events (asm-generic/poll.h)
POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL = 0x1, 0x2, 0x4, 0x8, 0x10, 0x20

# mount(2) flags (linux/mount.h) and umount2 flags
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
MNT_FORCE, MNT_DETACH = 1, 2

# access(2) modes (unistd.h)
F_OK, X_OK, W_OK, R_OK = 0, 1, 2, 4
