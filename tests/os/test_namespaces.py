"""Namespaces: nested PID numbers, uid/gid maps, and the calls that use them (getuid in
a user namespace, unshare and setns privileges, sethostname, kill permissions)."""
from __future__ import annotations

import io
import struct

from vlab.isa.machine import Machine
from vlab.os.aspace import AddressSpace
from vlab.os.frames import FrameAllocator
from vlab.os.kernel import Kernel
from vlab.os.namespaces import (
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUSER,
    CLONE_NEWUTS,
    OVERFLOW_ID,
    NamespaceSet,
    PidNamespace,
    UserNamespace,
)
from vlab.os.syscall import NUMBERS

DATA = 0x2_0000
EPERM, ESRCH, EINVAL = 1, 3, 22


def kernel_with(*uids):
    """A kernel with one paged process per uid (all in the root namespaces)."""
    machine = Machine(ram_size=8 << 20)
    frames = FrameAllocator(machine.bus, machine.ram.base + 4096,
                            machine.ram.base + machine.ram.size)
    kernel = Kernel(frames=frames)
    procs = []
    for uid in uids:
        space = AddressSpace(frames)
        space.map(DATA, 0x2000, writable=True)
        procs.append(kernel.spawn(space, brk_start=0, brk_limit=0, stdin=io.BytesIO(),
                                  stdout=io.BytesIO(), stderr=io.BytesIO(), uid=uid,
                                  gid=uid))
    return kernel, procs


def call(kernel, proc, name, *args):
    result = kernel.syscall(proc, NUMBERS[name], [*args, 0, 0, 0, 0, 0, 0][:6])
    return result - (1 << 32) if result & 0x8000_0000 else result


def test_a_nested_pid_namespace_numbers_from_1_and_the_parent_sees_other_numbers():
    root = PidNamespace()
    outer = [object.__new__(type("P", (), {})) for _ in range(2)]
    for proc in outer:
        proc.pids = root.alloc(proc)
    child_ns = PidNamespace(root)
    inner = object.__new__(type("P", (), {}))
    inner.pids = child_ns.alloc(inner)
    assert inner.pids == {child_ns: 1, root: 3}
    assert child_ns.init is inner and root.init is outer[0]
    assert child_ns.contains(inner) and not child_ns.contains(outer[0])
    assert list(child_ns.ancestry()) == [child_ns, root]


def test_uid_maps_translate_both_ways_and_unmapped_ids_overflow():
    root = UserNamespace()
    child = UserNamespace(root, owner=1000)
    child.set_map("uid", [(0, 1000, 1)])
    assert child.to_outer("uid", 0) == 1000 and child.from_outer("uid", 1000) == 0
    assert child.to_outer("uid", 5) == OVERFLOW_ID
    assert child.from_outer("uid", 0) == OVERFLOW_ID
    grandchild = UserNamespace(child)
    grandchild.set_map("uid", [(7, 0, 1)])
    assert grandchild.to_outer("uid", 7) == 1000


def test_clone_flags_give_fresh_namespaces_and_share_the_rest():
    ns = NamespaceSet.root()
    child = ns.copy(CLONE_NEWUTS | CLONE_NEWPID)
    assert child.uts is not ns.uts and child.uts.hostname == ns.uts.hostname
    assert child.pid.parent is ns.pid and child.ipc is ns.ipc and child.net is ns.net
    unshared = ns.unshare(CLONE_NEWPID | CLONE_NEWNET)
    assert unshared.pid is ns.pid and unshared.pid_for_children.parent is ns.pid
    assert unshared.net.interfaces == ["lo"] and unshared.net is not ns.net


def test_getuid_in_a_user_namespace_reads_through_its_map():
    kernel, (proc,) = kernel_with(1000)
    assert call(kernel, proc, "getuid") == 1000
    assert call(kernel, proc, "unshare", CLONE_NEWUTS) == -EPERM     # not root
    assert call(kernel, proc, "unshare", CLONE_NEWUSER | CLONE_NEWUTS) == 0
    assert call(kernel, proc, "getuid") == OVERFLOW_ID             # no map yet
    proc.ns.user.set_map("uid", [(0, 1000, 1)])
    assert call(kernel, proc, "getuid") == 0 and proc.creds.uid == 1000
    proc.space.write(DATA, b"box")
    assert call(kernel, proc, "sethostname", DATA, 3) == 0          # root in there
    assert proc.ns.uts.hostname == "box" and kernel.root_ns.uts.hostname == "vlab"


def test_an_unprivileged_process_cannot_set_the_hostname_or_another_uid():
    kernel, (proc,) = kernel_with(1000)
    proc.space.write(DATA, b"evil")
    assert call(kernel, proc, "sethostname", DATA, 4) == -EPERM
    assert call(kernel, proc, "setuid", 0) == -EPERM
    assert call(kernel, proc, "setuid", 1000) == 0
    assert call(kernel, proc, "sethostname", DATA, 65) == -EPERM


def test_root_may_drop_to_another_uid_for_good():
    kernel, (proc,) = kernel_with(0)
    assert call(kernel, proc, "setuid", 1000) == 0
    assert (proc.creds.uid, proc.creds.euid, proc.creds.suid) == (1000, 1000, 1000)
    assert call(kernel, proc, "setuid", 0) == -EPERM
    proc.space.write(DATA, bytes(12))
    assert call(kernel, proc, "getresuid", DATA, DATA + 4, DATA + 8) == 0
    assert struct.unpack("<3I", proc.space.read(DATA, 12)) == (1000, 1000, 1000)


def test_kill_needs_the_same_user_or_root():
    kernel, (alice, bob, root) = kernel_with(1000, 2000, 0)
    assert call(kernel, alice, "kill", bob.pid, 0) == -EPERM
    assert call(kernel, root, "kill", bob.pid, 0) == 0
    assert call(kernel, alice, "kill", 999, 0) == -ESRCH
    assert call(kernel, alice, "kill", alice.pid, 65) == -EINVAL


def test_setns_joins_another_process_uts_namespace():
    kernel, (first, second) = kernel_with(0, 0)
    assert call(kernel, second, "unshare", CLONE_NEWUTS) == 0
    second.ns.uts.hostname = "other"
    assert call(kernel, first, "setns", second.pid, CLONE_NEWUTS) == 0
    assert first.ns.uts is second.ns.uts
    assert call(kernel, first, "setns", 77, 0) == -ESRCH
    assert call(kernel, first, "setns", second.pid, 3) == -EINVAL


def test_unshare_of_the_mount_namespace_copies_the_table_and_moves_root_and_cwd():
    kernel, (proc,) = kernel_with(0)
    old = proc.ns.mnt
    assert old is kernel.root_ns.mnt is not None
    assert call(kernel, proc, "unshare", CLONE_NEWNS) == 0
    assert proc.ns.mnt is not old and proc.fs.root.mount is not old.root().mount
    assert proc.fs.path_of(proc.fs.cwd) == "/"


def test_a_namespace_init_gets_from_outside_only_sigkill_sigstop_or_handled_signals():
    kernel, (host,) = kernel_with(0)
    ns = host.ns.copy(CLONE_NEWPID)
    inner_init = kernel.new_process(host.space.fork(), host.files.fork(), parent=host,
                                    ns=ns)
    worker = kernel.new_process(host.space.fork(), host.files.fork(), parent=inner_init,
                                ns=ns)
    assert inner_init.pid_in(ns.pid) == 1 and worker.pid_in(ns.pid) == 2
    assert kernel.lookup(worker, 1) is inner_init and kernel.lookup(worker, worker.pid) is None
    sigterm, sigkill = 15, 9
    call(kernel, host, "kill", inner_init.pid, sigterm)       # from outside, no handler
    assert inner_init.pending == 0
    call(kernel, worker, "kill", 1, sigterm)                  # from inside, no handler
    assert inner_init.pending == 0
    call(kernel, host, "kill", inner_init.pid, sigkill)
    assert inner_init.pending == 1 << (sigkill - 1)
    kernel.do_exit(inner_init, None, signal=sigkill)          # what delivery does
    assert worker.state == "Z" and worker.pid not in kernel.processes   # killed, reaped
    assert inner_init.state == "Z" and inner_init in host.children       # host reaps it


def test_orphans_in_a_namespace_go_to_its_init():
    kernel, (host,) = kernel_with(0)
    ns = host.ns.copy(CLONE_NEWPID)
    inner_init = kernel.new_process(host.space.fork(), host.files.fork(), parent=host,
                                    ns=ns)
    middle = kernel.new_process(host.space.fork(), host.files.fork(), parent=inner_init,
                                ns=ns)
    leaf = kernel.new_process(host.space.fork(), host.files.fork(), parent=middle, ns=ns)
    kernel.do_exit(middle, 0)
    assert leaf.parent is inner_init and leaf in inner_init.children
    assert call(kernel, leaf, "getppid") == 1


def test_pid_exhaustion_is_eagain_and_takes_no_pid():
    from vlab.os.errno import SyscallError
    from vlab.os.namespaces import PID_MAX
    root = PidNamespace()
    child_ns = PidNamespace(root)
    holder = type("P", (), {})
    for _ in range(PID_MAX - 1):
        proc = holder()
        proc.pids = root.alloc(proc)
    try:
        child_ns.alloc(holder())
    except SyscallError as error:
        assert error.errno == 11 and not child_ns.by_pid          # nothing taken inside
    else:
        raise AssertionError("no EAGAIN")
    del root.by_pid[5]                                              # pid 5 is free again
    again = holder()
    assert root.alloc(again) == {root: 5}
