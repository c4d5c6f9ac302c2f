"""procfs: processes and kernel state as files (``proc(5)``).

Like Linux's ``fs/proc/``: nothing is stored; each file is generated when read
(``synthetic.py``) from the kernel's tables, *as the reading process sees them*:

==================  ====================================================================
``/proc/self``      a symbolic link to the reader's own pid directory
``/proc/<pid>/``    ``status`` (``fs/proc/array.c``: Name, Umask, State, Tgid, Pid, PPid,
                    Uid, Gid, NSpid, VmRSS, Threads), ``cmdline`` (the arguments, each
                    ending in NUL, read from the process's memory), ``comm``
``/proc/meminfo``   MemTotal, MemFree, MemAvailable from the frame allocator
                    (``fs/proc/meminfo.c``'s format: ``%-16s%8lu kB``)
``/proc/mounts``    the reader's mount table: ``source target type rw|ro 0 0``, targets
                    as named from the reader's root (``fs/proc_namespace.c``)
==================  ====================================================================

PID namespaces (``pid_namespaces(7)``): the reader sees only the processes of its own
PID namespace and below, numbered as its namespace numbers them; a pid it cannot see is
ENOENT, and a parent outside is shown as PPid 0.  The reader is the kernel's current
process.  Simplified: a procfs instance does not belong to one PID namespace (Linux
binds a mount to the namespace of the mounter); uids are shown as the kernel holds
them, mapped through the reader's user namespace when one is set.
"""

from __future__ import annotations

from ..errno import ENOENT, SyscallError
from .constants import S_IFDIR, S_IFLNK
from .inode import FileSystem, Inode
from .synthetic import SyntheticFile

PAGE_KB = 4
STATES = {"R": "R (running)", "S": "S (sleeping)", "D": "D (disk sleep)",
          "T": "T (stopped)", "Z": "Z (zombie)", "X": "X (dead)"}
PID_FILES = ("cmdline", "comm", "status")


class ProcFs(FileSystem):
    fstype = "proc"

    def __init__(self, kernel, source: str = "proc"):
        super().__init__(source)
        self.kernel = kernel
        self.root = ProcRoot(self)
        self._pid_dirs: dict[int, ProcPidDir] = {}

    # -- who is looking, and what they can see
    def reader(self):
        return getattr(self.kernel, "current", None)

    def visible(self) -> dict[int, object]:
        """pid (as the reader numbers it) -> process, for the reader's PID namespace."""
        pid_ns = _pid_ns(self.reader())
        if pid_ns is not None:
            return dict(sorted(pid_ns.by_pid.items()))
        return dict(sorted(self.kernel.processes.items()))

    def pid_of(self, proc) -> int:
        """``proc``'s pid as the reader sees it (0: outside the reader's namespace)."""
        if proc is None:
            return 0
        pid_ns = _pid_ns(self.reader())
        if pid_ns is None:
            return proc.pid
        return proc.pids.get(pid_ns, 0) if hasattr(proc, "pids") else proc.pid

    def pid_dir(self, proc) -> ProcPidDir:
        found = self._pid_dirs.get(id(proc))
        if found is None or found.proc is not proc:
            found = self._pid_dirs[id(proc)] = ProcPidDir(self, proc)
        return found


def _pid_ns(proc):
    ns = getattr(proc, "ns", None)
    return getattr(ns, "pid", None)


class ProcRoot(Inode):
    def __init__(self, fs: ProcFs):
        super().__init__(fs, S_IFDIR | 0o555)
        self.files = {"meminfo": SyntheticFile(fs, lambda: meminfo(fs.kernel)),
                      "mounts": SyntheticFile(fs, lambda: mounts(fs.reader())),
                      "self": ProcSelf(fs)}

    def lookup(self, name):
        if name in self.files:
            return self.files[name]
        if name.isdigit():
            proc = self.fs.visible().get(int(name))
            if proc is not None:
                return self.fs.pid_dir(proc)
        raise SyscallError(ENOENT, f"/proc/{name}: no such file or process")

    def readdir(self):
        listing = list(self.files.items())
        return listing + [(str(pid), self.fs.pid_dir(proc))
                          for pid, proc in self.fs.visible().items()]


class ProcSelf(Inode):
    def __init__(self, fs: ProcFs):
        super().__init__(fs, S_IFLNK | 0o777)

    def readlink(self):
        reader = self.fs.reader()
        if reader is None:
            raise SyscallError(ENOENT, "/proc/self: no current process")
        return str(self.fs.pid_of(reader))


class ProcPidDir(Inode):
    def __init__(self, fs: ProcFs, proc):
        super().__init__(fs, S_IFDIR | 0o555)
        self.proc = proc
        self.files = {"status": SyntheticFile(fs, lambda: status(fs, proc)),
                      "cmdline": SyntheticFile(fs, lambda: cmdline(proc)),
                      "comm": SyntheticFile(fs, lambda: (_comm(proc) + "\n").encode())}

    def lookup(self, name):
        try:
            return self.files[name]
        except KeyError:
            raise SyscallError(ENOENT, f"no {name!r} in a /proc/<pid> directory") from None

    def readdir(self):
        return sorted(self.files.items())


def _comm(proc) -> str:
    return getattr(proc, "comm", "") or "?"


def _ids(fs: ProcFs, proc, which: str) -> str:
    creds = getattr(proc, "creds", None)
    if creds is None:
        value = getattr(proc, which, 0)
        return "\t".join([str(value)] * 4)
    names = ("uid", "euid", "suid", "uid") if which == "uid" else ("gid", "egid", "sgid", "gid")
    values = [getattr(creds, n) for n in names]
    user_ns = getattr(getattr(fs.reader(), "ns", None), "user", None)
    if user_ns is not None and hasattr(user_ns, "from_outer"):
        try:
            values = [user_ns.from_outer(which, v) for v in values]
        except Exception:                  # an unmapped id shows as it is
            pass
    return "\t".join(map(str, values))


def status(fs: ProcFs, proc) -> bytes:
    """``/proc/<pid>/status`` in Linux's layout (fs/proc/array.c ``proc_pid_status``)."""
    parent = getattr(proc, "parent", None)
    nspid = [str(proc.pids[ns]) for ns in _levels_below(fs, proc)] or [str(fs.pid_of(proc))]
    space = getattr(proc, "space", None)
    rss_kb = getattr(space, "rss_pages", 0) * PAGE_KB if space is not None else 0
    lines = [
        f"Name:\t{_comm(proc)}",
        f"Umask:\t{getattr(proc, 'umask', 0o022):04o}",
        f"State:\t{STATES.get(getattr(proc, 'state', 'R'), 'R (running)')}",
        f"Tgid:\t{fs.pid_of(proc)}",
        "Ngid:\t0",
        f"Pid:\t{fs.pid_of(proc)}",
        f"PPid:\t{fs.pid_of(parent)}",
        "TracerPid:\t0",
        f"Uid:\t{_ids(fs, proc, 'uid')}",
        f"Gid:\t{_ids(fs, proc, 'gid')}",
        f"NSpid:\t{chr(9).join(nspid)}",
        f"VmRSS:\t{rss_kb:8d} kB",
        "Threads:\t1",
    ]
    return ("\n".join(lines) + "\n").encode()


def _levels_below(fs: ProcFs, proc) -> list:
    """The PID namespaces from the reader's down to the process's own, outermost first."""
    own = _pid_ns(proc)
    reader_ns = _pid_ns(fs.reader())
    if own is None or reader_ns is None or not hasattr(own, "ancestry"):
        return []
    chain = []
    for ns in own.ancestry():
        chain.append(ns)
        if ns is reader_ns:
            return [ns for ns in reversed(chain) if ns in proc.pids]
    return []


CMDLINE_MAX = 4096


def cmdline(proc) -> bytes:
    """The argument strings, each ending in NUL.  Like Linux (``proc_pid_cmdline_read``)
    they are read from the process's own memory, between ``arg_start`` and ``arg_end``
    (where execve put them on the stack), when the kernel recorded those; else from the
    ``argv`` list it kept; else the name alone.  A zombie's is empty."""
    if getattr(proc, "state", "R") == "Z":
        return b""
    start, end = getattr(proc, "arg_start", None), getattr(proc, "arg_end", None)
    if start is not None and end is not None and 0 < end - start:
        try:
            return proc.space.read(start, min(end - start, CMDLINE_MAX))
        except SyscallError:               # unmapped since: nothing to show
            return b""
    argv = getattr(proc, "argv", None) or [_comm(proc)]
    return b"".join((a.encode("utf-8", "surrogateescape") if isinstance(a, str) else a)
                    + b"\0" for a in argv)


def meminfo(kernel) -> bytes:
    frames = getattr(kernel, "frames", None)
    free = getattr(frames, "free_frames", 0)
    total = free + getattr(frames, "used_frames", 0)
    rows = (("MemTotal:", total), ("MemFree:", free), ("MemAvailable:", free))
    return "".join(f"{name:<16}{pages * PAGE_KB:8d} kB\n" for name, pages in rows).encode()


def mounts(reader) -> bytes:
    """The reader's mount table (nothing if it has no file system context)."""
    ctx = getattr(reader, "fs", None)
    ns = getattr(getattr(reader, "ns", None), "mnt", None)
    if ns is None:
        ns = getattr(getattr(reader, "files", None), "mnt_ns", None)
    if ctx is None or ns is None:
        return b""
    lines = []
    for mount in ns.visible():
        where = ctx.path_of(mount.root_location() if mount.mountpoint is None
                            else mount.mountpoint)
        if where.startswith("(unreachable)"):
            continue
        flags = "ro" if mount.readonly else "rw"
        lines.append(f"{mount.source} {where} {mount.fstype} {flags} 0 0\n")
    return "".join(lines).encode()
