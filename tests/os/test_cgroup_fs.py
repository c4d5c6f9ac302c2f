"""cgroupfs through the VFS: mounted at /sys/fs/cgroup, directories are cgroups (mkdir,
rmdir), files format and parse as the kernel's, a pid written to cgroup.procs moves the
process (in the writer's PID namespace), read-only files refuse writers."""
from __future__ import annotations

import pytest

from vlab.os.cgroup import Cgroup
from vlab.os.cgroup.cgroupfs import CgroupFs
from vlab.os.cgroup.files import Access
from vlab.os.errno import (
    EACCES,
    EBUSY,
    EINVAL,
    ENODEV,
    ENOENT,
    ENOTDIR,
    EPERM,
    ERANGE,
    ESRCH,
    SyscallError,
)
from vlab.os.vfs.constants import O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY
from vlab.os.vfs.mount import MountNamespace
from vlab.os.vfs.namei import FsContext, lookup
from vlab.os.vfs.open import open_path
from vlab.os.vfs.ramfs import RamFs

MS = 1_000_000


class PidNs:
    def __init__(self):
        self.by_pid = {}


class Ns:
    def __init__(self, pid_ns):
        self.pid = pid_ns


class Proc:
    """A process as the kernel keeps it: pids per PID namespace."""

    def __init__(self, pids: dict, ns):
        self.pids = pids
        self.pid = pids[HOST_NS]
        self.ns, self.state, self.exit_status, self.cgroup = Ns(ns), "R", None, None
        for pid_ns, pid in pids.items():
            pid_ns.by_pid[pid] = self

    def pid_in(self, pid_ns):
        return self.pids.get(pid_ns, 0)


HOST_NS = PidNs()


class World:
    """A root file system with /sys/fs/cgroup mounted, processes, a clock."""

    def __init__(self):
        global HOST_NS
        HOST_NS = PidNs()
        self.box_ns = PidNs()
        self.cgroups = Cgroup.new_root()
        self.cgroups.io_devices[(254, 0)] = "vda"
        self.host = Proc({HOST_NS: 1}, HOST_NS)
        self.boxed = Proc({HOST_NS: 40, self.box_ns: 1}, self.box_ns)
        self.current = self.host
        self.now = 0
        processes = {p.pid: p for p in (self.host, self.boxed)}
        for proc in processes.values():
            self.cgroups.attach(proc)
        access = Access(processes=processes, now_ns=lambda: self.now,
                        current=lambda: self.current)
        rootfs = RamFs()
        rootfs.root.mkdir("sys", 0o755).mkdir("fs", 0o755).mkdir("cgroup", 0o755)
        self.mounts = MountNamespace(rootfs)
        self.ctx = FsContext(self.mounts.root())
        target = lookup(self.ctx, self.ctx.root, "/sys/fs/cgroup")
        self.mounts.mount(CgroupFs(self.cgroups, access), target)

    def dir(self, path):
        return lookup(self.ctx, self.ctx.root, "/sys/fs/cgroup" + path).inode

    def read(self, path) -> str:
        file = open_path(self.ctx, self.ctx.root, "/sys/fs/cgroup" + path, O_RDONLY, 0)
        text = b""
        while chunk := file.read(5):                      # small reads: one snapshot
            text += chunk
        return text.decode()

    def write(self, path, text) -> int:
        """As the shell's ``echo TEXT > PATH``."""
        file = open_path(self.ctx, self.ctx.root, "/sys/fs/cgroup" + path,
                         O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        return file.write(text.encode())

    def errno(self, call, *args):
        with pytest.raises(SyscallError) as info:
            call(*args)
        assert info.value.why
        return info.value.errno


@pytest.fixture
def world():
    return World()


def test_root_directory_lists_the_kernel_files(world):
    names = [name for name, _ in world.dir("").readdir()]
    assert names == ["cgroup.controllers", "cgroup.max.depth", "cgroup.max.descendants",
                     "cgroup.procs", "cgroup.stat", "cgroup.subtree_control", "cpu.stat",
                     "io.stat"]
    assert world.read("/cgroup.controllers") == "cpu io memory pids\n"
    assert world.read("/cgroup.subtree_control") == "cpu io memory pids\n"
    assert world.read("/cgroup.procs") == "1\n40\n"


def test_mkdir_makes_a_cgroup_with_controller_files(world):
    box = world.dir("").mkdir("box", 0o755)
    assert box.is_dir() and "box" in world.cgroups.children
    names = {name for name, _ in box.readdir()}
    assert {"cgroup.events", "cpu.max", "cpu.weight", "cpu.stat", "memory.max",
            "memory.current", "memory.events", "memory.peak", "pids.max", "pids.current",
            "pids.events", "io.max", "io.stat"} <= names
    assert world.read("/box/cpu.max") == "max 100000\n"
    assert world.read("/box/cpu.weight") == "100\n"
    assert world.read("/box/memory.max") == "max\n"
    assert world.read("/box/pids.max") == "max\n"
    assert world.read("/box/cgroup.events") == "populated 0\nfrozen 0\n"
    assert world.read("/box/cgroup.controllers") == "cpu io memory pids\n"
    assert world.read("/box/cgroup.subtree_control") == "\n"
    assert world.read("/cgroup.stat") == "nr_descendants 1\nnr_dying_descendants 0\n"


def test_writes_parse_like_the_kernel(world):
    world.dir("").mkdir("box", 0o755)
    assert world.write("/box/cpu.max", "50000 100000\n") == 13
    assert world.read("/box/cpu.max") == "50000 100000\n"
    world.write("/box/cpu.weight", "200\n")
    world.write("/box/memory.max", "64M\n")
    assert world.read("/box/memory.max") == "67108864\n"
    world.write("/box/pids.max", "10\n")
    world.write("/box/io.max", "254:0 rbps=2097152 wiops=120\n")
    assert world.read("/box/io.max") == "254:0 rbps=2097152 wbps=max riops=max wiops=120\n"
    box = world.cgroups.children["box"]
    assert (box.cpu.quota_us, box.cpu.weight, box.memory.max_pages, box.pids.max) == \
        (50000, 200, 16384, 10)
    assert world.errno(world.write, "/box/cpu.max", "fifty") == EINVAL
    assert world.errno(world.write, "/box/cpu.weight", "0") == ERANGE
    assert world.errno(world.write, "/box/memory.max", "lots") == EINVAL
    assert world.errno(world.write, "/box/pids.max", "-1") == EINVAL
    assert world.errno(world.write, "/box/io.max", "9:9 rbps=1") == ENODEV
    assert world.errno(world.write, "/box/cgroup.subtree_control", "+gpu") == EINVAL
    assert world.errno(world.write, "/box/cpu.max", "\xff") == EINVAL
    assert box.cpu.quota_us == 50000                     # refused writes changed nothing


def test_read_only_files_refuse_writers_and_files_cannot_be_made(world):
    world.dir("").mkdir("box", 0o755)
    assert world.errno(world.write, "/box/memory.current", "0") == EACCES
    assert world.errno(world.write, "/box/cgroup.events", "0") == EACCES
    directory = world.dir("/box")
    assert world.errno(directory.create, "notes", 0o644) == EPERM
    assert world.errno(directory.unlink, "cpu.max") == EPERM
    assert world.errno(directory.rmdir, "cpu.max") == ENOTDIR
    assert world.errno(world.read, "/box/nothing") == ENOENT


def test_cgroup_procs_moves_processes_in_the_writers_pid_namespace(world):
    world.dir("").mkdir("box", 0o755)
    world.write("/box/cgroup.procs", "40\n")
    box = world.cgroups.children["box"]
    assert world.boxed.cgroup is box and box.procs == [world.boxed]
    assert world.read("/box/cgroup.procs") == "40\n"
    assert world.read("/box/cgroup.events") == "populated 1\nfrozen 0\n"
    assert world.read("/box/pids.current") == "1\n"
    world.current = world.boxed                          # inside its PID namespace...
    assert world.read("/box/cgroup.procs") == "1\n"      # ...it is pid 1
    assert world.read("/cgroup.procs") == "0\n"          # the host's init is invisible: 0
    assert world.errno(world.write, "/cgroup.procs", "40") == ESRCH   # no 40 in there
    world.write("/cgroup.procs", "0")                    # 0: the writer itself
    assert world.boxed.cgroup is world.cgroups
    assert world.errno(world.write, "/box/cgroup.procs", "1 2") == EINVAL


def test_rmdir_only_an_empty_cgroup(world):
    root = world.dir("")
    box = root.mkdir("box", 0o755)
    box.mkdir("inner", 0o755)
    assert world.errno(root.rmdir, "box") == EBUSY        # has a child cgroup
    world.write("/box/inner/cgroup.procs", "40")
    assert world.errno(box.rmdir, "inner") == EBUSY       # has a process
    world.write("/cgroup.procs", "40")
    box.rmdir("inner")
    root.rmdir("box")
    assert world.cgroups.children == {}
    assert world.errno(world.read, "/box/cpu.max") == ENOENT


def test_open_file_outlives_its_cgroup_with_enodev(world):
    world.dir("").mkdir("box", 0o755)
    file = open_path(world.ctx, world.ctx.root, "/sys/fs/cgroup/box/pids.max", O_WRONLY, 0)
    world.dir("").rmdir("box")
    assert world.errno(file.write, b"5") == ENODEV


def test_subtree_control_through_files(world):
    world.dir("").mkdir("box", 0o755).mkdir("inner", 0o755)
    names = {name for name, _ in world.dir("/box/inner").readdir()}
    assert "memory.max" not in names and "cpu.stat" in names
    world.write("/box/cgroup.subtree_control", "+memory +pids -pids\n")
    assert world.read("/box/cgroup.subtree_control") == "memory\n"
    assert world.read("/box/inner/cgroup.controllers") == "memory\n"
    assert world.read("/box/inner/memory.max") == "max\n"
    assert world.errno(world.write, "/box/inner/cgroup.subtree_control", "+cpu") == ENOENT


def test_cpu_stat_reads_guest_time(world):
    world.dir("").mkdir("box", 0o755)
    world.write("/box/cpu.max", "10000 100000")
    box = world.cgroups.children["box"]
    box.cpu.charge(10 * MS, 10 * MS)
    world.now = 30 * MS
    stat = dict(line.split() for line in world.read("/box/cpu.stat").splitlines())
    assert stat == {"usage_usec": "10000", "user_usec": "10000", "system_usec": "0",
                    "nr_periods": "1", "nr_throttled": "1", "throttled_usec": "20000"}
    root_stat = world.read("/cpu.stat")
    assert root_stat == "usage_usec 10000\nuser_usec 10000\nsystem_usec 0\n"


def test_cgroup_kill_sends_sigkill_to_the_subtree():
    cgroups = Cgroup.new_root()
    killed = []
    access = Access(kill=killed.append)
    box = cgroups.create("box")
    inner = box.create("inner")
    procs = []
    for pid, cg in ((2, box), (3, inner), (4, cgroups)):
        proc = Proc({HOST_NS: pid}, HOST_NS)
        cg.fork(proc)
        procs.append(proc)
    fs = CgroupFs(cgroups, access)
    kill = fs.root.lookup("box").lookup("cgroup.kill")
    assert kill.mode & 0o777 == 0o200
    with pytest.raises(SyscallError) as info:
        kill.open(O_RDONLY)
    assert info.value.errno == EACCES
    assert kill.open(O_WRONLY).write(b"1\n") == 2
    assert killed == procs[:2]                              # not the root's process


def test_mount_type_cgroup2_serves_the_kernels_tree():
    from vlab.os.vfs import fstypes

    class Kernel:                            # what CgroupFs.for_kernel uses of the kernel
        def __init__(self):
            self.root_cgroup = Cgroup.new_root()
            self.processes, self.current, self.signals = {}, None, []

        def now_ns(self):
            return 0

        def send_signal(self, proc, signal):
            self.signals.append((proc, signal))

    kernel = Kernel()
    proc = Proc({HOST_NS: 7}, HOST_NS)
    kernel.root_cgroup.create("job").fork(proc)
    fs = fstypes.make("cgroup2", kernel, None)
    assert isinstance(fs, CgroupFs) and fs.fstype == "cgroup2"
    job = fs.root.lookup("job")
    assert job.lookup("cgroup.procs").open(O_RDONLY).read(100) == b"7\n"
    job.lookup("cgroup.kill").open(O_WRONLY).write(b"1")
    assert kernel.signals == [(proc, 9)]


def test_a_delegated_view_shows_only_the_containers_subtree(world):
    box = world.cgroups.create("box")
    world.cgroups.create("other")
    box.attach(world.boxed)
    box.write_file("pids.max", "20")
    access = Access(processes={1: world.host, 40: world.boxed},
                    current=lambda: world.current)
    world.current = world.boxed
    view = CgroupFs(box, access, delegated=True)
    root = view.root
    assert root.cgroup is box and {name for name, _ in root.readdir()} >= {"pids.max"}
    with pytest.raises(SyscallError) as info:
        root.lookup("other")                                 # siblings are not there
    assert info.value.errno == ENOENT
    raise_limit = root.lookup("pids.max").open(O_WRONLY)
    with pytest.raises(SyscallError) as info:
        raise_limit.write(b"max")                            # its own limit: EPERM
    assert info.value.errno == EPERM and box.pids.max == 20
    worker = root.mkdir("worker", 0o755)                     # organizing itself is fine
    worker.lookup("cgroup.procs").open(O_WRONLY).write(b"1")  # pid 1 in its namespace
    assert world.boxed.cgroup is box.children["worker"]
    root.lookup("cgroup.subtree_control").open(O_WRONLY).write(b"+pids")   # delegatable
    worker.lookup("pids.max").open(O_WRONLY).write(b"5")     # limits below the root too
    assert box.children["worker"].pids.max == 5
    root.lookup("cgroup.procs").open(O_WRONLY).write(b"0")   # back to its root: allowed
    assert world.boxed.cgroup is box
    world.current = world.host                               # the host writing the pid of
    with pytest.raises(SyscallError) as info:                # its own init into the view
        worker.lookup("cgroup.procs").open(O_WRONLY).write(b"1")
    assert info.value.errno == ENOENT and world.host.cgroup is world.cgroups


def test_for_kernel_with_a_view_is_delegated():
    class Kernel:
        def __init__(self):
            self.root_cgroup = Cgroup.new_root()
            self.processes, self.current = {}, None

        def now_ns(self):
            return 0

    kernel = Kernel()
    box = kernel.root_cgroup.create("box")
    assert not CgroupFs.for_kernel(kernel).delegated
    assert not CgroupFs.for_kernel(kernel, kernel.root_cgroup).delegated
    view = CgroupFs.for_kernel(kernel, box)
    assert view.delegated and view.root.cgroup is box


def test_mkdir_rmdir_loops_do_not_grow_the_inode_caches(world):
    root = world.dir("")
    other_mount = CgroupFs(world.cgroups)
    for i in range(50):
        made = root.mkdir(f"c{i}", 0o755)
        other_mount.root.lookup(f"c{i}").lookup("cpu.max")   # seen through another mount
        made.lookup("pids.max")
        root.rmdir(f"c{i}")
    root.mkdir("last", 0o755)
    other_mount.root.lookup("last")
    fs = root.fs
    assert len(fs._dirs) <= 2 and len(fs._files) <= 2
    assert len(other_mount._dirs) <= 3 and len(other_mount._files) <= 2
