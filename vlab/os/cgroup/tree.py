"""The cgroup tree: control groups of processes, each with its controllers' state.

Documentation/admin-guide/cgroup-v2.rst, "Basic Operations"; kernel/cgroup/cgroup.c.
cgroups form one tree (v2 has a single hierarchy); every process belongs to exactly one
cgroup (``proc.cgroup``), a child is born into its parent's cgroup, and writing a pid to
``cgroup.procs`` moves a process.  A cgroup with live processes or with children cannot
be removed (EBUSY).

Each cgroup carries one object per controller (``cpu``, ``memory``, ``pids``, ``io``).
A controller is *enabled* in a cgroup when its parent lists it in
``cgroup.subtree_control`` (the root has every controller); only then does the cgroup
show the controller's files.  Limits are hierarchical: each controller checks the limit
of every ancestor (the effective limit is the smallest), and charges count in every
ancestor.

The life cycle calls the kernel makes, in order:

* ``cgroup.fork(child)`` -- before the child runs (raises EAGAIN at pids.max; then the
  kernel abandons the child);
* ``cgroup.exit(proc)`` -- the process became a zombie (leaves ``cgroup.procs``;
  ``populated`` may drop to 0);
* ``cgroup.release(proc)`` -- the zombie was reaped (pids uncharged).

Simplified, as a model: the root starts with every controller enabled in its
``cgroup.subtree_control`` (as systemd does at boot), so new cgroups get all files;
the "no internal processes" rule (a non-root cgroup with processes may not enable
controllers for its children) is *not* enforced; there are no threaded cgroups,
``cgroup.freeze`` or cgroup namespaces (``cgroupfs.py`` gives a container a delegated
view of its subtree instead).  Disabling a controller returns the children's settings
of that controller to the defaults (Linux destroys and later re-creates its state).
"""

from __future__ import annotations

from ..errno import EACCES, EAGAIN, EBUSY, EEXIST, EINVAL, ENOENT, ESRCH, SyscallError
from .cpu import CpuController
from .io import IoController
from .memory import MemoryController
from .pids import PidsController

CONTROLLERS = {"cpu": CpuController, "io": IoController, "memory": MemoryController,
               "pids": PidsController}
NAME_MAX = 255


class Cgroup:
    """One control group: its children, its processes, its controllers."""

    def __init__(self, name: str = "", parent: Cgroup | None = None):
        self.name = name
        self.parent = parent
        self.children: dict[str, Cgroup] = {}
        self.procs: list = []                 # live processes (not zombies), by arrival
        self.subtree_control: set[str] = set()
        self.max_descendants: int | None = None     # cgroup.max.descendants
        self.max_depth: int | None = None           # cgroup.max.depth
        self.removed = False
        for controller_name, cls in CONTROLLERS.items():
            setattr(self, controller_name, cls(self))
        if parent is None:                    # the root: host-wide settings
            self.subtree_control = set(CONTROLLERS)
            self.io_devices: dict[tuple[int, int], str] = {}
            self.oom_handler = None           # kernel: callable(memory controller)

    @classmethod
    def new_root(cls) -> Cgroup:
        """The root cgroup of a new hierarchy (the kernel's ``root_cgroup``)."""
        return cls()

    # -- the tree ---------------------------------------------------------------------

    @property
    def root(self) -> Cgroup:
        node = self
        while node.parent is not None:
            node = node.parent
        return node

    @property
    def is_root(self) -> bool:
        return self.parent is None

    @property
    def path(self) -> str:
        """The path below the cgroupfs mount point: ``/`` for the root, ``/a/b``."""
        parts = []
        node = self
        while node.parent is not None:
            parts.append(node.name)
            node = node.parent
        return "/" + "/".join(reversed(parts))

    def ancestors(self):
        """This cgroup, its parent, ..., the root (the levels a limit is checked at)."""
        node = self
        while node is not None:
            yield node
            node = node.parent

    def is_within(self, other: Cgroup) -> bool:
        """True if this cgroup is ``other`` or below it."""
        return any(node is other for node in self.ancestors())

    def descendants(self):
        """This cgroup and every cgroup below it, parents first."""
        yield self
        for child in self.children.values():
            yield from child.descendants()

    def lookup(self, path: str) -> Cgroup:
        """The cgroup at ``path`` (``/a/b``, relative to this one), or ENOENT."""
        node = self
        for part in path.strip("/").split("/"):
            if not part:
                continue
            if part not in node.children:
                raise SyscallError(ENOENT, f"cgroup {path}: no cgroup named {part!r} in "
                                   f"{node.path}")
            node = node.children[part]
        return node

    def create(self, name: str) -> Cgroup:
        """mkdir: a child cgroup (EEXIST if the name is taken, EINVAL if it is not a
        file name, EAGAIN past an ancestor's cgroup.max.descendants or max.depth)."""
        if (not name or "/" in name or "\0" in name or name in (".", "..")
                or len(name.encode()) > NAME_MAX):
            raise SyscallError(EINVAL, f"cgroup name {name!r}: must be a non-empty file "
                               f"name of at most {NAME_MAX} bytes without '/'")
        if name in self.children or self.file_spec(name) is not None:
            raise SyscallError(EEXIST, f"{self.path}: {name!r} already exists")
        if self.removed:
            raise SyscallError(ENOENT, f"cgroup {self.path} was removed")
        self._check_hierarchy_limits()
        child = self.children[name] = Cgroup(name, self)
        return child

    def _check_hierarchy_limits(self) -> None:
        """kernel/cgroup/cgroup.c ``cgroup_check_hierarchy_limits``: a new child of this
        cgroup is ``level`` levels below each ancestor."""
        for level, node in enumerate(self.ancestors(), start=1):
            descendants = sum(1 for _ in node.descendants()) - 1
            if node.max_descendants is not None and descendants >= node.max_descendants:
                raise SyscallError(EAGAIN, f"cgroup {node.path} already has {descendants} "
                                   "descendants: cgroup.max.descendants is "
                                   f"{node.max_descendants}")
            if node.max_depth is not None and level > node.max_depth:
                raise SyscallError(EAGAIN, f"a new cgroup would be {level} levels below "
                                   f"{node.path}: cgroup.max.depth is {node.max_depth}")

    def remove(self) -> None:
        """rmdir: EBUSY while the cgroup has live processes or children."""
        if self.is_root:
            raise SyscallError(EBUSY, "the root cgroup cannot be removed")
        if self.children:
            raise SyscallError(EBUSY, f"cgroup {self.path} has child cgroups "
                               f"({', '.join(sorted(self.children))}); remove them first")
        if self.procs:
            raise SyscallError(EBUSY, f"cgroup {self.path} has {len(self.procs)} "
                               "processes; move them out first")
        del self.parent.children[self.name]
        self.removed = True

    def file_spec(self, name: str):
        """The interface file ``name`` of this cgroup, or None (files.py)."""
        from .files import spec_for
        return spec_for(self, name)

    def read_file(self, name: str, *, access=None, reader=None) -> str:
        """The text of interface file ``name`` (as ``cat``); ENOENT if this cgroup has
        no such file, EACCES if it is write-only.  ``access``: a ``files.Access`` (the
        kernel's, for cgroup.procs and cpu.stat; a default one without processes)."""
        from .files import Access
        spec = self._spec_or_enoent(name)
        if spec.read is None:
            raise SyscallError(EACCES, f"{self.path}/{name} is write-only")
        return spec.read(self, access or Access(), reader)

    def write_file(self, name: str, text: str, *, access=None, writer=None) -> None:
        """Write ``text`` to interface file ``name`` (as ``echo TEXT > name``): the
        container runtime sets limits so.  ENOENT/EACCES as ``read_file``; a value the
        file refuses raises its errno with the reason."""
        from .files import Access
        spec = self._spec_or_enoent(name)
        if spec.write is None:
            raise SyscallError(EACCES, f"{self.path}/{name} is read-only")
        spec.write(self, access or Access(), text, writer)

    def _spec_or_enoent(self, name: str):
        spec = self.file_spec(name)
        if spec is None:
            enable = name.partition(".")[0]
            hint = (f" (enable {enable} in the parent's cgroup.subtree_control)"
                    if enable in CONTROLLERS and not self.is_root else "")
            raise SyscallError(ENOENT, f"cgroup {self.path} has no file {name!r}{hint}")
        return spec

    # -- controllers ------------------------------------------------------------------

    def enabled(self, controller: str) -> bool:
        """Is ``controller`` enabled in this cgroup (listed in cgroup.controllers)?"""
        return controller in self.available_controllers()

    def available_controllers(self) -> set[str]:
        """cgroup.controllers: every controller at the root, else the parent's
        subtree_control."""
        return set(CONTROLLERS) if self.is_root else set(self.parent.subtree_control)

    def set_subtree_control(self, enable: set[str], disable: set[str]) -> None:
        """Enable and disable controllers for the children, all or nothing: a controller
        must be available here (ENOENT) and cannot be disabled while a child enables it
        for its own children (EBUSY)."""
        missing = enable - self.available_controllers()
        if missing:
            raise SyscallError(ENOENT, f"cgroup.subtree_control of {self.path}: "
                               f"{', '.join(sorted(missing))} not in cgroup.controllers "
                               "(enable it in the parent first)")
        for child in self.children.values():
            busy = disable & child.subtree_control
            if busy:
                raise SyscallError(EBUSY, f"cgroup.subtree_control of {self.path}: "
                                   f"child {child.name} still enables "
                                   f"{', '.join(sorted(busy))}")
        turned_off = disable & self.subtree_control
        self.subtree_control = (self.subtree_control | enable) - disable
        for child in self.children.values():
            for controller in turned_off:
                getattr(child, controller).reset()

    # -- processes --------------------------------------------------------------------

    @property
    def populated(self) -> bool:
        """cgroup.events ``populated``: a live process here or below."""
        return any(node.procs for node in self.descendants())

    def fork(self, child) -> None:
        """``child`` is being forked by a process of this cgroup: charge pids (EAGAIN at
        pids.max anywhere up the tree) and put it here."""
        if self.removed:
            raise SyscallError(ENOENT, f"cgroup {self.path} was removed")
        self.pids.try_fork()
        self._add(child)

    def attach(self, proc) -> None:
        """Move a live process here from its current cgroup (cgroup.procs write)."""
        if getattr(proc, "state", "R") == "Z" or getattr(proc, "exit_status", None) is not None:
            raise SyscallError(ESRCH, f"process {proc.pid} has exited; a zombie cannot be "
                               "moved")
        if self.removed:
            raise SyscallError(ENOENT, f"cgroup {self.path} was removed")
        old = getattr(proc, "cgroup", None)
        if old is self:
            return
        self.pids.charge(1)
        if old is not None:
            old.exit(proc)
            old.pids.release(1)
        self._add(proc)

    def exit(self, proc) -> None:
        """``proc`` became a zombie: it leaves cgroup.procs (still charged in pids)."""
        if proc in self.procs:
            self.procs.remove(proc)

    def release(self, proc) -> None:
        """``proc`` was reaped: uncharge it from pids."""
        self.exit(proc)
        self.pids.release(1)

    def _add(self, proc) -> None:
        self.procs.append(proc)
        proc.cgroup = self

    def __repr__(self) -> str:
        return f"<Cgroup {self.path} procs={len(self.procs)} children={len(self.children)}>"
