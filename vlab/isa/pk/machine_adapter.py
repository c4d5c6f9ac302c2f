"""Attach the proxy kernel to a vlab Machine: load the program, install the trap handler.

The kernel is registered as the machine's Python M-mode trap handler
(``Machine.set_trap_handler('M', ...)``).  The program runs in U-mode with ``satp`` set
from its address space (0 = paging off, or the Sv32 root table).  On each trap:

* ``ecall`` from U-mode (cause 8): serve the system call, write a0, resume after the
  ecall (``ctx.skip()``) -- or end the run (``ctx.exit``) after exit/exit_group;
* anything else (a page fault, an illegal instruction, a misaligned fetch...): a real
  kernel would kill the process with a signal; we halt the run with a message naming the
  cause, pc and tval, and remember it in ``kernel.fault``.
"""

from __future__ import annotations

from .kernel import ProxyKernel
from .process import load_user_program

ECALL_FROM_U = 8
ARGUMENT_REGISTERS = range(10, 16)   # a0..a5
A7 = 17


def start_user_program(machine, image, *, paging: bool = False, argv=("program",), envp=(),
                       stdin=None, stdout=None, stderr=None, root=None) -> ProxyKernel:
    """Load the ElfImage ``image`` as a user process on ``machine``, ready to ``run()``."""
    loaded = load_user_program(image, machine.bus, paging=paging, argv=argv, envp=envp)
    kernel = ProxyKernel(loaded.space, brk_start=loaded.brk_start, brk_limit=loaded.brk_limit,
                         stdin=stdin, stdout=stdout, stderr=stderr, root=root,
                         ledger=machine.ledger, instret=lambda: machine.hart.instret)
    machine.set_trap_handler("M", lambda ctx: handle_trap(kernel, ctx))
    machine.csr["satp"] = loaded.space.satp
    machine.regs[2] = loaded.sp
    machine.pc = loaded.entry
    machine.priv = "U"
    return kernel


def handle_trap(kernel: ProxyKernel, ctx) -> None:
    """The proxy kernel's trap entry (the machine calls it with a TrapContext)."""
    if ctx.interrupt or ctx.cause != ECALL_FROM_U:
        text = f"{ctx.name} at pc={ctx.epc:#010x} (tval={ctx.tval:#010x})"
        kernel.fault = (ctx.cause, ctx.epc, ctx.tval, ctx.name)
        return ctx.halt(f"user program killed: {text}")
    number = ctx.reg(A7)
    args = [ctx.reg(r) for r in ARGUMENT_REGISTERS]
    result = kernel.syscall(number, args)
    if kernel.exited:                    # exit never returns: a0 keeps the status
        return ctx.exit(kernel.exit_code)
    ctx.set_reg(10, result)
    return ctx.skip()
