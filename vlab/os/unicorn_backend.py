"""Run a user program on unicorn (QEMU's CPU core) under the same kernel.

unicorn is the *reference* CPU of the lockstep tests and the native-code limit of the
benchmark: it runs RV32 code by translating it into host machine code.  unicorn has no
kernel, so this module gives it ours: the program is loaded into unicorn's memory by the
same loader (``exec.load_into``) with the same layout as the flat (paging off) layout
of our machine, and every ``ecall`` is served by a ``Kernel`` through the same ABI
adapter (``abi.serve_ecall``) as on our machine.

unicorn quirks handled here (unicorn 2.1, UC_MODE_RISCV32):

* It does not deliver guest traps to ``mtvec``: an ``ecall`` reaches the ``UC_HOOK_INTR``
  hook, with pc already *past* the ecall; we stop the emulation, serve the system call,
  and continue.  An exception other than ecall cannot be reproduced faithfully, so it
  ends the run (``fault`` says which).
* ``ebreak`` and illegal instructions abort ``emu_start`` with a UcError.

There is one process and no scheduler: a call that must wait (``Blocked``, waitq.py)
with a deadline -- a sleep -- lets that much modeled time pass (the kernel's idle time)
and runs again; one without a deadline could never be woken and ends the run.

unicorn is a test/benchmark dependency, imported only when this module is used.
"""

from __future__ import annotations

try:
    from unicorn import UC_ARCH_RISCV, UC_HOOK_INTR, UC_MODE_RISCV32, Uc, UcError
    from unicorn import riscv_const as rc
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("unicorn is not installed: pip install 'unicorn>=2.1' "
                      "(it is in vlab's test extra)") from exc

from vlab.isa.causes import ECALLS

from .abi import serve_ecall
from .errno import EFAULT, SyscallError
from .exec import load_into
from .kernel import Kernel
from .vm import PAGE, page_down, page_up
from .waitq import Blocked

RAM_END = 0x8000_0000 + (64 << 20)   # stack top of the flat layout with the default RAM
X_REGS = [getattr(rc, f"UC_RISCV_REG_X{i}") for i in range(32)]


class UnicornSpace:
    """A user address space in unicorn's memory (pages mapped on demand, all RWX)."""

    satp = 0

    def __init__(self, uc):
        self.uc = uc
        self.pages: set[int] = set()

    def map(self, va, size, readable=True, writable=True, executable=False) -> None:
        start = page_down(va)
        for page in range(start, page_up(va + size), PAGE):
            if page not in self.pages:
                self.uc.mem_map(page, PAGE)
                self.pages.add(page)
        self.write(va, bytes(size))

    def read(self, va, n) -> bytes:
        try:
            return bytes(self.uc.mem_read(va, n))
        except UcError:
            raise SyscallError(EFAULT, f"{va:#x} is not mapped") from None

    def write(self, va, data) -> None:
        try:
            self.uc.mem_write(va, bytes(data))
        except UcError:
            raise SyscallError(EFAULT, f"{va:#x} is not mapped") from None

    load = write                      # all pages are RWX here

    def writable_prefix(self, va, n) -> int:
        """The bytes from ``va`` (up to ``n``) on mapped pages."""
        done = 0
        while done < n and page_down(va + done) in self.pages:
            done = min(n, page_down(va + done) + PAGE - va)
        return done


class UnicornUserProcess:
    """A user ELF image loaded into unicorn with a kernel serving its ecalls."""

    def __init__(self, image, argv=("program",), envp=(), stack_top=RAM_END, **kernel_args):
        self.uc = Uc(UC_ARCH_RISCV, UC_MODE_RISCV32)
        self.space = UnicornSpace(self.uc)
        loaded = load_into(image, self.space, stack_top, argv, envp)
        self.instret = 0
        self.kernel = Kernel(instret=lambda: self.instret)
        self.process = self.kernel.spawn(self.space, brk_start=loaded.brk_start,
                                         brk_limit=loaded.brk_limit, **kernel_args)
        self.uc.reg_write(rc.UC_RISCV_REG_PC, loaded.entry)
        self.uc.reg_write(rc.UC_RISCV_REG_SP, loaded.sp)
        self.fault: str | None = None
        self._trap: int | None = None
        self.uc.hook_add(UC_HOOK_INTR, self._on_interrupt)

    def _on_interrupt(self, uc, cause, _data) -> None:
        self._trap = cause
        uc.emu_stop()

    @property
    def pc(self) -> int:
        return self.uc.reg_read(rc.UC_RISCV_REG_PC)

    def registers(self) -> list[int]:
        return [0] + [self.uc.reg_read(r) & 0xFFFF_FFFF for r in X_REGS[1:]]

    def register(self, number: int) -> int:
        return self.uc.reg_read(X_REGS[number]) & 0xFFFF_FFFF if number else 0

    def set_register(self, number: int, value: int) -> None:
        if number:
            self.uc.reg_write(X_REGS[number], value & 0xFFFF_FFFF)

    @property
    def done(self) -> bool:
        return self.process.exited or self.fault is not None

    def step(self) -> None:
        """Execute one instruction (an ecall includes its system call)."""
        self._execute(count=1)
        if self._trap is None and self.fault is None:  # a trapping ecall does not retire
            self.instret += 1

    def run(self, max_instructions: int = 10**9) -> None:
        """Run at full speed until exit or a fault.  Each stretch between two ecalls may
        run up to ``max_instructions`` (unicorn's own count), which bounds a runaway
        program; ``instret`` is only kept exact by ``step``."""
        while not self.done:
            self._execute(count=max_instructions)
            if self._trap is None and not self.done:
                self.fault = f"budget of {max_instructions} instructions exhausted"

    def _execute(self, count: int) -> None:
        self._trap = None
        try:
            self.uc.emu_start(self.pc, 0xFFFF_FFFF_FFFF_FFFF, count=count)
        except UcError as error:
            self.fault = f"unicorn stopped at pc={self.pc:#010x}: {error}"
            return
        if self._trap is not None:
            self._serve_trap(self._trap)

    def _serve_trap(self, cause: int) -> None:
        if cause not in ECALLS:           # unicorn reports ecall from any mode
            self.fault = f"exception {cause} at pc={self.pc:#010x}"
            return
        proc = self.process
        try:
            serve_ecall(self.kernel, proc, self.register, self.set_register)
        except Blocked as blocked:        # one process and no scheduler: a sleep just
            if blocked.deadline is None:  # lets the time pass; any other wait is forever
                self.fault = (f"the system call at pc={self.pc - 4:#010x} waits for an "
                              "event, and a lone process under unicorn has nobody to "
                              "wake it")
                return
            self.kernel.idle_ns += max(0, blocked.deadline - self.kernel.now_ns())
            proc.restart_deadline = blocked.deadline
            serve_ecall(self.kernel, proc, self.register, self.set_register)
            proc.restart_deadline = None
