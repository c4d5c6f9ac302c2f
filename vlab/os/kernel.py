"""The kernel: the process table, process life and death, sleeping and waking, signals.

Like riscv-pk and xv6, the kernel is Python standing in for the most privileged software
(ARCHITECTURE.md, invariant 2): when a U-mode program executes ``ecall`` or takes a trap
or a timer interrupt, the machine hands the trap to Python (``trap.py``), which saves the
process's registers, runs the system call or the scheduler here, and resumes some
process.  Each system call is charged to the ledger as one ``syscall`` event, each change
of process on the CPU as one ``context_switch``.

What lives here (Linux's kernel/fork.c, exit.c, signal.c, sched/core.c in miniature):

* ``processes``: pid (in the root PID namespace) -> Process; ``current`` is on the CPU;
* ``new_process``: a process with pids in every PID namespace it is in (``namespaces.py``),
  a parent, a cgroup; ``spawn`` makes one from a loaded program (the first is ``init``);
* ``do_exit``: the process becomes a zombie; its address space is freed, its children go
  to the *reaper* (the init of its PID namespace), its parent gets SIGCHLD and is woken;
  if it was the init of a PID namespace, every process in that namespace is killed; if it
  was the root init, the run is over (``finished``);
* ``reap``: wait4 took the zombie: its pids are freed;
* ``sleep``/``wake_due``: block-and-restart (``waitq.py``) with optional deadlines;
* ``send_signal``: a signal becomes pending (and wakes a sleeper); it is acted on when
  the process next returns to user mode (``sigframe.py``);
* time: ``now_ns()`` is guest time, from retired instructions plus time spent idle.

The kernel is independent of the CPU that runs the program: it sees user memory through
the process's address space and registers through ``proc.regs`` (saved by ``trap.py``) or
the ABI adapter, so the same kernel serves our interpreter, the DBT and unicorn.
"""

from __future__ import annotations

import sys
from collections import Counter

from vlab.host.clock import guest_ns

from .aspace import AddressSpace
from .errno import EFAULT, ENOSYS, SyscallError
from .exec import VDSO_VA
from .file import FileTable
from .namespaces import NamespaceSet, release_pids
from .proc import Process
from .quota import DEFAULT_WRITE_QUOTA
from .sched import Scheduler
from .signal import (
    DEFAULT_ACTION,
    IGN,
    SIGALRM,
    SIGCHLD,
    SIGCONT,
    SIGKILL,
    STOP_SIGNALS,
    UNCATCHABLE,
    bit,
)
from .syscall import dispatch

FIRST_PID = 1
TRAMPOLINE_OFFSET = 16           # in the kernel's page (trap.py), for flat spaces
SIG_IGN = 1
SA_NOCLDWAIT = 0x0000_0002


class Kernel:
    """Processes by pid, life cycle, sleep/wake, signals, the clock, the ledger."""

    def __init__(self, *, ledger=None, instret=lambda: 0, machine=None, frames=None,
                 root_cgroup=None, mnt=None):
        self.ledger = ledger
        self.instret = instret                  # the clock's source (clock.py)
        self.machine = machine                  # set by trap.attach
        self.frames = frames                    # the FrameAllocator (frames.py), if paged
        self.root_cgroup = root_cgroup
        self.processes: dict[int, Process] = {}
        self.current: Process | None = None
        self.init: Process | None = None       # pid 1 of the root PID namespace
        self.root_ns = NamespaceSet.root(mnt)
        self.sched = Scheduler()
        self.sleepers: list[Process] = []       # asleep with a deadline
        self.alarms: list[Process] = []         # with an armed ITIMER_REAL
        self.idle_ns = 0                        # guest time spent idle (WFI)
        self.finished = None                    # how the root init ended: a Process
        self.calls: Counter[str] = Counter()    # how often each system call was made
        self.unknown: Counter[int] = Counter()  # numbers we answered with -ENOSYS
        self.context_switches = 0
        self.yield_requested = False            # sched_yield: pick again at return
        self.preempt = False                    # the timer ended the slice
        self.running = None                     # whose registers are on the hart
        self.last_charge_ns = 0                 # CPU time is charged up to here
        self.slice_end = 0                      # when the running process's slice ends
        self.idle_mark = (0, 0)                 # (mtime, instret) when idle began

    @property
    def next_pid(self) -> int:
        return self.root_ns.pid.next_pid

    def run_until_exit(self, max_instructions: int | None = None):
        """Run the machine until the root init exits (its status is the result's
        ``exit_code``), a deadlock or fault halts it, or the budget runs out."""
        return self.machine.run(max_instructions=max_instructions)

    # -- time -------------------------------------------------------------------------
    def now_ns(self) -> int:
        """Guest nanoseconds since boot: retired instructions plus idle time."""
        return guest_ns(self.instret()) + self.idle_ns

    # -- creating processes -----------------------------------------------------------
    def new_process(self, space, files, *, parent=None, ns=None, comm="", uid=0, gid=0,
                    cwd="/", brk_start=0, brk_limit=0) -> Process:
        """A process in ``ns`` (the root namespaces by default), child of ``parent``."""
        ns = ns or self.root_ns
        proc = Process(0, space, files, brk_start=brk_start, brk_limit=brk_limit, uid=uid,
                       gid=gid, cwd=cwd, kernel=self, comm=comm, ns=ns)
        proc.pids = ns.pid.alloc(proc)
        proc.pid = proc.tgid = proc.pgid = proc.sid = proc.pids[self.root_ns.pid]
        proc.child_exit.name = f"wait4 of {proc.pid}"
        proc.start_ns = self.now_ns()
        proc.parent = parent
        if parent is not None:
            parent.children.append(proc)
        self.processes[proc.pid] = proc
        if self.init is None and proc.pid == FIRST_PID:
            self.init = proc
        return proc

    def spawn(self, space, *, brk_start: int, brk_limit: int, stdin=None, stdout=None,
              stderr=None, root=None, uid: int = 0, gid: int = 0, cwd: str = "/",
              write_quota: int = DEFAULT_WRITE_QUOTA, comm: str = "", files=None,
              ns=None, parent=None) -> Process:
        """A new runnable process over the address space ``space`` (its program already
        loaded), stdio connected to the given host streams (ours by default), files under
        ``root`` (or the descriptor table ``files``).  It becomes the current process if
        there is none.  ``write_quota``: bytes it may write into files under ``root``."""
        if files is None:
            files = FileTable(_binary(stdin, sys.stdin), _binary(stdout, sys.stdout),
                              _binary(stderr, sys.stderr), root, write_quota)
        proc = self.new_process(space, files, parent=parent, ns=ns, comm=comm, uid=uid,
                                gid=gid, cwd=cwd, brk_start=brk_start, brk_limit=brk_limit)
        context = getattr(files, "context", None)
        if context is not None:                     # the VFS's root and cwd (FileTable)
            proc.fs = context(cwd)
            if self.root_ns.mnt is None:            # its mount table is the root one
                self.root_ns.mnt = getattr(files, "mnt_ns", None)
        cgroup = parent.cgroup if parent is not None else self.root_cgroup
        if cgroup is not None:
            cgroup.attach(proc)
        if self.current is None:
            self.current = self.running = proc
        else:
            self.sched.enqueue(proc, new=True)
        return proc

    def abandon(self, proc: Process) -> None:
        """Undo ``new_process`` for a child whose fork failed (e.g. pids.max)."""
        if proc.parent is not None and proc in proc.parent.children:
            proc.parent.children.remove(proc)
        release_pids(proc)
        self.processes.pop(proc.pid, None)
        parent = proc.parent
        destroy = getattr(proc.space, "destroy", None)
        if destroy is not None and (parent is None or proc.space is not parent.space):
            destroy()
        if parent is None or proc.files is not parent.files:   # not a CLONE_FILES table
            proc.files.close_all()

    def new_space(self, proc):
        """A fresh address space for ``proc`` (execve), charged to its memory cgroup."""
        if self.frames is None:
            raise SyscallError(ENOSYS, "execve needs paging (the kernel has no frame "
                                       "allocator: boot the program with Sv32)")
        cgroup = proc.cgroup
        account = getattr(cgroup, "memory", None) if cgroup is not None else None
        return AddressSpace(self.frames, account)

    def trampoline_for(self, proc) -> int:
        """Where the signal-return trampoline is in ``proc``'s address space."""
        if getattr(proc.space, "satp", 0) == 0 and self.machine is not None:
            return self.machine.ram.base + TRAMPOLINE_OFFSET
        return VDSO_VA

    # -- system calls -----------------------------------------------------------------
    def syscall(self, proc: Process, number: int, args) -> int:
        """Run system call ``number`` for ``proc`` with a0..a5 = ``args``; the new a0.
        A call that must wait raises ``Blocked`` (waitq.py) through this."""
        if self.ledger is not None:
            self.ledger.charge("syscall")
        return dispatch(self, proc, number, args)

    # -- sleeping and waking ----------------------------------------------------------
    def sleep(self, proc: Process, queue, deadline: int | None) -> None:
        """``proc`` sleeps on ``queue`` (None: on time only) until woken or ``deadline``."""
        proc.state = "S"
        proc.sleeping_on, proc.deadline = queue, deadline
        if queue is not None:
            queue.add(proc)
        if deadline is not None:
            self.sleepers.append(proc)
        self.sched.dequeue(proc)

    def wake_due(self) -> int:
        """Wake every sleeper whose deadline has passed, and send SIGALRM for every
        expired interval timer (setitimer ITIMER_REAL); how many sleepers woke."""
        now = self.now_ns()
        due = [p for p in self.sleepers if p.deadline is None or p.deadline <= now]
        for proc in due:
            proc.wake()                             # also leaves self.sleepers
        for proc in [p for p in self.alarms if p.alarm_at <= now]:
            if proc.alarm_every:
                every = proc.alarm_every              # periods missed are skipped
                proc.alarm_at += ((now - proc.alarm_at) // every + 1) * every
            else:
                self.alarms.remove(proc)
                proc.alarm_at = None
            self.send_signal(proc, SIGALRM)
        return len(due)

    def next_deadline(self) -> int | None:
        """The earliest time a sleeper or an interval timer must be looked at."""
        times = [p.deadline for p in self.sleepers if p.deadline is not None]
        times += [p.alarm_at for p in self.alarms]
        return min(times) if times else None

    # -- exit and reaping -------------------------------------------------------------
    def do_exit(self, proc: Process, status: int | None, *, signal: int | None = None,
                core: bool = False) -> None:
        """``proc`` ends with exit ``status`` or by ``signal`` (see the module docstring)."""
        if proc.state == "Z":
            return
        if proc.state == "S":
            proc.wake()
        self.sched.dequeue(proc)
        if proc in self.sleepers:
            self.sleepers.remove(proc)
        if proc in self.alarms:
            self.alarms.remove(proc)
        shared = any(p.files is proc.files for p in self.processes.values()
                     if p is not proc and p.state != "Z")
        proc.finish(status, signal, core, close_files=not shared)
        if proc.vfork_done is not None:            # a vfork parent may run again
            queue, proc.vfork_done = proc.vfork_done, None
            queue.wake_all()
        if proc.clear_child_tid:                   # CLONE_CHILD_CLEARTID / set_tid_address
            try:
                proc.space.write(proc.clear_child_tid, bytes(4))
            except Exception:                      # noqa: BLE001 - a bad pointer is ignored
                pass
        self._release_memory(proc)
        if proc.cgroup is not None:
            proc.cgroup.exit(proc)
        pid_ns = proc.ns.pid if proc.ns is not None else self.root_ns.pid
        if pid_ns.init is proc:
            self._kill_namespace(pid_ns, proc)
        self._reparent_children(proc)
        self._notify_parent(proc)
        if proc is self.init:
            self.finished = proc

    def _release_memory(self, proc: Process) -> None:
        """Free the zombie's address space (unless a vfork parent shares it); the flat
        and unicorn spaces have nothing to free and stay readable."""
        space = proc.space
        destroy = getattr(space, "destroy", None)
        if destroy is None:
            return
        proc.space = _DeadSpace(space)
        if not any(p.space is space for p in self.processes.values() if p is not proc):
            destroy()
            if self.machine is not None:
                self.machine.sfence_vma()

    def _kill_namespace(self, pid_ns, init: Process) -> None:
        """The init of a PID namespace died: every process in it is killed (Linux's
        zap_pid_ns_processes); no one can reap them there, so they are reaped here."""
        pid_ns.dead = True
        for other in list(self.processes.values()):
            if other is not init and pid_ns.contains(other) and other.state != "Z":
                self.do_exit(other, None, signal=SIGKILL)
        for other in list(self.processes.values()):
            if other is not init and pid_ns.contains(other) and other.state == "Z":
                self.reap(other)

    def reaper_for(self, proc: Process) -> Process | None:
        """Who adopts ``proc``'s orphans: the init of its PID namespace (or, if that is
        ``proc`` itself, of the parent namespace)."""
        ns = proc.ns.pid if proc.ns is not None else self.root_ns.pid
        while ns is not None:
            if ns.init is not None and ns.init is not proc and ns.init.state != "Z":
                return ns.init
            ns = ns.parent
        return None

    def _reparent_children(self, proc: Process) -> None:
        reaper = self.reaper_for(proc)
        for child in list(proc.children):
            proc.children.remove(child)
            child.parent = reaper
            if reaper is None:
                if child.state == "Z":
                    self.reap(child)
                continue
            reaper.children.append(child)
            if child.state == "Z":
                self._notify_parent(child)

    def _notify_parent(self, proc: Process) -> None:
        parent = proc.parent
        if parent is None or parent.state == "Z":
            if proc.state == "Z" and proc is not self.init:
                self.reap(proc)
            return
        action = parent.action(SIGCHLD)
        if proc.state == "Z" and (action.handler == SIG_IGN or action.flags & SA_NOCLDWAIT):
            self.reap(proc)                        # nobody will wait: no zombie (wait(2))
        elif proc.exit_signal:
            self.send_signal(parent, proc.exit_signal)
        parent.child_exit.wake_all()

    def reap(self, proc: Process) -> None:
        """Forget a zombie: its pids are free again, its cgroup uncharged."""
        if proc.parent is not None and proc in proc.parent.children:
            proc.parent.children.remove(proc)
        release_pids(proc)
        if self.processes.get(proc.pid) is proc and proc is not self.init:
            del self.processes[proc.pid]
        if proc.cgroup is not None:
            proc.cgroup.release(proc)
            proc.cgroup = None

    # -- signals ----------------------------------------------------------------------
    def send_signal(self, proc: Process, signal: int) -> None:
        """Make ``signal`` pending for ``proc``; wake it if that lets it act (Linux's
        ``send_signal`` + ``signal_wake_up``).  Ignored signals are discarded at once."""
        if proc.state == "Z" or signal == 0:
            return
        action = proc.action(signal)
        if signal in (SIGCONT, SIGKILL):          # a continue discards pending stops
            for stop in STOP_SIGNALS:
                proc.pending &= ~bit(stop)
            if proc.state == "T":
                proc.state = "R"
                proc.stop_reported = False
                proc.continued = signal == SIGCONT  # for the parent's WCONTINUED
                self.sched.enqueue(proc)
                if proc.parent is not None:
                    proc.parent.child_exit.wake_all()
        if signal in STOP_SIGNALS:                # and a stop a pending continue
            proc.pending &= ~bit(SIGCONT)
        ignored = signal not in UNCATCHABLE and (
            action.handler == SIG_IGN
            or (action.handler == 0 and DEFAULT_ACTION.get(signal) == IGN))
        if ignored and not proc.blocked & bit(signal):
            return
        proc.pending |= bit(signal)
        deliverable = signal in UNCATCHABLE or not proc.blocked & bit(signal)
        if proc.state == "S" and deliverable:
            proc.wake()

    def force_signal(self, proc: Process, signal: int) -> None:
        """A signal the process cannot refuse (Linux's ``force_sig``: a fault, a bad
        signal frame): unblocked, and an ignored one reset to the default action."""
        proc.blocked &= ~bit(signal)
        if proc.action(signal).handler == SIG_IGN:
            proc.actions.pop(signal, None)
        self.send_signal(proc, signal)

    def stop(self, proc: Process) -> None:
        """A stop signal took effect: the process leaves the run queue."""
        proc.state = "T"
        self.sched.dequeue(proc)
        if proc.parent is not None:
            proc.parent.child_exit.wake_all()

    def visible(self, viewer: Process, target: Process) -> bool:
        """Can ``viewer`` see ``target`` (is target in viewer's PID namespace)?"""
        return viewer.ns.pid.contains(target)

    def lookup(self, viewer: Process, pid: int) -> Process | None:
        """The process numbered ``pid`` in ``viewer``'s PID namespace, or None."""
        return viewer.ns.pid.by_pid.get(pid)


class _DeadSpace:
    """The address space of a zombie: its memory is gone; any access is EFAULT."""

    satp = 0
    rss_pages = 0

    def __init__(self, old):
        self.old_satp = getattr(old, "satp", 0)

    def _fault(self, *_args, **_kw):
        raise SyscallError(EFAULT, "the process has exited; its memory is freed")

    read = write = load = map = _fault

    def writable_prefix(self, va, n):
        return 0


def _binary(stream, fallback):
    """Host stdio as binary streams (the guest writes bytes)."""
    if stream is not None:
        return stream
    return getattr(fallback, "buffer", fallback)
