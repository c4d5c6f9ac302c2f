"""Containers on the kernel: what runc does, done by the host for each container.

A :class:`Host` is one booted machine: the multi-process kernel, its root mount
namespace (a ramfs with ``/dev``, ``/proc``, ``/tmp``, ``/sys/fs/cgroup``), its root
cgroup, and a tiny host ``init`` -- the containerd-shim of this model -- that only reaps
its children (``waitid`` in a loop) and exits when it has none left.  Containers share
that one kernel, which is the point of OS-level virtualization.

:meth:`Host.start` makes one container from a :class:`~.launch.LaunchPlan`, in the order
runc's ``libcontainer`` does it (``nsexec.c``, ``rootfs_linux.go``, ``init_linux.go``):

1. **cgroup**: ``/sys/fs/cgroup/vlab/<id>``, limits written to its interface files
   (``memory.max``, ``cpu.max``, ``pids.max``) with the kernel's own parsers;
2. **namespaces**: the host init's namespaces copied with ``CLONE_NEWPID | CLONE_NEWNS |
   CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET`` (``NamespaceSet.copy``, what ``clone``
   does), the hostname set in the new UTS namespace;
3. **root file system** in the new mount namespace: the image's layers under the
   container's writable layer (``OverlayFs``) mounted at ``/run/vlab/<id>/rootfs``;
   ``/proc`` (procfs), ``/dev`` (a devfs whose console is the container's stdio) and
   ``/sys/fs/cgroup`` (cgroup2, read-only as docker mounts it, showing the container's
   own cgroup as its root: the delegated view a cgroup namespace gives) inside it; each
   ``-v HOST:CTR[:ro]`` a hostfs mount (read-only mounts refuse writes with EROFS);
   then ``pivot_root(rootfs, rootfs/.pivot_root)`` and a detached unmount of the old
   root, so nothing of the host's tree is reachable any more;
4. **PID 1**: a process in those namespaces and that cgroup, child of the host init,
   with the container's user, working directory and stdio, that ``execve``\\ s argv[0]
   read *through its own root* (the kernel's exec path).

Its exit status is the container's: ``exit_status``, or 128 + the signal that killed it
(137 for SIGKILL: the OOM killer).  Asked before PID 1 ended (a lab runs the host in
time slices), :meth:`ContainerRun.outcome` says ``running`` with no exit code; the
runtime's launcher (:func:`run_container`) stops the host at the command's budget and
reports a container still running then as killed by the budget (137, ``budget``), like
``docker stop`` sending SIGKILL after its grace period.

Simplified: the host performs steps 1-4 itself in Python with the kernel's own
functions (the namespaces, mount and cgroup objects the system calls use) instead of a
runtime process making the system calls; no user namespace (``--user`` sets the ids in
the host's namespace, as docker without userns-remap); no seccomp, capabilities or
``no_new_privs``.
"""

from __future__ import annotations

import io
import posixpath
from dataclasses import replace

from vlab.isa.asm import assemble
from vlab.isa.elf import load_elf
from vlab.isa.machine import Machine

from .errors import ContainerError
from .fstree import mkdirs, populate
from .launch import RUNNING, LaunchPlan, Outcome
from .process import CommandNotFound

SIGCHLD, SIGKILL = 17, 9
ECHILD = 10
P_ALL, WEXITED = 0, 4
NEW_NAMESPACES = None            # filled from vlab.os.namespaces on first use
HOST_RAM = 64 << 20
RUN_DIR = "/run/vlab"
PUT_OLD = ".pivot_root"


def _host_init_source() -> str:
    from vlab.os.syscall import NUMBERS
    return f"""
_start:
wait:
    li a0, {P_ALL}
    li a1, 0
    la a2, info
    li a3, {WEXITED}
    li a4, 0
    li a7, {NUMBERS["waitid"]}
    ecall
    li t0, -{ECHILD}
    bne a0, t0, wait                 # reaped one (or interrupted): wait again
    la t0, keep
    lw t0, 0(t0)
    beqz t0, done                    # no children and not kept: the host is done
    la a0, nap                       # kept alive for more containers: nap 10 us
    li a1, 0
    li a7, {NUMBERS["nanosleep"]}
    ecall
    j wait
done:
    li a0, 0
    li a7, {NUMBERS["exit_group"]}
    ecall
    .data
    .align 2
info: .space 128
nap: .word 0, 0, 10000, 0            # struct __kernel_timespec: 0 s, 10 us
keep: .word 0                        # set by Host.keep_alive
"""


class ContainerRun:
    """One container on a host: its PID 1, cgroup, namespaces and outcome."""

    def __init__(self, plan: LaunchPlan, proc, cgroup, ns):
        self.plan, self.proc, self.cgroup, self.ns = plan, proc, cgroup, ns

    @property
    def finished(self) -> bool:
        return self.proc.state == "Z" or self.proc.exit_status is not None \
            or getattr(self.proc, "term_signal", None) is not None

    def outcome(self, host) -> Outcome:
        proc = self.proc
        kills = int(_events(self.cgroup, "memory.events").get("oom_kill", 0))
        common = dict(instructions=host.machine.hart.instret,
                      syscalls=sum(host.kernel.calls.values()), guest_ns=host.kernel.now_ns())
        if not self.finished:
            return Outcome(None, RUNNING, kills > 0, detail="still running: PID 1 has not "
                           "ended; run the host longer and ask again", **common)
        signal = getattr(proc, "term_signal", None)
        if signal is not None:
            code = 128 + signal
            oom = kills > 0 and signal == SIGKILL
            return Outcome(code, "oom" if oom else "exit", oom,
                           detail=f"OOM killer: memory.max {self.plan.limits.get('memory.max')}"
                           if oom else "", **common)
        return Outcome(proc.exit_status, "exit", kills > 0, **common)


def _events(cgroup, name: str) -> dict[str, str]:
    try:
        return dict(line.split() for line in cgroup.read_file(name).splitlines())
    except Exception:       # noqa: BLE001 - a controller not enabled: no events
        return {}


class Host:
    """A booted machine with the kernel, a host root and the host init (reaper)."""

    def __init__(self, *, ram_size: int = HOST_RAM, engine: str = "interp"):
        from vlab.os.cgroup import Cgroup
        from vlab.os.trap import start_user_program
        from vlab.os.vfs.devfs import Console
        from vlab.os.vfs.namei import FsContext
        from vlab.os.vfs.rootfs import make_root

        self.machine = Machine(engine=engine, ram_size=ram_size)
        self.root_cgroup = Cgroup.new_root()
        program = assemble(_host_init_source(), text_base=0x1_0000)
        self._keep_address = program.symbols["keep"]
        init = load_elf(program.to_elf())
        self.console_out = io.BytesIO()
        self.kernel = start_user_program(
            self.machine, init, paging=True, argv=["vlab-shim"], root_cgroup=self.root_cgroup,
            stdin=io.BytesIO(), stdout=self.console_out, stderr=self.console_out)
        self.kernel.console = Console(io.BytesIO(), self.console_out, self.console_out)
        mnt = make_root(self.kernel, self.kernel.console)
        self.kernel.root_ns.mnt = mnt
        self.init = self.kernel.processes[1]
        self.init.ns.mnt = mnt
        self.init.fs = FsContext(mnt.root())
        self.vlab_cgroup = self.root_cgroup.create("vlab")
        # delegate the controllers to the containers' cgroups, as docker's systemd does
        self.vlab_cgroup.write_file("cgroup.subtree_control", "+cpu +io +memory +pids")
        self.containers: list[ContainerRun] = []

    def keep_alive(self, keep: bool = True) -> None:
        """Keep the host init running while it has no children (containers started one
        after another); without it the host ends when its last container ends."""
        self.init.space.write(self._keep_address, (1 if keep else 0).to_bytes(4, "little"))

    # ------------------------------------------------------------ one container

    def start(self, plan: LaunchPlan) -> ContainerRun:
        """Steps 1-4 of the module docstring; the container is runnable afterwards."""
        from vlab.os.errno import SyscallError
        try:
            cgroup = self._cgroup(plan)
            ns = self._namespaces(plan)
            self._root(plan, ns, cgroup)
            proc = self._pid1(plan, ns, cgroup)
        except SyscallError as exc:
            raise ContainerError(f"cannot start the container: {exc.why or exc}") from None
        run = ContainerRun(plan, proc, cgroup, ns)
        self.containers.append(run)
        return run

    def _cgroup(self, plan: LaunchPlan):
        from vlab.os.errno import SyscallError
        name = plan.container_id
        if name in self.vlab_cgroup.children:
            name = f"{name}-{len(self.containers)}"
        cgroup = self.vlab_cgroup.create(name)
        for file, value in plan.limits.items():
            try:
                cgroup.write_file(file, value)
            except SyscallError as exc:
                raise ContainerError(f"cannot set {file} to {value!r}: {exc.why}") from None
        return cgroup

    def _namespaces(self, plan: LaunchPlan):
        from vlab.os.namespaces import (
            CLONE_NEWIPC,
            CLONE_NEWNET,
            CLONE_NEWNS,
            CLONE_NEWPID,
            CLONE_NEWUTS,
        )
        flags = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET
        ns = self.init.ns.copy(flags, 0)
        ns.uts.hostname = plan.process.hostname
        return ns

    def _root(self, plan: LaunchPlan, ns, cgroup) -> None:
        """Step 3: overlay root, /proc, /dev, /sys/fs/cgroup, binds; pivot_root."""
        from vlab.os.cgroup.cgroupfs import CgroupFs
        from vlab.os.fs import Overlay
        from vlab.os.vfs import fstypes
        from vlab.os.vfs.devfs import Console, make_devfs
        from vlab.os.vfs.hostfs import HostFs
        from vlab.os.vfs.namei import FsContext
        from vlab.os.vfs.overlayfs import OverlayFs

        mnt = ns.mnt
        host_view = FsContext(mnt.root())
        where = mkdirs(host_view, f"{RUN_DIR}/{plan.container_id[:12]}/rootfs")
        rootfs = mnt.mount(OverlayFs(Overlay(plan.upper, plan.lowers)), where,
                           source="overlay")
        root = rootfs.root_location()
        inside = FsContext(root)
        console = Console(plan.stdin or io.BytesIO(), plan.stdout, plan.stderr)
        mounts = [("/proc", fstypes.make("proc", self.kernel, None, "proc"), False, "proc"),
                  ("/dev", make_devfs(console), False, "devtmpfs"),
                  ("/sys/fs/cgroup", CgroupFs.for_kernel(self.kernel, view=cgroup), True,
                   "cgroup2")]
        for bind in plan.mounts:
            mounts.append((bind.target, HostFs(bind.host), bind.read_only, bind.host))
        for target, fs, readonly, source in mounts:
            mnt.mount(fs, mkdirs(inside, target), readonly=readonly, source=source)
        put_old = mkdirs(inside, "/" + PUT_OLD)
        mnt.pivot_root(root, put_old, mnt.root(), contexts=())
        old = _lookup(FsContext(mnt.root()), "/" + PUT_OLD)
        mnt.umount(old, detach=True)
        root_dir = mnt.root().inode
        root_dir.rmdir(PUT_OLD)

    def _pid1(self, plan: LaunchPlan, ns, cgroup):
        """Step 4: PID 1 of the new PID namespace, exec'ing argv[0] from its root."""
        from vlab.os.errno import SyscallError
        from vlab.os.exec import load_for_exec, parse_executable, read_executable
        from vlab.os.file import FdTable
        from vlab.os.vfs.namei import FsContext
        from vlab.os.vfs.openfile import stdio_files

        process = plan.process
        files = FdTable()
        for file in stdio_files(plan.stdin or io.BytesIO(), plan.stdout, plan.stderr):
            files.install(file)
        proc = self.kernel.new_process(None, files, parent=self.init, ns=ns,
                                       comm=posixpath.basename(process.argv[0])[:15],
                                       uid=process.uid, gid=process.gid, cwd=process.workdir)
        proc.exit_signal = SIGCHLD
        root = ns.mnt.root()
        context = FsContext(root)
        try:
            context.cwd = mkdirs(context, process.workdir)
        except SyscallError as exc:
            self.kernel.abandon(proc)
            raise ContainerError(f"working directory {process.workdir!r}: {exc.why}") from None
        proc.fs = context
        try:
            cgroup.fork(proc)                      # pids.max counts PID 1 too
        except SyscallError:
            self.kernel.abandon(proc)
            raise
        try:
            image = parse_executable(read_executable(proc, process.argv[0]), process.argv[0])
            space = self.kernel.new_space(proc)
            loaded = load_for_exec(image, space, process.argv, process.env)
        except SyscallError as exc:
            self.kernel.abandon(proc)
            raise CommandNotFound(f"exec {process.argv[0]!r} failed: {exc.why}") from None
        proc.space = space
        proc.argv = list(process.argv)           # /proc/1/cmdline, as execve records it
        proc.regs = [0] * 32
        proc.regs[2], proc.pc = loaded.sp, loaded.entry
        proc.brk_start = proc.brk = loaded.brk_start
        proc.brk_limit = loaded.brk_limit
        self.kernel.sched.enqueue(proc, new=True)
        return proc

    def start_host_process(self, path: str, program: bytes, argv=None, *, stdout=None):
        """An ordinary process *outside* any container, for comparisons: ``program``
        written to ``path`` in the host's root, exec'd in the host's namespaces and root
        cgroup, as a child of the host init (what ``vlab os run`` would start)."""
        from vlab.os.errno import SyscallError

        from .process import ProcessConfig
        populate(self.kernel.root_ns.mnt.root().inode, {path: program})
        out = stdout if stdout is not None else io.BytesIO()
        plan = LaunchPlan("host", [], None, ProcessConfig(list(argv or [path]), [], "/"),
                          stdout=out, stderr=out)
        try:
            proc = self._pid1(plan, self.init.ns, self.root_cgroup)
        except SyscallError as exc:
            raise ContainerError(f"cannot start {path}: {exc.why}") from None
        return ContainerRun(plan, proc, self.root_cgroup, self.init.ns)

    # ------------------------------------------------------------ running

    def run(self, budget: int):
        """Run until every container ended (the host init then exits) or ``budget``
        instructions; a container still running then stays so (its outcome says
        ``running``): the host can run again."""
        result = self.machine.run(max_instructions=budget)
        return result


def _lookup(context, path: str):
    from vlab.os.vfs.namei import lookup
    return lookup(context, context.root, path)


def run_container(plan: LaunchPlan) -> Outcome:
    """One container on a fresh host, to its end or its budget (the runtime's launcher)."""
    host = Host()
    run = host.start(plan)
    host.run(plan.budget)
    outcome = run.outcome(host)
    if outcome.running:             # the budget is spent: the runtime kills the container
        return replace(outcome, exit_code=128 + SIGKILL, stopped_by="budget",
                       detail="the instruction budget ran out")
    return outcome
