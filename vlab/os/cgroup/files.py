"""The interface files of a cgroup directory, as a table: name -> how to read and write it.

The names, which cgroups have them and their formats follow
Documentation/admin-guide/cgroup-v2.rst ("Core Interface Files" and each controller's
"Interface Files"): ``cgroup.*`` files exist in every cgroup (``cgroup.events`` not in
the root); a controller's files exist in a non-root cgroup only while the controller is
enabled there (``cpu.stat`` always exists, ``io.stat`` also in the root).

A reader gets text; a writer gives text (what ``echo`` writes, newline included).  Each
row's functions take the cgroup and an ``Access`` context (below): who reads or writes,
the processes, the guest time and how to kill.  ``Cgroup.read_file``/``write_file``
use this table directly (the container runtime writes its limits so); cgroupfs
(``cgroupfs.py``) puts it behind the VFS.

Simplified, as a model: of the core files we have ``cgroup.procs``,
``cgroup.controllers``, ``cgroup.subtree_control``, ``cgroup.events``, ``cgroup.stat``,
``cgroup.kill`` and ``cgroup.max.depth``/``cgroup.max.descendants``; no
``cgroup.threads``, ``cgroup.type``, ``cgroup.freeze``, pressure files or ``*.local``
variants.
"""

from __future__ import annotations

from typing import NamedTuple

from ..errno import EINVAL, ENOENT, ESRCH, SyscallError
from ..signal import SIGKILL
from .parse import format_flat, format_limit, invalid, parse_limit, parse_uint

ALL, NON_ROOT = "all", "non-root"
CONTROLLER_ORDER = ("cpu", "io", "memory", "pids")


class Access:
    """Who is asking and when: what the interface files need from the kernel.

    * ``now_ns()`` -- guest time (cpu.stat);
    * ``current()`` -- the process reading or writing (when none is passed);
    * ``find_process(pid, writer)`` -- the live process a pid written to cgroup.procs
      names in the writer's PID namespace (0: the writer itself), or None;
    * ``pid_of(proc, reader)`` -- its pid in the reader's PID namespace (0 if it cannot
      see it there, as Linux's ``task_pid_vnr``);
    * ``kill(proc)`` -- send SIGKILL (cgroup.kill);
    * ``view_root`` -- the cgroup a delegated view (a container's cgroupfs) shows as its
      root, or None: a process may be moved only from a cgroup inside it (ENOENT
      otherwise, as cgroup-v2.rst's "Delegation Containment" for namespaces)."""

    def __init__(self, *, processes=None, now_ns=lambda: 0, current=lambda: None,
                 kill=None, view_root=None):
        self.processes = processes if processes is not None else {}
        self.now_ns = now_ns
        self.current = current
        self._kill = kill
        self.view_root = view_root

    def viewed_from(self, view_root) -> Access:
        """The same kernel seen from a delegated view rooted at ``view_root``."""
        return Access(processes=self.processes, now_ns=self.now_ns, current=self.current,
                      kill=self._kill, view_root=view_root)

    @classmethod
    def for_kernel(cls, kernel) -> Access:
        """The access of ``kernel``: its process table, clock, current process and
        ``send_signal``."""
        return cls(processes=kernel.processes, now_ns=kernel.now_ns,
                   current=lambda: kernel.current,
                   kill=lambda proc: kernel.send_signal(proc, SIGKILL))

    def find_process(self, pid: int, writer):
        if pid == 0:
            return writer
        pid_ns = _pid_ns(writer)
        proc = (pid_ns.by_pid.get(pid) if pid_ns is not None
                else self.processes.get(pid))
        if proc is None or getattr(proc, "state", "R") == "Z":
            return None
        return proc

    def pid_of(self, proc, reader) -> int:
        pid_ns = _pid_ns(reader)
        return proc.pid if pid_ns is None else proc.pid_in(pid_ns)

    def kill(self, proc) -> None:
        if self._kill is None:
            raise SyscallError(EINVAL, "cgroup.kill: this cgroup tree has no kernel to "
                               "send signals (Access without kill)")
        self._kill(proc)


def _pid_ns(proc):
    ns = getattr(proc, "ns", None)
    return getattr(ns, "pid", None) if ns is not None else None


class FileSpec(NamedTuple):
    """One interface file: its name, the controller it belongs to (None: core), which
    cgroups have it, and its reader (None: write-only) and writer (None: read-only)."""

    name: str
    controller: str | None
    where: str
    read: object
    write: object = None

    @property
    def mode(self) -> int:
        """Permission bits: 0644 if writable, 0444 read-only, 0200 write-only."""
        if self.read is None:
            return 0o200
        return 0o644 if self.write is not None else 0o444


# -- core files -------------------------------------------------------------------------

def read_procs(cg, ctx, reader=None) -> str:
    return "".join(f"{ctx.pid_of(proc, reader)}\n" for proc in cg.procs)


def write_procs(cg, ctx, text: str, writer=None) -> None:
    """One pid per write (cgroup-v2.rst: "Only one process can be migrated on a single
    write(2) call"); 0 moves the writer."""
    accepted = "one process id (0: the writing process)"
    tokens = text.split()
    if len(tokens) != 1:
        raise invalid("cgroup.procs", text.strip(), accepted)
    pid = parse_uint("cgroup.procs", tokens[0], accepted)
    proc = ctx.find_process(pid, writer)
    if proc is None:
        raise SyscallError(ESRCH, f"cgroup.procs: no process {pid}")
    source = getattr(proc, "cgroup", None)
    if ctx.view_root is not None and (source is None or not source.is_within(ctx.view_root)):
        raise SyscallError(ENOENT, f"cgroup.procs: process {pid} is in a cgroup outside "
                           "this delegated view; it cannot be moved from here")
    cg.attach(proc)


def read_controllers(cg, ctx, reader=None) -> str:
    return " ".join(sorted(cg.available_controllers())) + "\n"


def read_subtree_control(cg, ctx, reader=None) -> str:
    return " ".join(sorted(cg.subtree_control)) + "\n"


def write_subtree_control(cg, ctx, text: str, writer=None) -> None:
    """``+NAME`` enables, ``-NAME`` disables; the last mention of a name wins; all or
    nothing (kernel/cgroup/cgroup.c ``cgroup_subtree_control_write``)."""
    accepted = "space-separated +NAME or -NAME with NAME one of " + ", ".join(CONTROLLER_ORDER)
    enable: set[str] = set()
    disable: set[str] = set()
    for token in text.split():
        sign, name = token[:1], token[1:]
        if sign not in "+-" or name not in CONTROLLER_ORDER:
            raise SyscallError(EINVAL, f"cgroup.subtree_control: {token!r} is not "
                               f"accepted; write {accepted}")
        (enable if sign == "+" else disable).add(name)
        (disable if sign == "+" else enable).discard(name)
    cg.set_subtree_control(enable, disable)


def read_events(cg, ctx, reader=None) -> str:
    return format_flat([("populated", int(cg.populated)), ("frozen", 0)])


def write_kill(cg, ctx, text: str, writer=None) -> None:
    """"1" kills every process of the cgroup and its descendants with SIGKILL."""
    if text.split() != ["1"]:
        raise invalid("cgroup.kill", text.strip(), "1")
    for node in list(cg.descendants()):
        for proc in list(node.procs):
            ctx.kill(proc)


INT_MAX = (1 << 31) - 1


def _hierarchy_limit(attribute: str, file: str):
    def read(cg, ctx, reader=None) -> str:
        return format_limit(getattr(cg, attribute))

    def write(cg, ctx, text: str, writer=None) -> None:
        setattr(cg, attribute, parse_limit(file, text, low=0, high=INT_MAX))
    return read, write


def read_cgroup_stat(cg, ctx, reader=None) -> str:
    return format_flat([("nr_descendants", sum(1 for _ in cg.descendants()) - 1),
                        ("nr_dying_descendants", 0)])


# -- controller files: thin rows over the controllers' own readers and writers -----------

def _reader(controller: str, method: str):
    return lambda cg, ctx, reader=None: getattr(getattr(cg, controller), method)()


def _writer(controller: str, method: str):
    return lambda cg, ctx, text, writer=None: getattr(getattr(cg, controller), method)(text)


def read_cpu_stat(cg, ctx, reader=None) -> str:
    return cg.cpu.read_stat(ctx.now_ns(), bandwidth=not cg.is_root and cg.enabled("cpu"))


FILES = [
    FileSpec("cgroup.controllers", None, ALL, read_controllers),
    FileSpec("cgroup.events", None, NON_ROOT, read_events),
    FileSpec("cgroup.kill", None, NON_ROOT, None, write_kill),
    FileSpec("cgroup.max.depth", None, ALL,
             *_hierarchy_limit("max_depth", "cgroup.max.depth")),
    FileSpec("cgroup.max.descendants", None, ALL,
             *_hierarchy_limit("max_descendants", "cgroup.max.descendants")),
    FileSpec("cgroup.procs", None, ALL, read_procs, write_procs),
    FileSpec("cgroup.stat", None, ALL, read_cgroup_stat),
    FileSpec("cgroup.subtree_control", None, ALL, read_subtree_control,
             write_subtree_control),
    FileSpec("cpu.max", "cpu", NON_ROOT, _reader("cpu", "read_max"), _writer("cpu", "write_max")),
    FileSpec("cpu.stat", None, ALL, read_cpu_stat),          # exists enabled or not
    FileSpec("cpu.weight", "cpu", NON_ROOT, _reader("cpu", "read_weight"),
             _writer("cpu", "write_weight")),
    FileSpec("io.max", "io", NON_ROOT, _reader("io", "read_max"), _writer("io", "write_max")),
    FileSpec("io.stat", "io", ALL, _reader("io", "read_stat")),
    FileSpec("memory.current", "memory", NON_ROOT, _reader("memory", "read_current")),
    FileSpec("memory.events", "memory", NON_ROOT, _reader("memory", "read_events")),
    FileSpec("memory.max", "memory", NON_ROOT, _reader("memory", "read_max"),
             _writer("memory", "write_max")),
    FileSpec("memory.peak", "memory", NON_ROOT, _reader("memory", "read_peak"),
             _writer("memory", "write_peak")),
    FileSpec("pids.current", "pids", NON_ROOT, _reader("pids", "read_current")),
    FileSpec("pids.events", "pids", NON_ROOT, _reader("pids", "read_events")),
    FileSpec("pids.max", "pids", NON_ROOT, _reader("pids", "read_max"),
             _writer("pids", "write_max")),
    FileSpec("pids.peak", "pids", NON_ROOT, _reader("pids", "read_peak")),
]
FILES_BY_NAME = {spec.name: spec for spec in FILES}


def exists_in(spec: FileSpec, cg) -> bool:
    """Does cgroup ``cg`` have the file of ``spec``?"""
    if spec.where == NON_ROOT and cg.is_root:
        return False
    return spec.controller is None or cg.enabled(spec.controller)


def spec_for(cg, name: str) -> FileSpec | None:
    """The interface file ``name`` of ``cg``, or None if it has no such file."""
    spec = FILES_BY_NAME.get(name)
    return spec if spec is not None and exists_in(spec, cg) else None


def file_names(cg) -> list[str]:
    """The interface files of ``cg``, in directory order."""
    return [spec.name for spec in FILES if exists_in(spec, cg)]
