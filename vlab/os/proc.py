"""A process: everything the kernel keeps about one running user program.

Like xv6's ``struct proc`` (kernel/proc.h) and Linux's ``task_struct``
(include/linux/sched.h), reduced to what this kernel uses:

==================  ==========================================================================
identity            ``pid`` (in the root PID namespace), ``pids`` (its number in each PID
                    namespace it belongs to), ``tgid`` (= pid: one thread per process),
                    ``comm`` (the program name, 15 characters as TASK_COMM_LEN allows),
                    ``pgid``, ``sid``
family              ``parent``, ``children``; ``ppid`` is the parent's pid
state               'R' runnable or running, 'S' sleeping (``sleeping_on``, ``deadline``),
                    'T' stopped, 'Z' zombie (exited, not yet reaped by ``wait4``)
CPU context         ``regs`` (x0..x31) and ``pc``, saved when the process leaves the CPU
                    (``trap.py``); ``vruntime``, ``nice``, ``cpu_ns``, ``start_ns``
                    (``sched.py``)
resources           ``space`` (address space), ``files`` (descriptor table), ``fs`` (root
                    and cwd, from the VFS), ``creds``, ``ns`` (``namespaces.py``),
                    ``cgroup``, ``umask``, ``rlimits``
signals             ``actions`` (signal -> SigAction), ``blocked`` and ``pending`` (sigset
                    bit masks), see ``sigframe.py`` and ``syssig.py``
end                 ``exit_status`` (the code given to exit, 0..255; None if killed by a
                    signal), ``term_signal``, ``wait_status`` (what wait4 reports),
                    ``fault`` (the trap that killed it)
==================  ==========================================================================

The heap break of the flat/Sv32 spaces of ``vm.py`` is kept here (``set_break``, xv6's
``growproc``); an address space that manages its own break (``aspace.py``) does it there.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .errno import SyscallError
from .signal import SIGCHLD
from .waitq import WaitQueue

COMM_LEN = 15                     # TASK_COMM_LEN - 1


@dataclass(frozen=True)
class Fault:
    """The trap that killed a process: cause code, pc, tval, the cause's name and the
    signal a Linux kernel would send for it (``signal.py``)."""

    cause: int
    epc: int
    tval: int
    name: str
    signal: int


@dataclass
class Creds:
    """Real, effective and saved user and group ids (``struct cred``), as seen in the
    root user namespace."""

    uid: int = 0
    gid: int = 0
    euid: int | None = None
    egid: int | None = None
    suid: int | None = None
    sgid: int | None = None

    def __post_init__(self):
        self.euid = self.uid if self.euid is None else self.euid
        self.egid = self.gid if self.egid is None else self.egid
        self.suid = self.euid if self.suid is None else self.suid
        self.sgid = self.egid if self.sgid is None else self.sgid

    def copy(self) -> Creds:
        return Creds(self.uid, self.gid, self.euid, self.egid, self.suid, self.sgid)


@dataclass
class SigAction:
    """What a process does on a signal (``struct sigaction``): ``handler`` is SIG_DFL
    (0), SIG_IGN (1) or a user address; ``flags`` SA_*; ``mask`` blocked while it runs;
    ``restorer`` where the handler returns to, with SA_RESTORER."""

    handler: int = 0
    flags: int = 0
    mask: int = 0
    restorer: int = 0


@dataclass
class Rlimits:
    """The limits prlimit64 reports: resource -> (soft, hard); RLIM_INFINITY = ~0."""

    limits: dict = field(default_factory=dict)


class Process:
    """One user process (see the module docstring)."""

    def __init__(self, pid: int, space, files, *, brk_start: int = 0, brk_limit: int = 0,
                 uid: int = 0, gid: int = 0, cwd: str = "/", kernel=None, comm: str = "",
                 ns=None):
        self.pid = self.tgid = pid
        self.pids: dict = {}                   # PidNamespace -> pid there
        self.kernel = kernel
        self.comm = comm[:COMM_LEN]
        self.argv: list = []                   # the arguments of its last execve
        self.space = space                     # user memory (vm.py or aspace.py)
        self.files = files                     # descriptor table (file.py / the VFS)
        self.fs = None                         # FsContext from the VFS, when it is used
        self.cwd = cwd                         # the working directory of file.py's sandbox
        self.brk_start = self.brk = brk_start
        self.brk_limit = brk_limit
        self.creds = Creds(uid, gid)
        self.ns = ns
        self.cgroup = None
        self.umask = 0o022
        self.pgid = self.sid = pid
        self.parent: Process | None = None
        self.children: list[Process] = []
        self.child_exit = WaitQueue(f"wait4 of {pid}")   # the parent sleeps here
        self.exit_signal = SIGCHLD             # sent to the parent on exit
        self.clear_child_tid = 0
        self.vfork_done: WaitQueue | None = None   # a vfork parent sleeps here
        self.vfork_child = None                # the child a vfork parent waits for
        # the CPU context, saved while the process is off the CPU
        self.regs = [0] * 32
        self.pc = 0
        self.state = "R"
        self.sleeping_on: WaitQueue | None = None
        self.deadline: int | None = None       # wake by time (guest ns)
        self.restart_deadline: int | None = None   # the deadline of a restarted call
        self.in_syscall = False                # asleep inside a call that will restart
        self.on_eintr = None                   # what the call does if a handler ends it
        self.restartable = True                # may SA_RESTART make the call again?
        self.continued = False                 # SIGCONT not yet reported (WCONTINUED)
        self.alarm_at: int | None = None        # ITIMER_REAL: next SIGALRM (guest ns)
        self.alarm_every = 0                   # and its interval (0: once)
        self.nice = 0
        self.vruntime = 0
        self.cpu_ns = 0
        self.start_ns = 0
        # signals
        self.actions: dict[int, SigAction] = {}
        self.blocked = 0
        self.pending = 0
        self.stop_reported = False
        self.stop_signal = 0
        self.saved_mask: int | None = None     # the mask rt_sigsuspend replaced
        self.signal_wait = WaitQueue(f"signal of {pid}")   # rt_sigsuspend sleeps here
        self.pending_fault: Fault | None = None   # a trap's signal not yet acted on
        self.children_cpu_ns = 0               # CPU time of reaped children (times)
        # end
        self.exit_status: int | None = None
        self.term_signal: int | None = None
        self.core_dumped = False
        self.fault: Fault | None = None

    # -- compatibility with the single-process kernel ----------------------------------
    @property
    def uid(self) -> int:
        return self.creds.uid

    @property
    def gid(self) -> int:
        return self.creds.gid

    @property
    def ppid(self) -> int:
        return self.parent.pid if self.parent is not None else 0

    @property
    def exited(self) -> bool:
        return self.state == "Z" and self.exit_status is not None

    @property
    def alive(self) -> bool:
        return self.state != "Z"

    @property
    def wait_status(self) -> int:
        """The status word wait4 stores: code << 8, or the signal (| 0x80 if core)."""
        if self.term_signal is not None:
            return self.term_signal | (0x80 if self.core_dumped else 0)
        return (self.exit_status or 0) << 8

    def pid_in(self, pid_ns) -> int:
        """This process's pid as seen in ``pid_ns`` (0 if it is not visible there)."""
        return self.pids.get(pid_ns, 0)

    def action(self, signal: int) -> SigAction:
        return self.actions.get(signal) or SigAction()

    # -- life cycle ----------------------------------------------------------------------
    def exit(self, status: int) -> None:
        """exit/exit_group: the process is over; its status is the low byte (as wait())."""
        if self.kernel is not None:
            self.kernel.do_exit(self, status & 0xFF)
        else:
            self.finish(status & 0xFF, None)

    def kill(self, fault: Fault) -> None:
        """The process took a trap it cannot survive: it dies by the fault's signal."""
        self.fault = fault
        if self.kernel is not None:
            self.kernel.do_exit(self, None, signal=fault.signal, core=True)
        else:
            self.finish(None, fault.signal)

    def finish(self, status: int | None, signal: int | None, core: bool = False,
               close_files: bool = True) -> None:
        """Become a zombie: record how it ended, close the files unless another process
        shares the table (CLONE_FILES); the kernel does the rest: address space,
        children, the parent's SIGCHLD."""
        self.exit_status, self.term_signal, self.core_dumped = status, signal, core
        self.state = "Z"
        if close_files:
            self.files.close_all()

    def wake(self) -> None:
        """Called by WaitQueue.wake_all (and by a signal or a deadline): runnable again."""
        if self.state != "S":
            return
        if self.sleeping_on is not None:
            self.sleeping_on.remove(self)
        self.sleeping_on, self.deadline = None, None
        self.state = "R"
        if self.kernel is not None:
            if self in self.kernel.sleepers:
                self.kernel.sleepers.remove(self)
            self.kernel.sched.enqueue(self)

    def set_break(self, address: int) -> int:
        """brk: grow or shrink the heap inside [brk_start, brk_limit]; new pages are zero."""
        if address < self.brk_start or address > self.brk_limit:
            return self.brk                      # refused (or a query with 0)
        if address > self.brk:
            try:
                self.space.map(self.brk, address - self.brk, readable=True, writable=True)
                self.space.write(self.brk, bytes(address - self.brk))
            except SyscallError:                 # out of memory: brk fails, as in Linux
                return self.brk
        self.brk = address
        return self.brk

    def __repr__(self) -> str:
        if self.state != "Z":
            state = {"R": "running", "S": "sleeping", "T": "stopped"}[self.state]
        elif self.fault is not None:
            state = f"killed by {self.fault.name}"
        elif self.term_signal is not None:
            state = f"killed by signal {self.term_signal}"
        else:
            state = f"exited {self.exit_status}"
        return f"<Process pid={self.pid} {state}>"
