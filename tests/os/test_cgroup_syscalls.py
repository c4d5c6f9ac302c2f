"""cgroupfs through the file system calls, as a shell in the kernel would use it:
/sys/fs/cgroup mounted at boot (rootfs.py), mkdirat/unlinkat make and remove cgroups,
openat/write/read/getdents64 on the interface files; and a seeded fuzz of writes to
every interface file: any text is taken or refused with -errno, never a Python error."""
from __future__ import annotations

import random
import struct
from types import SimpleNamespace

import pytest

from vlab.host.platform import Platform
from vlab.os import errno as E
from vlab.os.cgroup import Cgroup
from vlab.os.file import FdTable
from vlab.os.sysfile import CALLS
from vlab.os.vfs.constants import AT_FDCWD, AT_REMOVEDIR, O_CREAT, O_DIRECTORY, O_TRUNC, O_WRONLY
from vlab.os.vfs.devfs import Console
from vlab.os.vfs.rootfs import init_context, make_root
from vlab.os.vm import FlatSpace

RAM = 0x8000_0000
USER = RAM + (4 << 20)
CG = "/sys/fs/cgroup"


class Kernel:
    """What the file calls and cgroupfs use of the kernel."""

    def __init__(self):
        self.processes, self.current, self.time, self.signals = {}, None, 0, []
        self.root_cgroup = Cgroup.new_root()
        self.root_cgroup.io_devices[(254, 0)] = "vda"

    def now_ns(self):
        return self.time

    def send_signal(self, proc, signal):
        self.signals.append((proc.pid, signal))


class Proc:
    def __init__(self, kernel, mnt, pid):
        self.kernel, self.pid = kernel, pid
        self.space = FlatSpace(Platform(ram_size=8 << 20).bus)
        self.files = FdTable()
        self.fs = init_context(mnt)
        self.ns = SimpleNamespace(mnt=mnt, pid=None)
        self.umask, self.creds, self.restart_deadline = 0o022, None, None
        self.state, self.exit_status, self.cgroup = "R", None, None
        self.next = USER + 0x10_0000
        kernel.processes[pid] = self
        kernel.root_cgroup.attach(self)

    def put(self, data) -> int:
        raw = data.encode() + b"\0" if isinstance(data, str) else bytes(data)
        address, self.next = self.next, self.next + ((len(raw) + 15) & ~15) + 16
        self.space.write(address, raw)
        return address


def sys(proc, name, *args):
    args = [a & 0xFFFF_FFFF if isinstance(a, int) else a for a in args]
    try:
        return CALLS[name](proc.kernel, proc, *args, *[0] * (6 - len(args)))
    except E.SyscallError as error:
        return -error.errno


def boot():
    kernel = Kernel()
    mnt = make_root(kernel, Console())
    shell = Proc(kernel, mnt, 1)
    kernel.current = shell
    return kernel, shell


def echo(p, text, path) -> int:
    """``echo TEXT > PATH``: the write's result (or the open's error)."""
    fd = sys(p, "openat", AT_FDCWD, p.put(path), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    if fd < 0:
        return fd
    data = text.encode() if isinstance(text, str) else text
    result = sys(p, "write", fd, p.put(data), len(data))
    sys(p, "close", fd)
    return result


def cat(p, path) -> str | int:
    fd = sys(p, "openat", AT_FDCWD, p.put(path), 0, 0)
    if fd < 0:
        return fd
    buf = p.put(bytes(4096))
    n = sys(p, "read", fd, buf, 4096)
    sys(p, "close", fd)
    return p.space.read(buf, n).decode() if n >= 0 else n


def ls(p, path) -> list[str]:
    fd = sys(p, "openat", AT_FDCWD, p.put(path), O_DIRECTORY, 0)
    buf = p.put(bytes(8192))
    n = sys(p, "getdents64", fd, buf, 8192)
    raw, names, at = p.space.read(buf, n), [], 0
    while at < len(raw):
        reclen, = struct.unpack_from("<H", raw, at + 16)
        names.append(raw[at + 19:at + reclen].split(b"\0")[0].decode())
        at += reclen
    sys(p, "close", fd)
    return names


def test_a_shell_session_on_sys_fs_cgroup():
    kernel, sh = boot()
    worker = Proc(kernel, sh.ns.mnt, 2)
    assert cat(sh, f"{CG}/cgroup.controllers") == "cpu io memory pids\n"
    assert sys(sh, "mkdirat", AT_FDCWD, sh.put(f"{CG}/box"), 0o755) == 0
    assert "box" in ls(sh, CG)
    assert {"cpu.max", "memory.max", "pids.max", "io.max", "cgroup.procs"} <= set(
        ls(sh, f"{CG}/box"))
    assert echo(sh, "50000 100000\n", f"{CG}/box/cpu.max") == 13
    assert echo(sh, "16M\n", f"{CG}/box/memory.max") == 4
    assert echo(sh, "254:0 wbps=1048576\n", f"{CG}/box/io.max") > 0
    assert cat(sh, f"{CG}/box/memory.max") == f"{16 << 20}\n"
    assert echo(sh, "lots\n", f"{CG}/box/memory.max") == -E.EINVAL
    assert echo(sh, "0\n", f"{CG}/box/cpu.weight") == -E.ERANGE
    assert echo(sh, "1\n", f"{CG}/box/memory.current") == -E.EACCES
    assert echo(sh, "2\n", f"{CG}/box/cgroup.procs") == 2
    assert worker.cgroup is kernel.root_cgroup.children["box"]
    assert cat(sh, f"{CG}/box/cgroup.procs") == "2\n"
    assert cat(sh, f"{CG}/box/pids.current") == "1\n"
    assert sys(sh, "unlinkat", AT_FDCWD, sh.put(f"{CG}/box"), AT_REMOVEDIR) == -E.EBUSY
    assert sys(sh, "unlinkat", AT_FDCWD, sh.put(f"{CG}/box/cpu.max"), 0) == -E.EPERM
    assert echo(sh, "1", f"{CG}/box/cgroup.kill") == 1
    assert kernel.signals == [(2, 9)]
    assert echo(sh, "2", f"{CG}/cgroup.procs") == 1
    assert sys(sh, "unlinkat", AT_FDCWD, sh.put(f"{CG}/box"), AT_REMOVEDIR) == 0
    assert "box" not in ls(sh, CG) and kernel.root_cgroup.children == {}


TOKENS = ["max", "0", "1", "2", "-1", "100", "10000", "10001", "50000 100000", "1000 999",
          "254:0", "254:0 rbps=1", "254:0 wiops=max", "8:0 rbps=5", "+cpu", "-memory",
          "+pids -pids", "64M", "1G", "9" * 30, "\n", " ", "\t", "=", ":", "\x00", "\xff",
          "a=b", "rbps=", "max max", "1 2 3"]


@pytest.mark.parametrize("seed", range(3))
def test_fuzzed_writes_are_taken_or_refused_with_an_errno(seed):
    rng = random.Random(seed)
    kernel, sh = boot()
    Proc(kernel, sh.ns.mnt, 2)
    sys(sh, "mkdirat", AT_FDCWD, sh.put(f"{CG}/box"), 0o755)
    sys(sh, "mkdirat", AT_FDCWD, sh.put(f"{CG}/box/inner"), 0o755)
    for directory in (CG, f"{CG}/box", f"{CG}/box/inner"):
        for name in ls(sh, directory):
            if name in (".", "..") or name in ("box", "inner"):
                continue
            if name == "cgroup.kill":
                continue                              # would kill the shell's helpers
            for _ in range(25):
                words = rng.sample(TOKENS, rng.randint(1, 3))
                text = " ".join(words).encode("utf-8")
                if rng.random() < 0.2:
                    text = bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))
                result = echo(sh, text, f"{directory}/{name}")
                assert isinstance(result, int) and (result == len(text) or result < 0), \
                    (name, text, result)
            assert isinstance(cat(sh, f"{directory}/{name}"), str)
