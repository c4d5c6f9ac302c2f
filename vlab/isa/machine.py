"""The RV32 machine: a vlab.host Platform plus one hart, an MMU and an execution engine.

Quick start::

    from vlab.isa.machine import Machine
    m = Machine(ram_size=1 << 20)
    m.load_bytes(0x8000_0000, program_bytes)
    m.pc = 0x8000_0000
    result = m.run(max_instructions=10_000)
    print(result)                  # why it stopped: exit / budget / breakpoint / halt / ...
    m.regs[10]                     # a0

``run`` stops with a ``RunResult`` whose ``status`` is one of

``'exit'``        the program wrote an exit command to HTIF ``tohost`` (``exit_code``), or
                  a Python trap handler called ``ctx.exit(code)``
``'budget'``      ``max_instructions`` retired (runaway code ends here, with a message)
``'breakpoint'``  about to execute an address in ``machine.breakpoints``
``'halt'``        a Python trap handler called ``ctx.halt(message)``
``'fault'``       a trap nobody handles: it targets a level whose ``xtvec`` is 0 and which
                  has no Python handler, or a trap storm (10,000 traps in a row with no
                  instruction retired, e.g. xtvec pointing at unmapped memory); the message
                  names the cause, pc, tval and privilege
``'idle'``        WFI with no interrupt that could ever wake the hart
``'step'``        (from ``step()``) one instruction executed or one trap taken

Python trap handlers (ARCHITECTURE.md invariant 2: Python stands in for the most privileged
software).  ``machine.set_trap_handler(level, handler)`` registers ``handler(ctx)`` for
traps that would *enter* privilege ``level`` ('M' or 'S', after medeleg/mideleg
delegation).  Instead of vectoring to xtvec, the machine calls the handler with a
``TrapContext`` (defined below) that exposes the trap (``cause``,
``interrupt``, ``tval``, ``epc``, ``from_priv``, ``name``), the hart (``regs``,
``reg(n)``, ``set_reg(n, v)``, ``csr``, ``machine``), guest virtual memory as the trapping
code sees it (``read(va, n)``, ``write(va, data)``, ``read_u32``, ``write_u32``,
``read_cstring``) and the trapping instruction (``instruction()``: its 32 bits; for an
illegal-instruction trap also in ``tval``).  The handler must end with exactly one
decision:

``ctx.skip()``              resume after the trapping instruction (epc + 4) -- emulated
``ctx.resume(pc, priv=None)``  resume anywhere, optionally in another privilege level
                            (a kernel switching to another process sets regs, satp via
                            ``ctx.csr['satp'] = ...``, then resumes)
``ctx.deliver()``           do what the hardware would: enter the guest's own handler at
                            xtvec (a hypervisor reflecting a trap into its guest)
``ctx.halt(message)`` / ``ctx.exit(code)``  stop the run

With the hypervisor extension (vlab/isa/traps.py), 'S' means HS-mode: a handler registered
there also sees the traps a guest (V=1) takes into HS.  No trap entry is made for a Python
handler, so the hart is as the trap found it (V still 1): ``ctx.guest_physical_address``
is what htval would tell of a guest-page fault, ``ctx.resume(pc, 'S', virt=1)`` returns
into the guest (``virt=0``: into HS), and ``machine.hfence_gvma()`` is HFENCE.GVMA after
the handler edits the G-stage tables.  Traps delegated on into VS-mode
(``hedeleg``/``hideleg``) go to the guest's own handler at vstvec.

The trap is charged to the ledger (``trap`` or ``interrupt``); resuming into a lower
privilege also charges ``privilege_switch``; a handler charges its own work with
``ctx.charge('syscall')`` etc.  Example -- a proxy kernel serving ``write`` and
``exit`` for a U-mode program::

    def pk(ctx):
        if ctx.cause != 8:                        # not an ecall from U: give up
            return ctx.halt(f'{ctx.name} at {ctx.epc:#x}')
        number, a0, a1, a2 = ctx.reg(17), ctx.reg(10), ctx.reg(11), ctx.reg(12)
        ctx.charge('syscall')
        if number == 64:                          # write(fd, buf, len)
            out.extend(ctx.read(a1, a2))
            ctx.set_reg(10, a2)
            return ctx.skip()
        if number == 93:                          # exit(code)
            return ctx.exit(a0)
        ctx.set_reg(10, -38 & 0xFFFFFFFF)         # -ENOSYS
        ctx.skip()

    m.set_trap_handler('M', pk)
    m.hart.priv = 0                               # run the program in U-mode

Deterministic time: the CLINT's ``mtime`` advances one tick every
``instructions_per_tick`` retired instructions (default from ``vlab.host.clock``: 10, a
100 MHz core with the 10 MHz timebase of QEMU's ``virt`` board); while the hart waits
in WFI, time jumps straight to the next timer interrupt.  The ``cycle`` CSR counts one cycle
per retired instruction.

Ledger: ``instruction`` (exact, charged in bulk per run), ``tlb_hit``/``tlb_miss``/
``page_walk_ref`` (vlab/isa/mmu.py), ``trap``, ``interrupt``, ``privilege_switch`` (xRET
to a lower level, or a Python handler resuming lower), ``device_access`` (by the bus).
Data memory accesses are not charged separately: their L1-hit cost is folded into
``instruction`` (the interpreter would pay 20+ ns per access to count them) -- unless
``exact_memory`` is on: then each data load/store is one ``mem_read``/``mem_write``.

Snapshots: ``snapshot()`` captures registers, pc, privilege, CSRs, counters, RAM and
devices (not the ledger); ``restore(snap)`` puts it all back and drops predecoded code
and the TLB.
"""
from __future__ import annotations

from dataclasses import dataclass

from vlab.host.clock import INSTRUCTIONS_PER_TICK
from vlab.host.platform import Platform
from vlab.host.watch import DEVICE
from vlab.isa.engines import engine_class
from vlab.isa.hart import Hart
from vlab.isa.mmu import FETCH, Mmu
from vlab.isa.privilege import LEVELS, PRIV_NAMES, VS, M, U
from vlab.isa.trace import Tracer
from vlab.isa.trap_actions import DECLINE, DELIVER, SKIP, Exit, Halt, Inject, Resume, TrapAction
from vlab.isa.trap_router import TrapRouter
from vlab.isa.traps import (
    Trap,
    cause_text,
    enter_trap,
    pending_interrupt,
    trap_target,
    trap_vector,
)

DEFAULT_BUDGET = 50_000_000
TRAP_STORM_LIMIT = 10_000
COMPAT_HANDLER = 'set_trap_handler'     # the name set_trap_handler registers under


@dataclass
class RunResult:
    """Why ``run`` stopped."""

    status: str
    instructions: int
    pc: int
    message: str = ''
    exit_code: int | None = None
    cause: int | None = None
    tval: int | None = None

    def __str__(self) -> str:
        text = f'{self.status} after {self.instructions} instructions at pc={self.pc:#010x}'
        if self.exit_code is not None:
            text += f', exit code {self.exit_code}'
        return f'{text}: {self.message}' if self.message else text


@dataclass
class MachineSnapshot:
    hart: dict
    platform: object
    tick_phase: int
    htif_armed: bool


class TrapContext:
    """What a Python trap handler sees and how it decides (see module docstring)."""

    def __init__(self, machine, cause, tval, interrupt, epc, level):
        self.machine, self.hart = machine, machine.hart
        self.csr = machine.hart.csr
        self.cause, self.tval, self.interrupt, self.epc = cause, tval, interrupt, epc
        self.from_priv, self.level = machine.hart.priv, level
        self.name = cause_text(cause, interrupt)
        self.action: TrapAction | None = None

    # registers
    @property
    def regs(self) -> list[int]:
        return self.hart.x

    def reg(self, n: int) -> int:
        return self.hart.x[n]

    def set_reg(self, n: int, value: int) -> None:
        if n:
            self.hart.x[n] = value & 0xFFFFFFFF

    # guest memory, as the trapping code sees it
    def read(self, va: int, n: int) -> bytes:
        return self.machine.mmu.read_virtual(va, n, self.from_priv)

    def write(self, va: int, data: bytes) -> None:
        self.machine.mmu.write_virtual(va, bytes(data), self.from_priv)

    def read_u32(self, va: int) -> int:
        return int.from_bytes(self.read(va, 4), 'little')

    def write_u32(self, va: int, value: int) -> None:
        self.write(va, (value & 0xFFFFFFFF).to_bytes(4, 'little'))

    def read_cstring(self, va: int, limit: int = 4096) -> bytes:
        out = bytearray()
        while len(out) < limit:
            byte = self.read(va + len(out), 1)[0]
            if byte == 0:
                break
            out.append(byte)
        return bytes(out)

    @property
    def guest_physical_address(self) -> int | None:
        """For a guest-page fault (causes 20, 21, 23) taken by this handler: the faulting
        guest-physical address -- what htval/mtval2 would hold (times 4) had the trap
        been delivered (vlab/isa/two_stage.py); else None."""
        fault = self.hart.guest_fault
        if fault is None or self.interrupt or fault[:2] != (self.cause, self.tval):
            return None
        return fault[2]

    def instruction(self) -> int:
        """The 32 bits of the trapping instruction (fetched as from_priv would)."""
        mmu = self.machine.mmu
        pa = mmu.translate(self.epc, FETCH, self.from_priv)
        return self.machine.bus.load(pa, 4)

    def charge(self, event: str, count: int = 1) -> None:
        self.machine.ledger.charge(event, count)

    # decisions: each records and returns a typed action (vlab/isa/trap_actions.py)
    def skip(self) -> TrapAction:
        self.action = SKIP
        return SKIP

    def resume(self, pc: int, priv=None, virt=None) -> TrapAction:
        """``virt=1``: resume in the guest (V=1; with ``priv`` 'S' that is VS-mode)."""
        self.action = Resume(pc, None if priv is None else LEVELS[priv], virt)
        return self.action

    def deliver(self) -> TrapAction:
        self.action = DELIVER
        return DELIVER

    def inject(self, vcpu, cause: int, tval: int = 0, interrupt: bool = False,
               epc: int | None = None, priv=None) -> TrapAction:
        self.action = Inject(vcpu, cause, tval, interrupt, epc,
                             None if priv is None else LEVELS[priv])
        return self.action

    def decline(self) -> TrapAction:
        self.action = DECLINE
        return DECLINE

    def halt(self, message: str = 'halted by trap handler') -> TrapAction:
        self.action = Halt(message)
        return self.action

    def exit(self, code: int = 0) -> TrapAction:
        self.action = Exit(code)
        return self.action


class Machine:
    """One RV32IMA hart with M/S/U modes and Sv32 on a vlab.host Platform."""

    def __init__(self, ram_size: int = 64 << 20, costs=None, tlb_entries: int = 32,
                 instructions_per_tick: int = INSTRUCTIONS_PER_TICK,
                 platform: Platform | None = None, engine: str | type = 'interp',
                 exact_memory: bool = False):
        if instructions_per_tick < 1:
            raise ValueError('instructions_per_tick must be >= 1')
        self.platform = platform or Platform(ram_size=ram_size, costs=costs)
        self.bus, self.ram, self.ledger = self.platform.bus, self.platform.ram, \
            self.platform.ledger
        self.clint = self.platform.clint
        self.instructions_per_tick = instructions_per_tick
        self._tick_phase = 0
        self.hart = Hart(mtime=lambda: self.clint.mtime, hw_mip=self._hw_mip)
        self.hart.pc = self.ram.base
        self.mmu = Mmu(self.bus, self.hart, tlb_entries)
        self.engine = self._make_engine(engine)
        self.exact_memory = exact_memory
        self.traps = TrapRouter(known_event=lambda event: event in self.ledger.costs)
        self.breakpoints: set[int] = set()
        self.tracer: Tracer | None = None
        self.symbols: dict[int, str] = {}      # address -> name (load_elf fills it)
        self.default_budget = DEFAULT_BUDGET
        self._htif_armed = False
        self._storm = 0
        self._attach_special_stores()

    def _make_engine(self, engine):
        """An engine by registered name (vlab/isa/engines.py) or an Engine subclass."""
        if isinstance(engine, str):
            engine = engine_class(engine)
        return engine(self.hart, self.mmu, self.ledger, on_retire=self._advance_time)

    # ------------------------------------------------------------ state access
    @property
    def regs(self) -> list[int]:
        return self.hart.x

    @property
    def pc(self) -> int:
        return self.hart.pc

    @pc.setter
    def pc(self, value: int) -> None:
        self.hart.pc = value & 0xFFFFFFFF

    @property
    def priv(self) -> int:
        return self.hart.priv

    @priv.setter
    def priv(self, value) -> None:
        self.hart.set_priv(LEVELS[value])
        self.engine.context_changed()

    @property
    def exact_memory(self) -> bool:
        """Exact memory-reference mode: every data load/store is charged to the ledger as
        ``mem_read``/``mem_write`` (both engines count the same); off by default."""
        return self.engine.exact_memory

    @exact_memory.setter
    def exact_memory(self, on: bool) -> None:
        self.engine.set_exact_memory(on)

    @property
    def csr(self):
        return self.hart.csr

    @property
    def htif(self):
        return self.platform.htif

    def _hw_mip(self) -> int:
        clint = self.clint
        return (0x80 if clint.timer_pending() else 0) | (0x8 if clint.software_pending() else 0)

    # ------------------------------------------------------------ loading
    def load_bytes(self, addr: int, data: bytes) -> None:
        """Copy bytes into RAM (predecoded code there is invalidated)."""
        self.bus.write_bytes(addr, bytes(data))

    def load_image(self, segments, entry: int, tohost: int | None = None,
                   fromhost: int | None = None) -> None:
        """Load segments ((addr, bytes) pairs, or objects with vaddr/data/memsz such as
        vlab.isa.elf Segments), set pc = entry and, given ``tohost``, start HTIF."""
        for seg in segments:
            if isinstance(seg, tuple):
                addr, data, memsz = seg[0], bytes(seg[1]), len(seg[1])
            else:
                addr, data, memsz = seg.vaddr, bytes(seg.data), seg.memsz
            self.load_bytes(addr, data + bytes(max(0, memsz - len(data))))
        self.pc = entry
        if tohost is not None:
            self.attach_htif(tohost, fromhost)

    def load_elf(self, source):
        """Load an RV32 ELF (path, bytes or vlab.isa.elf.ElfImage); returns the image."""
        from vlab.isa.elf import ElfImage, load_elf
        image = source if isinstance(source, ElfImage) else load_elf(source)
        self.load_image(image.segments, image.entry, image.tohost, image.fromhost)
        self.symbols = {addr: name for name, addr in sorted(image.symbols.items())}
        if self.tracer is not None:
            self.tracer.symbols = self.symbols
        return image

    def attach_htif(self, tohost: int, fromhost: int | None = None):
        htif = self.platform.attach_htif(tohost, fromhost)
        self._attach_special_stores()
        return htif

    def _attach_special_stores(self) -> None:
        htif = self.platform.htif
        self.mmu.special_stores = [] if htif is None else [(htif.tohost_addr, 8)]
        if htif is not None:
            self.mmu.watch_page(htif.tohost_addr - self.ram.base, DEVICE)   # a mailbox

    # ------------------------------------------------------------ handlers, tracing
    def set_trap_handler(self, level, handler) -> None:
        """Call ``handler(ctx)`` for every trap entering ``level`` ('M' or 'S'); None
        removes it.  One such handler per level (a later call replaces it), asked as any
        registration of ``traps.register(level, handler)`` (vlab/isa/trap_router.py)."""
        level = LEVELS[level]
        if level == U:
            raise ValueError('traps never enter U-mode (no N extension); use M or S')
        if any(r.name == COMPAT_HANDLER for r in self.traps.handlers(level)):
            self.traps.unregister(COMPAT_HANDLER, level)
        if handler is not None:
            self.traps.register(level, handler, name=COMPAT_HANDLER)

    @property
    def trace(self) -> bool:
        return self.tracer is not None

    @trace.setter
    def trace(self, on: bool) -> None:
        if on and self.tracer is None:
            self.tracer = Tracer(symbols=self.symbols or None)
            self.engine.set_tracer(self.tracer)
        elif not on and self.tracer is not None:
            self.tracer = None
            self.engine.set_tracer(None)

    def sfence_vma(self) -> None:
        """What SFENCE.VMA does, for Python kernels that edit page tables."""
        self.mmu.flush_tlb()
        self.engine.flush(paged_only=True)

    def flush_tlb(self) -> None:
        """Forget cached *data* translations only (the TLB and the fast memory views),
        for a Python kernel that changed mappings of pages nobody executes (a
        copy-on-write copy, a page freed): predecoded and translated code stands for
        the translations of code pages, which did not change, so it is kept.  After
        changing an executable mapping call ``sfence_vma`` instead."""
        self.mmu.flush_tlb()

    def hfence_gvma(self, vmid: int | None = None) -> None:
        """What HFENCE.GVMA does, for Python hypervisors that edit G-stage tables: forget
        the guest translations of ``vmid`` (None: of every guest)."""
        self.mmu.hypervisor_fence(vmid)
        self.engine.flush(paged_only=True)

    # ------------------------------------------------------------ time
    def _advance_time(self, retired: int) -> None:
        phase = self._tick_phase + retired
        ipt = self.instructions_per_tick
        if phase >= ipt:
            self.clint.advance(phase // ipt)
            phase %= ipt
        self._tick_phase = phase

    def _instructions_until_timer(self) -> int | None:
        if self.clint.timer_pending():
            return None
        return self.clint.ticks_until_timer() * self.instructions_per_tick - self._tick_phase

    # ------------------------------------------------------------ running
    def step(self) -> RunResult:
        """Execute one instruction, or take one trap/interrupt, on the exact path."""
        return self.run(max_instructions=1, _single=True)

    def run(self, max_instructions: int | None = None, trace: bool | None = None,
            _single: bool = False) -> RunResult:
        """Run until exit, budget, breakpoint, halt, fault or idle (see module docstring)."""
        if trace is not None:
            self.trace = trace
        budget = self.default_budget if max_instructions is None else max_instructions
        hart = self.hart
        hart.x[0] = 0                        # x0 is hardwired, whatever Python wrote there
        self.engine.context_changed()
        start_instret, start_pc = hart.instret, hart.pc
        self._storm = 0
        while True:
            retired = hart.instret - start_instret
            result = self._check_stop(retired, budget, start_pc)
            if result is None:
                result = self._advance(budget - retired, _single)
            if hart.instret != start_instret + retired:
                self._storm = 0
            if result is None and _single:
                result = self._result('step')
            if result is not None:
                break
        self._finish()
        result.instructions = hart.instret - start_instret
        return result

    def _advance(self, left: int, single: bool) -> RunResult | None:
        """One step of the run loop: take an interrupt, wait, or execute some code."""
        hart = self.hart
        interrupt = pending_interrupt(hart, hart.csr.mip)
        if interrupt is not None:
            hart.waiting = False
            return self._take_trap(interrupt, 0, True, hart.pc)
        if hart.waiting:
            return self._wait_for_interrupt()
        self._execute(left, single)
        if self.engine.trap is not None:
            trap, pc = self.engine.trap
            return self._take_trap(trap.cause, trap.tval, False, pc)
        return None

    def _check_stop(self, retired, budget, start_pc):
        htif = self.platform.htif
        if htif is not None and htif.exited:
            return self._result('exit', exit_code=htif.exit_code,
                                message='the program wrote its exit code to tohost')
        if retired >= budget:
            return self._result('budget', message=(
                f'instruction budget of {budget} exhausted; the program may be in an endless '
                'loop -- pass a larger max_instructions to run longer'))
        if self.breakpoints and self.hart.pc in self.breakpoints and (
                retired or self.hart.pc != start_pc):
            return self._result('breakpoint', message=f'breakpoint at {self.pc:#010x}')
        return None

    def _execute(self, left: int, single: bool) -> None:
        """Run the engine: its fast loop, or one exact step when something must watch
        every instruction (single-step, trace, breakpoints, a pending HTIF command)."""
        engine = self.engine
        if single or self.tracer is not None or self.breakpoints or self._htif_armed:
            pc = self.hart.pc
            engine.step()
            if not self.mmu.special_touched and self._htif_armed and (
                    engine.trap is not None or self.hart.pc != pc + 4):
                self._poll_htif()                 # HTIF commands are read at block ends
        else:
            until_timer = self._instructions_until_timer()
            engine.run(left if until_timer is None else min(left, max(until_timer, 1)))
        if self.mmu.special_touched:
            self.mmu.special_touched = False
            self._htif_armed = True

    def _poll_htif(self) -> None:
        self._htif_armed = False
        if self.platform.htif is not None:
            self.platform.htif.poll()

    def _wait_for_interrupt(self):
        csr = self.hart.csr
        if csr.mip & csr.mie:
            self.hart.waiting = False
            return None
        ticks = self.clint.ticks_until_timer()
        if csr.mie & 0x80 and self.clint.mtimecmp[0] != (1 << 64) - 1:
            self.clint.advance(max(ticks, 1))
            return None
        return self._result('idle', message=(
            'WFI with no interrupt that can wake the hart (enable mie.MTIE and program '
            'mtimecmp, or set msip)'))

    def _take_trap(self, cause, tval, interrupt, epc):
        """Route a trap (vlab/isa/trap_router.py): the registered handlers of its target
        level, most recent first, until one does not decline; else the architecture."""
        hart = self.hart
        self._storm += 1
        level = trap_target(hart, cause, interrupt)
        description = (f'{cause_text(cause, interrupt)} at pc={epc:#010x} '
                       f'(tval={tval:#010x}) in {PRIV_NAMES[hart.priv]}-mode')
        if self._storm > TRAP_STORM_LIMIT:
            self.ledger.charge('interrupt' if interrupt else 'trap')
            return self._fault(cause, tval, epc, f'trap storm: {self._storm} traps without '
                               f'retiring an instruction; last: {description}')
        if self.tracer is not None and interrupt:
            from vlab.isa.trace import TraceRecord
            self.tracer.add(TraceRecord(epc, 0, hart.priv, '<interrupt>', trap=description))
        for registration in self.traps.by_level.get(level, ()):
            if cause not in (registration.interrupts if interrupt else registration.exceptions):
                continue
            ctx = TrapContext(self, cause, tval, interrupt, epc, level)
            try:
                returned = registration.handler(ctx)
            except Trap as fault:
                self.ledger.charge('interrupt' if interrupt else 'trap')
                return self._fault(cause, tval, epc, (
                    f'the Python {PRIV_NAMES[level]}-mode trap handler {registration.name!r} '
                    f'hit a guest fault ({fault}) while handling {description}'))
            action = ctx.action or (returned if isinstance(returned, TrapAction) else None)
            if action is not DECLINE:
                self.ledger.charge(registration.charge_as or ('interrupt' if interrupt
                                                              else 'trap'))
                return self._apply(ctx, action, registration, description)
        self.ledger.charge('interrupt' if interrupt else 'trap')
        return self._deliver(cause, tval, interrupt, epc, level, description)

    def _apply(self, ctx, action, registration, description):
        """Carry out a handler's decision (vlab/isa/trap_actions.py)."""
        kind = None if action is None else action.kind
        if kind == 'halt':
            return self._result('halt', message=action.message)
        if kind == 'exit':
            return self._result('exit', exit_code=action.code,
                                message='exit requested by the trap handler')
        if kind == 'skip':
            return self._resume(ctx, ctx.epc + 4, None)
        if kind == 'resume':
            if action.virt is not None and action.virt != self.hart.virt:
                if action.virt:
                    self.ledger.charge('privilege_switch')       # into the guest
                self.hart.set_virt(action.virt)
            return self._resume(ctx, action.pc, action.priv)
        if kind == 'deliver':
            return self._deliver(ctx.cause, ctx.tval, ctx.interrupt, ctx.epc, ctx.level,
                                 description)
        if kind == 'inject':
            return self._inject(ctx, action)
        return self._fault(ctx.cause, ctx.tval, ctx.epc, (
            f'the Python {PRIV_NAMES[ctx.level]}-mode trap handler {registration.name!r} '
            'returned without calling skip(), resume(), deliver(), inject(), decline(), '
            f'halt() or exit() for {description}'))

    def _resume(self, ctx, pc, priv):
        self.hart.pc = pc & 0xFFFFFFFF
        if priv is not None and priv != self.hart.priv:
            if priv < ctx.level:
                self.ledger.charge('privilege_switch')
            self.hart.set_priv(priv)
        self.engine.context_changed()
        return None

    def _inject(self, ctx, action):
        """Trap-and-emulate: the trap enters the guest's virtual CSRs (vlab/isa/vcpu.py),
        and the guest's own handler runs, at the real level the action names."""
        vcpu = action.vcpu
        epc = ctx.epc if action.epc is None else action.epc
        if vcpu.handler_base(action.cause, action.interrupt) == 0:
            return self._fault(ctx.cause, ctx.tval, ctx.epc, (
                f'cannot inject {cause_text(action.cause, action.interrupt)} into the '
                f'vCPU: its trap vector is 0 (set the guest\'s stvec/mtvec)'))
        pc = vcpu.enter_trap(action.cause, action.tval, action.interrupt, epc)
        return self._resume(ctx, pc, action.priv)

    def _deliver(self, cause, tval, interrupt, epc, level, description):
        tvec = trap_vector(self.hart, level)
        if tvec & ~3 == 0:
            name = {M: 'mtvec', VS: 'vstvec'}.get(level, 'stvec')
            return self._fault(cause, tval, epc, (
                f'unhandled {description}: {name} is 0 and '
                f'no Python trap handler took it for {PRIV_NAMES[level]}-mode'))
        self.hart.pc = enter_trap(self.hart, cause, tval, interrupt, epc)
        self.engine.context_changed()
        return None

    def _fault(self, cause, tval, epc, message):
        result = self._result('fault', message=message)
        result.cause, result.tval, result.pc = cause, tval, epc
        return result

    def _result(self, status, **details):
        return RunResult(status, 0, self.hart.pc, **details)

    def _finish(self) -> None:
        # A pending HTIF command is NOT polled here: a run may stop (step, budget,
        # breakpoint) between the two 32-bit stores of a 64-bit tohost write, and the
        # low half alone would be misread.  It stays armed and is read at the next
        # block end, as real HTIF hosts do.
        self.engine.charge_ledger()
        self._charge_instructions()

    def _charge_instructions(self) -> None:
        new = self.hart.instret - getattr(self, '_charged_instret', 0)
        if new > 0:
            self.ledger.charge('instruction', new)
        self._charged_instret = self.hart.instret

    # ------------------------------------------------------------ snapshots
    def snapshot(self) -> MachineSnapshot:
        """The whole machine state (registers, CSRs, privilege, RAM, devices)."""
        return MachineSnapshot(self.hart.state(), self.platform.save_state(),
                               self._tick_phase, self._htif_armed)

    def restore(self, snap: MachineSnapshot) -> None:
        """Put the machine back exactly as ``snapshot`` found it."""
        self.platform.restore_state(snap.platform)
        self.hart.set_state(snap.hart)
        self._charged_instret = self.hart.instret
        self._tick_phase, self._htif_armed = snap.tick_phase, snap.htif_armed
        self._attach_special_stores()
        self.mmu.flush_tlb()
        self.engine.flush()
        self.engine.context_changed()

    def read_virtual(self, va: int, n: int, priv=None) -> bytes:
        """Read guest virtual memory as privilege ``priv`` (default: current) would."""
        return self.mmu.read_virtual(va, n, None if priv is None else LEVELS[priv])

    def __repr__(self) -> str:
        return f'<Machine {self.hart!r} {self.ram!r}>'


__all__ = ['Machine', 'MachineSnapshot', 'RunResult', 'TrapContext']
