"""What ``stat`` tells about a file, and the two structures it travels in.

``Stat`` is the kernel's view (Linux's ``struct kstat``, ``include/linux/stat.h``).  RV32
Linux has no ``stat``/``fstat`` system calls: musl's ``stat``, ``fstat`` and ``lstat``
call ``statx`` (``src/stat/fstatat.c``, ``fstatat_statx``), so ``pack_statx`` lays out
``struct statx`` (``include/uapi/linux/stat.h``, 256 bytes, checked against the header in
the pinned toolchain).  ``pack_stat64`` is the older ``struct stat64`` of
``asm-generic/stat.h`` (104 bytes) that the hand-written runtime's ``fstat`` (number 80
in the proxy kernel) expects.

Times are all zero: a model result must not depend on the wall clock (ARCHITECTURE.md,
invariant 4), and nothing in the course reads file times.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

STATX_BASIC_STATS = 0x7FF      # type, mode, nlink, uid, gid, times, ino, size, blocks
BLOCK_SIZE = 4096
# struct statx: mask blksize attributes | nlink uid gid mode pad | ino size blocks
# attributes_mask | 4 timestamps (s64 sec, u32 nsec, s32 pad) | rdev maj/min, dev maj/min
# | mnt_id dio_mem_align dio_offset_align | spare to 256 bytes
STATX_FORMAT = "<IIQIIIHHQQQQ" + "qIi" * 4 + "IIIIQII"
STATX_SIZE = 256
STAT64_FORMAT = "<QQIIIIQQqiiqiiiiiiII"
STAT64_SIZE = struct.calcsize(STAT64_FORMAT)


@dataclass
class Stat:
    mode: int
    ino: int = 0
    size: int = 0
    nlink: int = 1
    uid: int = 0
    gid: int = 0
    rdev: int = 0          # (major << 8) | minor for a device
    dev: int = 0           # the file system's device number
    mnt_id: int = 0

    @property
    def blocks(self) -> int:
        return (self.size + 511) // 512


def pack_statx(st: Stat) -> bytes:
    times = (0, 0, 0) * 4
    raw = struct.pack(STATX_FORMAT, STATX_BASIC_STATS, BLOCK_SIZE, 0,
                      st.nlink, st.uid, st.gid, st.mode & 0xFFFF, 0,
                      st.ino, st.size, st.blocks, 0, *times,
                      st.rdev >> 8, st.rdev & 0xFF, st.dev >> 8, st.dev & 0xFF,
                      st.mnt_id, 0, 0)
    return raw.ljust(STATX_SIZE, b"\0")


def pack_stat64(st: Stat) -> bytes:
    return struct.pack(STAT64_FORMAT, st.dev, st.ino, st.mode, st.nlink, st.uid, st.gid,
                       st.rdev, 0, st.size, BLOCK_SIZE, 0, st.blocks, 0, 0, 0, 0, 0, 0, 0, 0)
