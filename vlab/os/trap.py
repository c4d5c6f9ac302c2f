"""The kernel on a vlab Machine: traps in, context switches, the timer, idle.

Like xv6's kernel/trap.c ``usertrap`` plus ``swtch`` and ``scheduler``: every trap out
of a user process comes here, and every trap ends by resuming *some* process.

* ``ecall`` from U-mode (cause 8) is a system call.  The caller's registers x1..x31 and
  pc are saved in its ``Process`` (``regs``, ``pc`` = the ecall + 4), the call runs on
  them (``kernel.py``), and its result goes to the saved a0.  A call that must wait
  raises ``Blocked``: the process sleeps with its pc left *on* the ecall, so the call
  runs again when it is woken (``waitq.py``).
* A page fault first goes to the address space (``handle_fault``: demand paging,
  copy-on-write); if that resolves it the instruction runs again.  Any other exception
  makes the signal Linux would send (``signal.py``) pending -- the process may have a
  handler (``sigframe.py``); the default action kills it.
* The machine timer interrupt (CLINT ``mtimecmp``, enabled by ``mie.MTIE``) enters the
  kernel when the running process's time slice is over, or when a sleeper's deadline is
  due: the scheduler (``sched.py``) picks again.

Then ``reschedule``: charge the CPU time used to the process that ran (CFS vruntime,
cgroup cpu), wake the sleepers whose deadline passed, keep or pick the process to run,
act on its pending signals, and switch to it -- restore x1..x31, pc and ``satp`` (a
``context_switch`` in the ledger; a satp change flushes the TLB, the predecoded code is
kept per satp), program the timer, ``ctx.resume(pc, 'U')``.

The timer is armed only when something needs it (a second runnable process, a
deadline, a cgroup CPU quota): a lone process runs without ticks, like Linux's
NO_HZ_FULL, so a single program's run has exactly the traps it makes itself.

Idle: with nothing runnable but sleepers with deadlines, the kernel arms the timer for
the earliest and resumes the hart in M-mode at a two-instruction loop (``wfi; j idle``)
in its own page at the start of RAM, with ``mstatus.MIE`` set; the machine skips
modeled time to the timer interrupt (vlab/isa/machine.py).  With nothing runnable and
nothing that could wake anyone, the run halts with a *deadlock* message naming the
sleepers -- with the hart parked in the idle loop and the timer due at once, so a later
``run()`` looks again (a process may have been started meanwhile) instead of executing
the code of a process that is not ``current``.  Whatever stops a run (the instruction
budget, a halt, the exit), the hart is either in U-mode on ``kernel.current`` or in
the idle loop with ``current`` None; so a stopped run can always be resumed, and a run
split at any instruction ends exactly like an uninterrupted one.  The run ends when the
root PID namespace's init exits: its exit status is
the run's (``ctx.exit``); killed by a fault, the run halts with the fault's description,
as the single-process kernel did.

Registrations on the machine's trap router (vlab/isa/trap_router.py), for traps entering
M-mode: ``kernel`` (ecall from U), ``kernel-timer`` (the machine timer interrupt) and
``kernel-fault`` (every other cause, lowest priority, so a debugger or hypervisor
installed later is asked first).  The ecall is charged as the hardware event it is, a
``trap``; the service as one ``syscall`` (``kernel.py``).  Like riscv-pk
(``machine/minit.c`` writes all ones to ``mcounteren`` and ``scounteren``), the kernel
lets user code read the counters.
"""

from __future__ import annotations

import struct

from vlab.host.clock import INSTRUCTIONS_PER_TICK, NS_PER_INSTRUCTION
from vlab.isa.causes import Cause, Interrupt

from .abi import A0, A7, ARGUMENT_REGISTERS
from .aspace import ACCESS_OF_CAUSE, machine_fence
from .exec import KERNEL_PAGE, load_user_program
from .frames import FrameAllocator, OutOfMemory
from .kernel import TRAMPOLINE_OFFSET, Kernel
from .proc import Fault
from .quota import DEFAULT_WRITE_QUOTA
from .sched import SCHED_LATENCY_NS, throttled_until
from .sigframe import TRAMPOLINE, deliver, next_signal
from .signal import SIGABRT, SIGKILL, signal_for, signal_name
from .unistd import NUMBERS
from .waitq import Blocked

ECALL_CHARGED_AS = "trap"      # the hardware's part; the service is charged as 'syscall'
FAULT_PRIORITY = -1            # asked after every other M-mode handler
COUNTERS_ENABLED = 0xFFFF_FFFF  # every counter readable below M-mode, as riscv-pk sets them
MIE_MTIE, MSTATUS_MIE = 1 << 7, 1 << 3
NS_PER_TICK = NS_PER_INSTRUCTION * INSTRUCTIONS_PER_TICK
NEVER = (1 << 64) - 1           # mtimecmp: no timer interrupt
IDLE_LOOP = struct.pack("<II", 0x1050_0073, 0xFFDF_F06F)    # idle: wfi; j idle
QUOTA_TICK_NS = 1_000_000      # how often a process under cpu.max is looked at (HZ=1000)
# signal(7), "Interruption of system calls": these return -EINTR after a handler even
# with SA_RESTART (the sleeps, the waits for events or signals)
NEVER_RESTARTED = frozenset(NUMBERS[name] for name in (
    "nanosleep", "clock_nanosleep_time64", "ppoll_time64", "pselect6_time64",
    "epoll_pwait", "epoll_pwait2", "rt_sigsuspend", "rt_sigtimedwait_time64",
    "io_pgetevents_time64", "semtimedop_time64"))


def attach(machine, kernel: Kernel) -> None:
    """Register the kernel's trap entries on ``machine`` and write its page (the idle
    loop and the flat-mode signal trampoline) at the start of RAM."""
    kernel.machine = machine
    if kernel.frames is not None:
        kernel.frames.fence = machine_fence(machine)
    base = machine.ram.base
    machine.bus.write_bytes(base, IDLE_LOOP)
    machine.bus.write_bytes(base + TRAMPOLINE_OFFSET, TRAMPOLINE)
    machine.csr["mie"] = machine.csr["mie"] | MIE_MTIE
    machine.clint.mtimecmp[0] = NEVER
    kernel.last_charge_ns = kernel.now_ns()
    kernel.slice_end = kernel.last_charge_ns + SCHED_LATENCY_NS   # the first process's
    machine.traps.register("M", lambda ctx: fault(kernel, ctx), causes="all",
                           name="kernel-fault", priority=FAULT_PRIORITY)
    machine.traps.register("M", lambda ctx: timer(kernel, ctx),
                           causes={Interrupt.MACHINE_TIMER}, name="kernel-timer")
    machine.traps.register("M", lambda ctx: usertrap(kernel, ctx), causes={Cause.USER_ECALL},
                           charge_as=ECALL_CHARGED_AS, name="kernel")


def start_user_program(machine, image, *, paging: bool = False, argv=("program",), envp=(),
                       stdin=None, stdout=None, stderr=None, root=None,
                       write_quota: int = DEFAULT_WRITE_QUOTA, root_cgroup=None) -> Kernel:
    """Load the ElfImage ``image`` as the first process (init) on ``machine``, ready to
    ``run()``; with ``paging`` its space is an AddressSpace on the kernel's frames (all
    RAM after the kernel's page), so it can fork."""
    ram = machine.ram
    frames = None
    if paging:
        frames = FrameAllocator(machine.bus, ram.base + KERNEL_PAGE, ram.base + ram.size)
        frames.fence = machine_fence(machine)
    loaded = load_user_program(image, machine.bus, paging=paging, argv=argv, envp=envp,
                               frames=frames)
    kernel = Kernel(ledger=machine.ledger, instret=lambda: machine.hart.instret,
                    frames=frames, root_cgroup=root_cgroup)
    name = argv[0] if argv else "init"
    proc = kernel.spawn(loaded.space, brk_start=loaded.brk_start,
                        brk_limit=loaded.brk_limit, stdin=stdin, stdout=stdout,
                        stderr=stderr, root=root, write_quota=write_quota,
                        comm=_basename(name))
    proc.regs[2], proc.pc = loaded.sp, loaded.entry
    proc.argv = list(argv)                          # /proc/PID/cmdline
    attach(machine, kernel)
    machine.csr["mcounteren"] = machine.csr["scounteren"] = COUNTERS_ENABLED
    machine.csr["satp"] = loaded.space.satp
    machine.regs[2] = loaded.sp
    machine.pc = loaded.entry
    machine.priv = "U"
    return kernel


def _basename(name) -> str:
    text = name.decode("utf-8", "replace") if isinstance(name, bytes) else str(name)
    return text.rsplit("/", 1)[-1]


# -- entries ---------------------------------------------------------------------------

def usertrap(kernel: Kernel, ctx):
    """A system call: the machine calls this with a TrapContext for ecall-from-U."""
    proc = kernel.current
    if proc is None:
        return _no_current(ctx)
    save(proc, ctx.hart, ctx.epc + 4)
    regs = proc.regs
    try:
        result = kernel.syscall(proc, regs[A7], [regs[r] for r in ARGUMENT_REGISTERS])
    except Blocked as blocked:
        proc.pc = ctx.epc                          # run the call again when woken
        proc.in_syscall = True
        proc.restartable = regs[A7] not in NEVER_RESTARTED
        if blocked.deadline is not None:
            proc.restart_deadline = blocked.deadline
        if next_signal(proc) is None:              # a pending signal: act on it first
            kernel.sleep(proc, blocked.queue, blocked.deadline)
    else:
        proc.in_syscall, proc.restart_deadline, proc.on_eintr = False, None, None
        proc.restartable = True
        if proc.alive:
            proc.regs[A0] = result
        child = proc.vfork_child
        if child is not None:                      # vfork: wait for exec or exit
            proc.vfork_child = None
            if child.vfork_done is not None:
                kernel.sleep(proc, child.vfork_done, None)
    return reschedule(kernel, ctx)


def timer(kernel: Kernel, ctx):
    """The machine timer interrupt: a slice ended or a deadline is due."""
    if ctx.from_priv == 3:                         # we were idle in the kernel's loop
        _leave_idle(kernel, ctx)
    elif kernel.current is not None:
        save(kernel.current, ctx.hart, ctx.epc)
        kernel.preempt = True
    else:
        return _no_current(ctx)
    ctx.machine.clint.mtimecmp[0] = NEVER
    return reschedule(kernel, ctx)


def fault(kernel: Kernel, ctx):
    """Every other trap: resolve a page fault, else make the signal Linux would send."""
    proc = kernel.current
    if proc is None or ctx.from_priv == 3:
        return ctx.halt(f"the kernel took {ctx.name} at pc={ctx.epc:#010x} in M-mode "
                        "(its idle loop): a kernel bug")
    access = ACCESS_OF_CAUSE.get(ctx.cause) if not ctx.interrupt else None
    resolve = getattr(proc.space, "handle_fault", None)
    if access is not None and resolve is not None:
        try:
            if resolve(ctx.tval, access):
                return ctx.resume(ctx.epc)         # demand zero or copy-on-write: again
        except OutOfMemory as oom:
            save(proc, ctx.hart, ctx.epc)
            _oom_kill(kernel, proc, oom)
            return reschedule(kernel, ctx)
    save(proc, ctx.hart, ctx.epc)
    signal = SIGABRT if ctx.interrupt else signal_for(ctx.cause)
    proc.pending_fault = Fault(ctx.cause, ctx.epc, ctx.tval, ctx.name, signal)
    kernel.force_signal(proc, signal)
    return reschedule(kernel, ctx)


def _no_current(ctx):
    """User code ran while no process was ``current``: the invariant of the module
    docstring is broken.  Halt with what happened rather than guess whose it was."""
    return ctx.halt(f"the kernel took {ctx.name} at pc={ctx.epc:#010x} from user mode "
                    "while no process was current: a kernel bug")


def _oom_kill(kernel: Kernel, proc, oom: OutOfMemory) -> None:
    """The memory cgroup (or the machine) is out of memory: kill the biggest process of
    that cgroup (``oom_victim``), or the faulting one; it retries its access if alive."""
    account = oom.account
    victim = None
    if account is not None and hasattr(account, "oom_victim"):
        victim = account.oom_victim(kernel.processes.values())
        if victim is not None:
            account.record_oom_kill(victim)
    victim = victim or proc
    kernel.do_exit(victim, None, signal=SIGKILL)


# -- saving, picking, switching ---------------------------------------------------------

def save(proc, hart, pc: int) -> None:
    """The process leaves the CPU (or enters the kernel): its registers and pc."""
    proc.regs = hart.x[:]
    proc.pc = pc


def reschedule(kernel: Kernel, ctx):
    """Account, wake, pick, deliver signals, switch (module docstring)."""
    now = kernel.now_ns()
    current = kernel.current
    if current is not None:
        kernel.sched.charge(current, now - kernel.last_charge_ns)
    kernel.last_charge_ns = now
    kernel.wake_due()
    preempt, kernel.preempt = getattr(kernel, "preempt", False), False
    yielded, kernel.yield_requested = kernel.yield_requested, False
    while True:
        if kernel.finished is not None:
            return _end_of_run(kernel, ctx)
        current = kernel.current
        if (current is not None and current.state == "R" and not (preempt or yielded)
                and throttled_until(current, now) is None):   # cpu.max: not past quota
            chosen = current
        else:
            if current is not None and current.state == "R":
                kernel.sched.enqueue(current)
            chosen, _ = kernel.sched.pick(now, skip=current if yielded else None)
            kernel.slice_end = None                # a new slice for whoever is picked
            if (chosen is None and current is not None and current.state == "R"
                    and throttled_until(current, now) is None):   # cpu.max holds it
                chosen = current
            preempt = yielded = False
        if chosen is None:
            kernel.current = None
            return _idle(kernel, ctx, now)
        kernel.sched.dequeue(chosen)
        kernel.current = chosen
        if deliver(kernel, chosen):
            return switch_to(kernel, ctx, chosen, now)
        kernel.current = None if chosen.state != "R" else chosen


def switch_to(kernel: Kernel, ctx, proc, now: int):
    """Put ``proc`` on the hart: registers, satp, the timer; resume it in U-mode."""
    hart = ctx.hart
    if kernel.running is not proc:
        kernel.context_switches += 1
        if kernel.ledger is not None and kernel.running is not None:
            kernel.ledger.charge("context_switch")
        kernel.running = proc
        kernel.slice_end = None
    if kernel.slice_end is None:                   # one slice per pick, not per call
        kernel.slice_end = now + kernel.sched.timeslice(proc)
    hart.x[1:] = proc.regs[1:]
    satp = proc.space.satp
    if hart.csr.satp != satp:
        ctx.csr["satp"] = satp
        ctx.machine.mmu.flush_tlb()
    _arm_timer(kernel, ctx, proc, now)
    return ctx.resume(proc.pc, "U")


def _arm_timer(kernel: Kernel, ctx, proc, now: int) -> None:
    """Program mtimecmp for the earliest of: the end of the slice (if another process
    is runnable), a sleeper's deadline, a cgroup quota check -- or never."""
    times = []
    if kernel.sched.queue:     # the slice ends when it ends, not a slice after each call
        times.append(max(now + 1, kernel.slice_end))
    deadline = kernel.next_deadline()
    if deadline is not None:
        times.append(deadline)
    if _under_quota(proc):
        times.append(now + QUOTA_TICK_NS)
    clint = ctx.machine.clint
    if not times:
        clint.mtimecmp[0] = NEVER
        return
    ticks = max(1, -(-(min(times) - now) // NS_PER_TICK))
    clint.mtimecmp[0] = clint.mtime + ticks


def _under_quota(proc) -> bool:
    cgroup = proc.cgroup
    while cgroup is not None:
        if getattr(getattr(cgroup, "cpu", None), "quota_us", None) is not None:
            return True
        cgroup = cgroup.parent
    return False


def _idle(kernel: Kernel, ctx, now: int):
    """Nothing runnable: wait in the idle loop for the next timer event, or halt."""
    wake_at = [t for t in (kernel.next_deadline(), _throttle_end(kernel, now))
               if t is not None]
    machine = ctx.machine
    if not wake_at:                                # deadlock: park, then halt
        _enter_idle(kernel, ctx, 0)
        machine.pc, machine.priv = machine.ram.base, "M"
        return ctx.halt(_deadlock_message(kernel))
    _enter_idle(kernel, ctx, max(1, -(-(min(wake_at) - now) // NS_PER_TICK)))
    return ctx.resume(machine.ram.base, "M")


def _enter_idle(kernel: Kernel, ctx, ticks: int) -> None:
    """The hart goes to the idle loop with the timer due in ``ticks`` (0: at once, so
    the next ``run()`` of a halted machine reschedules before anything else)."""
    machine = ctx.machine
    machine.clint.mtimecmp[0] = machine.clint.mtime + ticks
    ctx.csr["mstatus"] = ctx.csr["mstatus"] | MSTATUS_MIE
    kernel.idle_mark = (machine.clint.mtime, ctx.hart.instret)
    kernel.current = kernel.running = None


def _leave_idle(kernel: Kernel, ctx) -> None:
    """Count the time the hart slept in WFI as idle time (guest ns)."""
    mtime, instret = kernel.idle_mark
    waited = (ctx.machine.clint.mtime - mtime) * NS_PER_TICK
    ran = (ctx.hart.instret - instret) * NS_PER_INSTRUCTION
    kernel.idle_ns += max(0, waited - ran)
    ctx.csr["mstatus"] = ctx.csr["mstatus"] & ~MSTATUS_MIE


def _throttle_end(kernel: Kernel, now: int):
    """When the first process throttled by cpu.max may run again (None: none is)."""
    ends = [throttled_until(p, now) for p in kernel.sched.queue]
    ends = [t for t in ends if t is not None]
    return min(ends) if ends else None


def _deadlock_message(kernel: Kernel) -> str:
    sleeping = [p for p in kernel.processes.values() if p.state in ("S", "T")]
    what = ", ".join(
        f"pid {p.pid} ({p.comm or '?'}) " + ("stopped" if p.state == "T" else
                                            f"asleep on {p.sleeping_on.name}"
                                            if p.sleeping_on else "asleep")
        for p in sleeping) or "none"
    return (f"deadlock: no process can run and nothing can wake one (no timer, no "
            f"runnable process); sleeping: {what}")


def _end_of_run(kernel: Kernel, ctx):
    """The root init ended: the run ends with its status (module docstring)."""
    init = kernel.finished
    fault = init.fault
    if fault is not None:
        return ctx.halt(f"user program killed by {signal_name(fault.signal)}: {fault.name} "
                        f"at pc={fault.epc:#010x} (tval={fault.tval:#010x})")
    if init.term_signal is not None:
        return ctx.exit(128 + init.term_signal)
    return ctx.exit(init.exit_status)

