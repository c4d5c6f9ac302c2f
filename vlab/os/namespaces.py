"""Namespaces: what a process can see of the kernel's global resources.

Linux wraps each kind of global resource in a namespace (namespaces(7)); a process
belongs to one namespace of each kind, and ``clone``/``unshare`` with a ``CLONE_NEW*``
flag gives it a fresh one.  Containers are processes whose namespaces are not the
host's.  Modeled here (flag values from include/uapi/linux/sched.h):

==========  ================  ===============================================================
kind        flag              what it isolates (and how much of it this model keeps)
==========  ================  ===============================================================
pid         CLONE_NEWPID      process ids: nested; a process has one pid in its own namespace
                              and in every ancestor (pid_namespaces(7)); the first process is
                              1, its ``init``: orphans re-parent to it, its death kills the
                              namespace
uts         CLONE_NEWUTS      hostname and domain name (uts_namespaces(7))
ipc         CLONE_NEWIPC      System V IPC and POSIX queues: an identity only (no IPC objects
                              are modeled yet)
user        CLONE_NEWUSER     uid/gid maps (user_namespaces(7)): "inside outside count" lines
net         CLONE_NEWNET      a list of interfaces (a fresh one has only ``lo``, down -> up);
                              sockets are outside this model
mnt         CLONE_NEWNS       the mount table: the VFS's ``MountNamespace``, copied with its
                              own ``copy()`` (mount_namespaces(7))
==========  ================  ===============================================================

Simplified: a new PID namespace is entered by the *children* of the caller, as in Linux
(``unshare(CLONE_NEWPID)`` moves ``pid_for_children``); ``setns`` takes a pid instead of a
namespace file descriptor (see ``sysns.py``).
"""

from __future__ import annotations

import itertools

from .errno import EAGAIN, SyscallError

CLONE_NEWNS = 0x0002_0000
CLONE_NEWCGROUP = 0x0200_0000
CLONE_NEWUTS = 0x0400_0000
CLONE_NEWIPC = 0x0800_0000
CLONE_NEWUSER = 0x1000_0000
CLONE_NEWPID = 0x2000_0000
CLONE_NEWNET = 0x4000_0000
NEW_NAMESPACE_FLAGS = {"mnt": CLONE_NEWNS, "uts": CLONE_NEWUTS, "ipc": CLONE_NEWIPC,
                       "user": CLONE_NEWUSER, "pid": CLONE_NEWPID, "net": CLONE_NEWNET}
ALL_NEW_FLAGS = sum(NEW_NAMESPACE_FLAGS.values()) | CLONE_NEWCGROUP
PID_MAX = 32768                 # /proc/sys/kernel/pid_max default
RESERVED_PIDS = 2               # pids wrap to 2 (Linux: 300 in the root namespace)
OVERFLOW_ID = 65534             # /proc/sys/kernel/overflowuid: an unmapped id reads so
FIRST_INUM = 0xF000_0000        # namespace inode numbers (/proc/PID/ns), per kernel


def _numbering(source):
    """The inode-number counter of the kernel ``source`` belongs to (a new one for a
    root namespace): numbers are deterministic within one kernel."""
    return source._inums if source is not None else itertools.count(FIRST_INUM)


class PidNamespace:
    """Process ids of one level: nested in ``parent``; its first process is ``init``."""

    def __init__(self, parent: PidNamespace | None = None):
        self.parent = parent
        self.level = 0 if parent is None else parent.level + 1
        self.by_pid: dict = {}          # pid in this namespace -> Process
        self.next_pid = 1
        self.init = None                # the process with pid 1 here
        self.dead = False               # init died: no new process may enter (ENOMEM)
        self._inums = _numbering(parent)
        self.inum = next(self._inums)

    def ancestry(self):
        """This namespace and its ancestors, innermost first."""
        ns = self
        while ns is not None:
            yield ns
            ns = ns.parent

    def alloc(self, proc) -> dict:
        """Give ``proc`` a pid here and in every ancestor: {namespace: pid}.  EAGAIN
        (as fork(2) says) when some level has no free pid; then nothing is taken."""
        numbers = {ns: ns._next_free() for ns in self.ancestry()}
        for ns, pid in numbers.items():
            ns.by_pid[pid] = proc
            ns.next_pid = pid + 1 if pid + 1 < PID_MAX else RESERVED_PIDS
            if pid == 1 and ns.init is None:
                ns.init = proc
        return numbers

    def _next_free(self) -> int:
        pid = self.next_pid
        for _ in range(PID_MAX):
            if pid not in self.by_pid:
                return pid
            pid = pid + 1 if pid + 1 < PID_MAX else RESERVED_PIDS
        raise SyscallError(EAGAIN, f"all {PID_MAX - 1} pids of the PID namespace are in use")

    def contains(self, proc) -> bool:
        return self in proc.pids

    def __repr__(self) -> str:
        return f"<PidNamespace level={self.level} procs={len(self.by_pid)}>"


class UtsNamespace:
    """hostname and domainname (struct new_utsname's nodename and domainname)."""

    def __init__(self, hostname: str = "vlab", domainname: str = "(none)", source=None):
        self.hostname, self.domainname = hostname, domainname
        self._inums = _numbering(source)
        self.inum = next(self._inums)

    def copy(self) -> UtsNamespace:
        return UtsNamespace(self.hostname, self.domainname, self)


class IpcNamespace:
    """An identity for System V IPC objects (none are modeled yet)."""

    def __init__(self, source=None):
        self._inums = _numbering(source)
        self.inum = next(self._inums)

    def copy(self) -> IpcNamespace:
        return IpcNamespace(self)


class NetNamespace:
    """The interfaces a process sees; a new namespace has the loopback only."""

    def __init__(self, interfaces=None, source=None):
        self.interfaces = list(interfaces) if interfaces else ["lo"]
        self._inums = _numbering(source)
        self.inum = next(self._inums)

    def copy(self) -> NetNamespace:
        return NetNamespace(source=self)


class UserNamespace:
    """uid/gid maps: lists of (inside, outside, count) as in /proc/PID/uid_map.

    The root namespace maps everything to itself.  A child's ids are translated to the
    parent's through its maps; an id with no mapping reads as ``OVERFLOW_ID``."""

    def __init__(self, parent: UserNamespace | None = None, owner: int = 0, source=None):
        self.parent = parent
        self.owner = owner             # the creator's euid, seen in the parent
        identity = [(0, 0, 1 << 32)] if parent is None else []
        self.uid_map: list = list(identity)
        self.gid_map: list = list(identity)
        self._inums = _numbering(parent or source)
        self.inum = next(self._inums)

    def set_map(self, which: str, lines) -> None:
        """Write uid_map/gid_map once (Linux allows a single write)."""
        current = self.uid_map if which == "uid" else self.gid_map
        if current:
            raise PermissionError(f"{which}_map is already written")
        current.extend((int(a), int(b), int(c)) for a, b, c in lines)

    def to_outer(self, which: str, inside: int) -> int:
        """The id in the root namespace for ``inside`` (OVERFLOW_ID if unmapped)."""
        ns, value = self, inside
        while ns.parent is not None:
            value = _map(ns.uid_map if which == "uid" else ns.gid_map, value, forward=True)
            if value is None:
                return OVERFLOW_ID
            ns = ns.parent
        return value

    def from_outer(self, which: str, outer: int) -> int:
        """The id ``outer`` (root namespace) as seen inside (OVERFLOW_ID if unmapped)."""
        chain = []
        ns = self
        while ns.parent is not None:
            chain.append(ns)
            ns = ns.parent
        value = outer
        for ns in reversed(chain):
            value = _map(ns.uid_map if which == "uid" else ns.gid_map, value, forward=False)
            if value is None:
                return OVERFLOW_ID
        return value


def release_pids(proc) -> None:
    """Free ``proc``'s pid in every PID namespace it has one in (it was reaped)."""
    for ns, pid in proc.pids.items():
        if ns.by_pid.get(pid) is proc:
            del ns.by_pid[pid]


def _map(extents, value: int, forward: bool):
    for inside, outside, count in extents:
        low = inside if forward else outside
        if low <= value < low + count:
            return value - low + (outside if forward else inside)
    return None


class NamespaceSet:
    """A process's namespaces (Linux's ``struct nsproxy`` plus the user namespace).

    ``pid`` is the namespace the process's own pid lives in; ``pid_for_children``
    differs after ``unshare(CLONE_NEWPID)``."""

    def __init__(self, pid, uts, ipc, user, net, mnt=None, pid_for_children=None):
        self.pid, self.uts, self.ipc, self.user, self.net, self.mnt = (
            pid, uts, ipc, user, net, mnt)
        self.pid_for_children = pid_for_children or pid

    @classmethod
    def root(cls, mnt=None) -> NamespaceSet:
        pid = PidNamespace()                   # the others share its numbering
        return cls(pid, UtsNamespace(source=pid), IpcNamespace(pid),
                   UserNamespace(source=pid), NetNamespace(source=pid), mnt)

    def copy(self, flags: int, creator_euid: int = 0) -> NamespaceSet:
        """The namespaces of a child created with clone ``flags``: shared unless a
        ``CLONE_NEW*`` flag asks for a fresh one (the new PID namespace nests in
        ``pid_for_children``)."""
        new = NamespaceSet(self.pid_for_children, self.uts, self.ipc, self.user, self.net,
                           self.mnt)
        self._apply(new, flags, creator_euid, new_pid_is_own=True)
        return new

    def unshare(self, flags: int, creator_euid: int = 0) -> NamespaceSet:
        """The caller's namespaces after ``unshare(flags)``: like ``copy`` but a new PID
        namespace is for its children only."""
        new = NamespaceSet(self.pid, self.uts, self.ipc, self.user, self.net, self.mnt,
                           self.pid_for_children)
        self._apply(new, flags, creator_euid, new_pid_is_own=False)
        return new

    def _apply(self, new, flags, creator_euid, new_pid_is_own) -> None:
        if flags & CLONE_NEWUSER:
            new.user = UserNamespace(self.user, creator_euid)
        if flags & CLONE_NEWUTS:
            new.uts = self.uts.copy()
        if flags & CLONE_NEWIPC:
            new.ipc = self.ipc.copy()
        if flags & CLONE_NEWNET:
            new.net = self.net.copy()
        if flags & CLONE_NEWNS and self.mnt is not None:
            new.mnt = self.mnt.copy()
        if flags & CLONE_NEWPID:
            child_ns = PidNamespace(self.pid_for_children)
            if new_pid_is_own:
                new.pid = new.pid_for_children = child_ns
            else:
                new.pid_for_children = child_ns
