"""cgroup tree: create/remove, processes in cgroups, fork/exit/release, moves, controllers
enabled through cgroup.subtree_control."""
from __future__ import annotations

import pytest

from vlab.os.cgroup import Cgroup
from vlab.os.errno import EACCES, EAGAIN, EBUSY, EEXIST, EINVAL, ENOENT, ESRCH, SyscallError


class Proc:
    """The attributes of a kernel Process the cgroup code uses."""

    def __init__(self, pid):
        self.pid, self.state, self.exit_status, self.cgroup = pid, "R", None, None


def errno_of(call, *args):
    with pytest.raises(SyscallError) as info:
        call(*args)
    assert info.value.why, "every refusal says why"
    return info.value.errno


def test_paths_and_lookup():
    root = Cgroup.new_root()
    b = root.create("a").create("b")
    assert root.path == "/" and b.path == "/a/b"
    assert root.lookup("/a/b") is b and root.lookup("a").lookup("b") is b
    assert b.root is root and list(b.ancestors()) == [b, b.parent, root]
    assert b.is_within(root) and not root.is_within(b)
    assert errno_of(root.lookup, "/a/c") == ENOENT


def test_create_refuses_bad_and_taken_names():
    root = Cgroup.new_root()
    root.create("a")
    assert errno_of(root.create, "a") == EEXIST
    assert errno_of(root.create, "cgroup.procs") == EEXIST       # an interface file
    for bad in ("", ".", "..", "x/y", "n" * 256):
        assert errno_of(root.create, bad) == EINVAL


def test_remove_only_when_empty():
    root = Cgroup.new_root()
    a = root.create("a")
    child = a.create("b")
    assert errno_of(a.remove) == EBUSY                           # has a child
    child.remove()
    p = Proc(2)
    a.fork(p)
    assert errno_of(a.remove) == EBUSY                           # has a process
    a.exit(p)                                                    # zombies do not count
    a.remove()
    assert "a" not in root.children and a.removed
    assert errno_of(root.remove) == EBUSY
    assert errno_of(a.fork, Proc(3)) == ENOENT                   # a removed cgroup is dead


def test_fork_exit_release_and_populated():
    root = Cgroup.new_root()
    a = root.create("a")
    b = a.create("b")
    d = a.create("d")
    p = Proc(5)
    b.fork(p)
    assert p.cgroup is b and b.procs == [p]
    assert a.populated and b.populated and not d.populated
    assert (root.pids.current, a.pids.current, b.pids.current) == (1, 1, 1)
    b.exit(p)                                                    # zombie: still charged
    assert not a.populated and b.pids.current == 1
    b.release(p)                                                 # reaped
    assert (root.pids.current, a.pids.current, b.pids.current) == (0, 0, 0)


def test_attach_moves_process_and_pids_count():
    root = Cgroup.new_root()
    a, b = root.create("a"), root.create("b")
    p = Proc(7)
    a.fork(p)
    b.pids.max = 0                                   # moves are not limited by pids.max
    b.attach(p)
    assert p.cgroup is b and a.procs == [] and b.procs == [p]
    assert (a.pids.current, b.pids.current, root.pids.current) == (0, 1, 1)
    assert errno_of(b.fork, Proc(8)) == EAGAIN       # ...but forks are
    p.state = "Z"
    assert errno_of(a.attach, p) == ESRCH            # a zombie cannot be moved


def test_subtree_control_enables_files_and_resets_on_disable():
    root = Cgroup.new_root()
    a = root.create("a")
    b = a.create("b")
    assert root.available_controllers() == {"cpu", "io", "memory", "pids"}
    assert a.enabled("memory") and not b.enabled("memory")
    assert b.file_spec("memory.max") is None and a.file_spec("memory.max") is not None
    assert errno_of(b.set_subtree_control, {"memory"}, set()) == ENOENT   # top-down
    a.set_subtree_control({"memory", "pids"}, set())
    assert b.enabled("memory") and b.file_spec("memory.max") is not None
    b.set_subtree_control({"memory"}, set())
    assert errno_of(a.set_subtree_control, set(), {"memory"}) == EBUSY    # b uses it
    b.set_subtree_control(set(), {"memory"})
    b.pids.max = 3
    a.set_subtree_control(set(), {"pids"})
    assert b.pids.max is None and b.file_spec("pids.max") is None


def test_read_and_write_files_by_name():
    root = Cgroup.new_root()
    box = root.create("box")
    box.write_file("memory.max", "64M")
    box.write_file("cpu.max", "150000 100000")
    box.write_file("pids.max", "max")
    assert box.read_file("memory.max") == f"{64 << 20}\n"
    assert box.read_file("cpu.max") == "150000 100000\n"
    assert box.read_file("pids.max") == "max\n"
    assert errno_of(box.write_file, "memory.current", "0") == EACCES
    assert errno_of(box.read_file, "cgroup.kill") == EACCES
    assert errno_of(root.write_file, "memory.max", "1") == ENOENT       # not on the root
    inner = box.create("inner")
    with pytest.raises(SyscallError) as info:
        inner.write_file("pids.max", "5")
    assert info.value.errno == ENOENT and "subtree_control" in info.value.why
    box.fork(Proc(2))
    assert errno_of(box.write_file, "cgroup.kill", "1") == EINVAL       # no kernel here
    assert errno_of(box.write_file, "cgroup.kill", "2") == EINVAL


def test_hierarchy_limits_stop_a_cgroup_bomb():
    root = Cgroup.new_root()
    box = root.create("box")
    box.write_file("cgroup.max.descendants", "3")
    box.write_file("cgroup.max.depth", "2\n")
    assert box.read_file("cgroup.max.descendants") == "3\n"
    assert root.read_file("cgroup.max.depth") == "max\n"
    a = box.create("a")
    a_b = a.create("b")
    assert errno_of(a_b.create, "c") == EAGAIN           # 3 levels below box
    box.create("d")
    assert errno_of(box.create, "e") == EAGAIN           # box has 3 descendants
    a_b.remove()
    box.create("e")
    assert errno_of(box.write_file, "cgroup.max.depth", "-1") == EINVAL
    box.write_file("cgroup.max.descendants", "max")
    box.create("f")
