"""procfs as a process sees it: /proc/self, /proc/<pid>/status in Linux's format,
cmdline, meminfo from the frame allocator, mounts, and PID namespaces (a process in a
child namespace lists only its namespace's pids, numbered as seen there)."""
from __future__ import annotations

from types import SimpleNamespace

from test_vfs import (
    AT_FDCWD,
    Proc,
    mkdir,
    openat,
    read_file,
    sys,
    world,
)

from vlab.os import errno as E
from vlab.os.vfs.constants import O_DIRECTORY, O_WRONLY
from vlab.os.vfs.procfs import ProcFs


class PidNs:
    """A PID namespace as namespaces.py models it: by_pid, parent, ancestry()."""

    def __init__(self, parent=None):
        self.parent, self.by_pid, self.next = parent, {}, 1

    def ancestry(self):
        ns = self
        while ns is not None:
            yield ns
            ns = ns.parent

    def enter(self, proc):
        proc.pids = {}
        for ns in self.ancestry():
            ns.by_pid[ns.next] = proc
            proc.pids[ns] = ns.next
            ns.next += 1
        proc.pid = proc.pids[[*self.ancestry()][-1]]


def names_in(p, path):
    from test_sysfile import dirents
    fd = openat(p, path, O_DIRECTORY)
    buf = p.buffer(8192)
    n = sys(p, "getdents64", fd, buf, 8192)
    return [e[3] for e in dirents(p.space.read(buf, n))]


def readlink(p, path):
    buf = p.buffer(64)
    n = sys(p, "readlinkat", AT_FDCWD, p.put(path), buf, 64)
    return p.space.read(buf, n).decode() if n >= 0 else n


def status(p, pid="self"):
    text = read_file(p, f"/proc/{pid}/status")
    if isinstance(text, int):
        return text
    return dict(line.split(":\t", 1) for line in text.decode().splitlines())


def test_self_status_and_cmdline():
    kernel, p = world()
    p.comm, p.state, p.argv = "cat", "S", ["cat", "-n", "file"]
    p.creds = SimpleNamespace(uid=1000, euid=1000, suid=1000, gid=100, egid=100, sgid=100)
    p.space.rss_pages = 3
    assert readlink(p, "/proc/self") == "1"
    fields = status(p)
    assert fields["Name"] == "cat" and fields["State"] == "S (sleeping)"
    assert fields["Pid"] == "1" and fields["PPid"] == "0" and fields["Tgid"] == "1"
    assert fields["Uid"] == "1000\t1000\t1000\t1000" and fields["Gid"] == "100\t100\t100\t100"
    assert fields["VmRSS"] == "      12 kB"
    assert fields["Umask"] == "0022"
    assert read_file(p, "/proc/self/cmdline") == b"cat\0-n\0file\0"
    assert read_file(p, "/proc/1/comm") == b"cat\n"


def test_status_of_a_child_and_its_parent():
    kernel, p = world()
    p.comm = "sh"
    child = Proc(kernel, p.ns.mnt, pid=2)
    child.fs, child.comm, child.parent = p.fs.copy(), "ls", p
    kernel.current = p
    assert status(p, 2)["PPid"] == "1" and status(p, 2)["Name"] == "ls"
    kernel.current = child
    assert readlink(child, "/proc/self") == "2"
    assert status(child, 99) == -E.ENOENT


def test_meminfo_counts_frames():
    kernel, p = world()
    kernel.frames = SimpleNamespace(free_frames=1000, used_frames=24)
    lines = read_file(p, "/proc/meminfo").decode().splitlines()
    assert lines[0] == "MemTotal:           4096 kB"
    assert lines[1] == "MemFree:            4000 kB"


def test_mounts_as_the_reader_names_them():
    kernel, p = world()
    mkdir(p, "/srv")
    sys(p, "mount", p.put("/tmp"), p.put("/srv"), 0, 4096 | 1, 0)      # ro bind
    table = read_file(p, "/proc/mounts").decode().splitlines()
    assert table[0] == "rootfs / tmpfs rw 0 0"
    assert "devtmpfs /dev devtmpfs rw 0 0" in table and "proc /proc proc rw 0 0" in table
    assert table[-1] == "tmpfs /srv tmpfs ro 0 0"
    sys(p, "chroot", p.put("/tmp"))
    kernel.current = p
    assert read_file(p, "/proc/mounts") == -E.ENOENT      # /proc is outside the new root


def test_procfs_is_read_only():
    _, p = world()
    assert openat(p, "/proc/self/status", O_WRONLY) == -E.EACCES
    assert mkdir(p, "/proc/new") == -E.EPERM
    assert sys(p, "unlinkat", AT_FDCWD, p.put("/proc/meminfo"), 0) == -E.EPERM


def test_a_child_pid_namespace_sees_only_its_own_processes():
    kernel, host = world()
    root_ns = PidNs()
    host.ns.pid = root_ns
    root_ns.enter(host)
    host.comm = "init"
    box_ns = PidNs(root_ns)
    inner = Proc(kernel, host.ns.mnt, pid=0)
    inner.fs, inner.comm, inner.parent = host.fs.copy(), "box-init", host
    inner.ns = SimpleNamespace(mnt=host.ns.mnt, pid=box_ns)
    box_ns.enter(inner)                                  # pid 2 outside, 1 inside
    worker = Proc(kernel, host.ns.mnt, pid=0)
    worker.fs, worker.comm, worker.parent = host.fs.copy(), "worker", inner
    worker.ns = inner.ns
    box_ns.enter(worker)                                 # pid 3 outside, 2 inside
    kernel.current = host
    assert [n for n in names_in(host, "/proc") if n.isdigit()] == ["1", "2", "3"]
    assert status(host, 3)["NSpid"] == "3\t2"          # outside, then inside (Linux)
    kernel.current = worker
    assert [n for n in names_in(worker, "/proc") if n.isdigit()] == ["1", "2"]
    assert readlink(worker, "/proc/self") == "2"
    fields = status(worker, 2)
    assert (fields["Pid"], fields["PPid"], fields["Name"]) == ("2", "1", "worker")
    assert fields["NSpid"] == "2"
    assert status(worker, 1)["PPid"] == "0"              # its parent is outside
    assert status(worker, 3) == -E.ENOENT                # no such pid in here
    kernel.current = host
    assert status(host, 3)["Pid"] == "3"
    assert status(host, 2)["PPid"] == "1"


def test_proc_mounted_by_mount2():
    kernel, p = world()
    mkdir(p, "/p2")
    assert sys(p, "mount", p.put("proc"), p.put("/p2"), p.put("proc"), 0, 0) == 0
    assert isinstance(ProcFs, type) and readlink(p, "/p2/self") == "1"


def test_cmdline_is_read_from_the_process_memory():
    _, p = world()
    start = p.put(b"sleep\x001\x00")
    p.arg_start, p.arg_end = start, start + 8
    assert read_file(p, "/proc/self/cmdline") == b"sleep\x001\x00"
    p.space.write(start, b"SLEEP")                      # a program may rewrite its argv
    assert read_file(p, "/proc/self/cmdline") == b"SLEEP\x001\x00"
    p.arg_start, p.arg_end = 0x10, 0x20                 # unmapped: empty, no traceback
    assert read_file(p, "/proc/self/cmdline") == b""
