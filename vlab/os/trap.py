"""The kernel on a vlab Machine: start a user program, and handle its traps.

Like xv6's kernel/trap.c ``usertrap``: every trap out of the user program comes here.

* ``ecall`` from U-mode (cause 8) is a system call: served through the ABI adapter
  (``abi.py``), then the program resumes after the ``ecall`` (``ctx.skip()``) -- or the
  run ends (``ctx.exit``) once the process has called exit/exit_group;
* anything else (a page fault, an illegal instruction, a misaligned fetch...) kills the
  process with the signal Linux would send (``signal.py``); the run halts with a message
  naming the cause, pc and tval, and ``proc.fault`` keeps them.

The kernel registers two handlers with the machine's trap router (vlab/isa/trap_router.py)
for traps entering M-mode: ``kernel`` for ecall-from-U, asked first, and ``kernel-fault``
for every other cause (lower priority, so a handler installed later -- a debugger, a
hypervisor -- is asked before it).  The ecall is charged as the hardware event it is, a
``trap``; the kernel's service is charged as one ``syscall`` (``kernel.py``), so the ledger
reads one trap and one system call per ecall.  The program runs in U-mode with ``satp``
from its address space (0 = paging off, or the Sv32 root table).

Like riscv-pk (``machine/minit.c`` writes all ones to ``mcounteren`` and
``scounteren``), the kernel lets user code read the counters: ``rdcycle``, ``rdtime``
and ``rdinstret`` work in U-mode instead of trapping as illegal instructions.
"""

from __future__ import annotations

from vlab.isa.causes import Cause

from .abi import serve_ecall
from .exec import load_user_program
from .kernel import Kernel
from .proc import Fault
from .quota import DEFAULT_WRITE_QUOTA
from .signal import SIGABRT, SIGNAL_NAMES, signal_for

ECALL_CHARGED_AS = "trap"      # the hardware's part; the service is charged as 'syscall'
FAULT_PRIORITY = -1            # asked after every other M-mode handler
COUNTERS_ENABLED = 0xFFFF_FFFF  # every counter readable below M-mode, as riscv-pk sets them


def attach(machine, kernel: Kernel) -> None:
    """Register the kernel's trap entries on ``machine`` (see the module docstring)."""
    machine.traps.register("M", lambda ctx: kill(kernel.current, ctx), causes="all",
                           name="kernel-fault", priority=FAULT_PRIORITY)
    machine.traps.register("M", lambda ctx: usertrap(kernel, ctx), causes={Cause.USER_ECALL},
                           charge_as=ECALL_CHARGED_AS, name="kernel")


def start_user_program(machine, image, *, paging: bool = False, argv=("program",), envp=(),
                       stdin=None, stdout=None, stderr=None, root=None,
                       write_quota: int = DEFAULT_WRITE_QUOTA) -> Kernel:
    """Load the ElfImage ``image`` as a user process on ``machine``, ready to ``run()``;
    the kernel's ``current`` process is the program."""
    loaded = load_user_program(image, machine.bus, paging=paging, argv=argv, envp=envp)
    kernel = Kernel(ledger=machine.ledger, instret=lambda: machine.hart.instret)
    kernel.spawn(loaded.space, brk_start=loaded.brk_start, brk_limit=loaded.brk_limit,
                 stdin=stdin, stdout=stdout, stderr=stderr, root=root,
                 write_quota=write_quota)
    attach(machine, kernel)
    machine.csr["mcounteren"] = machine.csr["scounteren"] = COUNTERS_ENABLED
    machine.csr["satp"] = loaded.space.satp
    machine.regs[2] = loaded.sp
    machine.pc = loaded.entry
    machine.priv = "U"
    return kernel


def usertrap(kernel: Kernel, ctx):
    """A system call: the machine calls this with a TrapContext for ecall-from-U."""
    proc = kernel.current
    serve_ecall(kernel, proc, ctx.reg, ctx.set_reg)
    if proc.exited:                      # exit never returns: a0 keeps the status
        return ctx.exit(proc.exit_status)
    return ctx.skip()


def kill(proc, ctx):
    """A trap the kernel does not resolve: the process dies by a signal, the run halts."""
    signal = SIGABRT if ctx.interrupt else signal_for(ctx.cause)
    proc.kill(Fault(ctx.cause, ctx.epc, ctx.tval, ctx.name, signal))
    return ctx.halt(f"user program killed by {SIGNAL_NAMES[signal]}: {ctx.name} at "
                    f"pc={ctx.epc:#010x} (tval={ctx.tval:#010x})")
