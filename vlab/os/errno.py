"""Linux errno numbers (include/uapi/asm-generic/errno-base.h, errno.h).

A system call that fails returns ``-errno`` in a0 (the RISC-V Linux convention; the C
library turns a result in -4095..-1 into errno).  Host errors (Python ``OSError``) are
translated by name, so the guest sees Linux numbers whatever the host OS is.
"""

from __future__ import annotations

import errno as host_errno

EPERM, ENOENT, EIO, ENXIO, E2BIG, EBADF, ENOMEM, EACCES, EFAULT = 1, 2, 5, 6, 7, 9, 12, 13, 14
EEXIST, ENOTDIR, EISDIR, EINVAL, EMFILE, EFBIG, ENOSPC, ESPIPE = 17, 20, 21, 22, 24, 27, 28, 29
EROFS, EPIPE, ERANGE, ENAMETOOLONG, ENOSYS, EDQUOT = 30, 32, 34, 36, 38, 122
ESRCH, EAGAIN, EBUSY, ENODEV, ENOTEMPTY, EOPNOTSUPP = 3, 11, 16, 19, 39, 95
EXDEV, ENOTTY, ELOOP = 18, 25, 40
EINTR, ECHILD, ENOEXEC = 4, 10, 8

LINUX_ERRNO = {
    "EPERM": EPERM, "ENOENT": ENOENT, "EIO": EIO, "ENXIO": ENXIO, "E2BIG": E2BIG,
    "EBADF": EBADF, "ENOMEM": ENOMEM,
    "EACCES": EACCES, "EFAULT": EFAULT, "EEXIST": EEXIST, "ENOTDIR": ENOTDIR,
    "EISDIR": EISDIR, "EINVAL": EINVAL, "EMFILE": EMFILE, "ENOSPC": ENOSPC,
    "ESPIPE": ESPIPE, "EFBIG": EFBIG, "EDQUOT": EDQUOT, "EROFS": EROFS, "EPIPE": EPIPE,
    "ERANGE": ERANGE,
    "ENAMETOOLONG": ENAMETOOLONG, "ENOSYS": ENOSYS,
    "ESRCH": ESRCH, "EAGAIN": EAGAIN, "EBUSY": EBUSY, "ENODEV": ENODEV,
    "ENOTEMPTY": ENOTEMPTY, "EOPNOTSUPP": EOPNOTSUPP,
    "EXDEV": EXDEV, "ENOTTY": ENOTTY, "ELOOP": ELOOP,
}


class SyscallError(Exception):
    """Raised inside a system call handler; the guest gets ``-errno``."""

    def __init__(self, errno: int, why: str = ""):
        super().__init__(errno, why)
        self.errno = errno
        self.why = why


def from_oserror(exc: OSError) -> int:
    """The Linux errno for a host OSError (EIO when there is no equivalent)."""
    name = host_errno.errorcode.get(exc.errno or 0, "")
    return LINUX_ERRNO.get(name, EIO)
