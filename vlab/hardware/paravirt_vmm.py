"""A Xen-style paravirtualizing VMM: the ``paravirt`` CPU-virtualization method.

Source: Barham et al., "Xen and the Art of Virtualization" (SOSP 2003), sec. 2 and 3:
the guest kernel is *modified* to run deprivileged; instead of executing privileged
instructions it calls the hypervisor (hypercalls), registers its trap handlers once, and
asks for page-table updates, which the hypervisor validates and may take in batches.
The guest here is the paravirtual build of vlab/hardware/guest_kernel (``-DPARAVIRT``,
its arch.h lists the hypercalls).

The guest -- kernel and user code alike -- always runs in real U-mode (as Xen's x86-64
PV guests run their kernel in ring 3).  This VMM is the trap-router handler for every
cause in real M-mode and tracks whether the guest is in its *kernel* or its *user* mode.
Every entry into it is a software trap, not a hardware VM exit (Xen's PV guests run
without VT-x), so each is charged as ``hypercall`` (vlab/host/costs.py), and each
validated page-table update as ``shadow_pt_update`` (the VMM's check-and-apply work):

============================  ==========================================================
kernel: ecall, a7 = PV_EID    a hypercall (``HYPERCALLS``): PV_SET_CALLBACK,
                              PV_MULTICALL (batched page-table updates), PV_IRET
kernel: ecall, other a7       an SBI call (vlab/hardware/sbi.py: console, timer, reset)
kernel: any other trap        the VM stops with the reason (a PV kernel executes no
                              privileged instruction; a kernel fault is a kernel bug)
user: any trap                *bounced* to the guest kernel: the user registers, pc,
                              cause and tval are written to the guest's registered frame,
                              sp = a0 = the frame, pc = the registered callback (Xen's
                              trap bounce); the guest kernel then reads them from memory,
                              where a native kernel runs csrr and traps under
                              trap-and-emulate
machine timer                 the guest's SBI timer: bounced at once from user mode, or
                              held pending until the kernel's next PV_IRET
============================  ==========================================================

**Page tables** (Xen's direct paging, simplified).  The guest's tables are guest memory
that only this VMM writes: each PV_OP_MMU_UPDATE(pte address, value) is validated --
the address lies in a table the guest pinned (its root, or a leaf table linked from it),
a pointer entry names a zeroed guest page (which becomes a pinned leaf table), a leaf
maps guest RAM only (never the VMM's memory or a device) with its alignment -- and then
written.  From the same updates the VMM keeps two real Sv32 tables in its own memory,
since the guest's kernel runs in real U-mode too (as Xen x86-64 keeps a kernel and a user
table): a *kernel view* (every mapping, U set so the deprivileged kernel reaches it) and a
*user view* (only the guest's U pages); the real ``satp`` switches between them on every
bounce and PV_IRET.  Simplified: Xen lets the hardware walk the validated guest tables
themselves; here both views are derived, and a writable mapping of a page-table page is
not refused (Xen's page-type rule).  A refused update stops the VM with the reason.
"""
from __future__ import annotations

import struct
from collections import Counter

from vlab.isa.causes import Cause, Interrupt
from vlab.isa.pagetable import (
    PAGE,
    PTE_A,
    PTE_D,
    PTE_R,
    PTE_U,
    PTE_V,
    PTE_X,
    PageTable,
    PoolAllocator,
)
from vlab.isa.privilege import U
from vlab.isa.traps import cause_text

from .sbi import SbiHost, sbi_call
from .trap_emulate import GuestStop

VMM_NAME = 'paravirtualizing VMM'
PV_EID = 0x09564C42                   # guest_kernel/arch.h; SBI's vendor-specific EID space
FRAME_WORDS = 35                      # struct frame: x0..x31, sepc, scause, stval
MEGAPAGE = 4 << 20
NEVER = (1 << 64) - 1
MTIE = 1 << Interrupt.MACHINE_TIMER
S_TIMER_CAUSE = 1 << 31 | Interrupt.SUPERVISOR_TIMER
ALL_COUNTERS = 7                      # cycle, time, instret readable in U-mode
MAX_BATCH = 1024
ROOT = None                           # self.tables value of the pinned root


class PvRefused(Exception):
    """A hypercall the VMM refuses: the VM stops with this reason."""


class ParavirtVmm:
    """The VMM of one paravirtual guest on ``machine`` (see the module docstring)."""

    def __init__(self, machine, memory):
        self.machine, self.memory = machine, memory
        alloc = PoolAllocator(memory.pool_base, memory.vmm_base + memory.vmm_size
                              - memory.pool_base)
        self.kernel_view = PageTable(machine.bus, alloc)
        self.user_view = PageTable(machine.bus, alloc)
        self.tables: dict[int, int | None] = {}     # pinned table page -> va base (ROOT)
        self.active = False                          # paging on (PV_OP_NEW_BASEPTR)
        self.mode = 'kernel'
        self.callback = self.frame = None
        self.timer_pending = False
        self.exits: Counter = Counter()
        self.emulated: Counter = Counter()           # hypercall operations served
        self.shadow = self                           # VmStats reads fills / drops
        self.fills = self.drops = 0                  # page-table updates / TLB flushes
        self.stop: GuestStop | None = None
        self.last_injected: GuestStop | None = None
        self.log = None
        self.sbi = SbiHost(self._putchar, self._read_guest, self._set_timer)
        self.registration = machine.traps.register('M', self.handle, causes='all',
                                                   charge_as='hypercall', name=VMM_NAME)

    # ------------------------------------------------------------ exits
    def handle(self, ctx):
        try:
            if ctx.interrupt:
                return self._timer(ctx)
            if self.mode == 'user':
                self.exits[f'{cause_text(ctx.cause, False)} (bounced to the guest kernel)'] += 1
                return self._bounce(ctx, ctx.cause, ctx.tval, ctx.epc)
            if ctx.cause == Cause.USER_ECALL:
                return self._kernel_call(ctx)
            raise PvRefused(f'the paravirtual guest kernel took a {cause_text(ctx.cause, False)}'
                            f' at pc={ctx.epc:#010x} (tval={ctx.tval:#010x}): a PV kernel '
                            'executes no privileged instruction and must not fault')
        except PvRefused as refused:
            self.stop = GuestStop(str(refused), pc=ctx.epc)
            return ctx.halt(str(refused))

    def _kernel_call(self, ctx):
        regs = ctx.regs
        if regs[17] == PV_EID:
            name, serve = HYPERCALLS.get(regs[16], (None, None))
            if serve is None:
                raise PvRefused(f'unknown hypercall {regs[16]} (extension {PV_EID:#x})')
            self.exits[f'hypercall {name}'] += 1
            return serve(self, ctx, regs[10], regs[11])
        name, result = sbi_call(self.sbi, regs)
        self.exits[f'SBI {name}'] += 1
        if result.exit is not None:
            return ctx.exit(result.exit)
        if result.stop is not None:
            raise PvRefused(result.stop)
        ctx.set_reg(10, result.error & 0xFFFFFFFF)
        if result.returns:
            ctx.set_reg(11, result.value & 0xFFFFFFFF)
        return ctx.resume(ctx.epc + 4)

    def _timer(self, ctx):
        clint = self.machine.clint
        clint.mtimecmp[0] = NEVER
        self.machine.hart.csr.mie = 0
        self.exits['timer interrupt'] += 1
        if self.mode == 'user':
            return self._bounce(ctx, S_TIMER_CAUSE, 0, ctx.epc)
        self.timer_pending = True                    # delivered at the next PV_IRET
        return ctx.resume(ctx.epc)

    def _bounce(self, ctx, cause: int, tval: int, epc: int):
        """Enter the guest kernel's callback with the user context saved in its frame."""
        if self.callback is None:
            raise PvRefused(f'a user-mode {cause_text(cause & 0xFFFF, bool(cause >> 31))} '
                            'and the guest kernel registered no callback (PV_SET_CALLBACK)')
        regs = list(ctx.regs)
        regs[0] = 0
        self.memory.bus.write_bytes(self.frame, struct.pack(
            f'<{FRAME_WORDS}I', *regs, epc, cause & 0xFFFFFFFF, tval & 0xFFFFFFFF))
        ctx.set_reg(2, self.frame)
        ctx.set_reg(10, self.frame)
        self._enter('kernel')
        return ctx.resume(self.callback)

    def _enter(self, mode: str) -> None:
        self.mode = mode
        if self.active:
            view = self.kernel_view if mode == 'kernel' else self.user_view
            self.machine.hart.csr.satp = view.atp
            self.machine.mmu.flush_tlb()

    # ------------------------------------------------------------ hypercalls
    def _set_callback(self, ctx, entry: int, frame: int):
        self._need_ram(frame, FRAME_WORDS * 4, 'the trap frame')
        self.callback, self.frame = entry, frame
        ctx.set_reg(10, 0)
        return ctx.resume(ctx.epc + 4)

    def _iret(self, ctx, frame: int, _):
        self._need_ram(frame, FRAME_WORDS * 4, 'the PV_IRET frame')
        if self.timer_pending and self.callback is not None:
            self.timer_pending = False               # the tick came while in the kernel
            self.exits['timer interrupt (delivered at PV_IRET)'] += 1
            self.memory.bus.write_bytes(frame + 33 * 4, struct.pack('<I', S_TIMER_CAUSE))
            ctx.set_reg(2, frame)
            ctx.set_reg(10, frame)
            return ctx.resume(self.callback)
        words = struct.unpack(f'<{FRAME_WORDS}I', self.memory.bus.read_bytes(
            frame, FRAME_WORDS * 4))
        for n in range(1, 32):
            ctx.set_reg(n, words[n])
        self._enter('user')
        self._arm_timer()
        return ctx.resume(words[32])

    def _multicall(self, ctx, batch: int, count: int):
        if not 0 < count <= MAX_BATCH:
            raise PvRefused(f'a multicall of {count} operations (1 to {MAX_BATCH})')
        self._need_ram(batch, count * 12, 'the multicall list')
        data = self.memory.bus.read_bytes(batch, count * 12)
        for i in range(count):
            op, a, b = struct.unpack_from('<3I', data, 12 * i)
            name, serve = MULTICALL_OPS.get(op, (None, None))
            if serve is None:
                raise PvRefused(f'multicall entry {i}: unknown operation {op}')
            self.emulated[name] += 1
            try:
                serve(self, a, b)
            except PvRefused as refused:
                raise PvRefused(f'multicall entry {i} ({name}): {refused}') from None
        ctx.set_reg(10, 0)
        ctx.set_reg(11, count)
        return ctx.resume(ctx.epc + 4)

    # ------------------------------------------------------------ multicall operations
    def _pin_root(self, root: int, _):
        self._need_zeroed_page(root, 'a root table')
        self.tables[root] = ROOT

    def _new_baseptr(self, root: int, _):
        if root not in self.tables or self.tables[root] is not ROOT:
            raise PvRefused(f'{root:#x} is not a pinned root table (PV_OP_PIN_ROOT first)')
        self.active = True
        self._enter(self.mode)

    def _tlb_flush(self, *_):
        self.drops += 1
        self.machine.mmu.flush_tlb()

    def _mmu_update(self, ptr: int, value: int):
        page = ptr & ~(PAGE - 1)
        if ptr & 3 or page not in self.tables:
            raise PvRefused(f'PTE address {ptr:#x} is not in a page table the guest pinned')
        index, base = (ptr & (PAGE - 1)) >> 2, self.tables[page]
        level, va = (1, index << 22) if base is ROOT else (0, base | index << 12)
        if not value & PTE_V:
            self.kernel_view.unmap(va)
            self.user_view.unmap(va)
        elif not value & (PTE_R | PTE_X):             # a pointer to a leaf table
            if level == 0:
                raise PvRefused(f'a pointer PTE at the leaf level ({ptr:#x})')
            table = value >> 10 << 12
            self._need_zeroed_page(table, 'a leaf page table')
            self.tables[table] = va
        else:
            self._map(va, value >> 10 << 12, value & 0x3FF, level)
        self.fills += 1
        self.machine.ledger.charge('shadow_pt_update')
        self.memory.bus.store(ptr, 4, value)

    def _map(self, va: int, pa: int, flags: int, level: int) -> None:
        span = MEGAPAGE if level else PAGE
        if pa & (span - 1) or not self.memory.is_ram(pa, span):
            raise PvRefused(f'a mapping of {va:#x} to {pa:#x} ({span // 1024} KiB): the '
                            'frame is not whole, aligned guest RAM (VMM memory or a device)')
        flags |= PTE_A | PTE_D
        self.kernel_view.map(va, pa, flags | PTE_U, level)
        if flags & PTE_U:
            self.user_view.map(va, pa, flags, level)
        else:
            self.user_view.unmap(va)

    # ------------------------------------------------------------ helpers
    def _need_ram(self, gpa: int, size: int, what: str) -> None:
        if not self.memory.is_ram(gpa, size):
            raise PvRefused(f'{what} at {gpa:#x} ({size} bytes) is not in guest RAM')

    def _need_zeroed_page(self, gpa: int, what: str) -> None:
        if gpa & (PAGE - 1):
            raise PvRefused(f'{what} at {gpa:#x} is not page aligned')
        self._need_ram(gpa, PAGE, what)
        if any(self.memory.bus.read_bytes(gpa, PAGE)):
            raise PvRefused(f'{what} at {gpa:#x} is not a zeroed page')

    def _putchar(self, byte: int) -> None:
        self.machine.platform.uart.store(0, 1, byte)

    def _read_guest(self, gpa: int, count: int) -> bytes | None:
        if not self.memory.is_ram(gpa, max(count, 1)):
            return None
        return self.memory.bus.read_bytes(gpa, count)

    def _set_timer(self, deadline: int) -> None:
        self.machine.clint.mtimecmp[0] = deadline & NEVER
        self._arm_timer()

    def _arm_timer(self) -> None:
        armed = self.machine.clint.mtimecmp[0] != NEVER
        self.machine.hart.csr.mie = MTIE if armed else 0

    def start(self) -> None:
        """The guest's first instruction: real U-mode, its kernel mode, paging off (the
        guest-physical identity map of vlab/hardware/guest_memory.py)."""
        hart = self.machine.hart
        csr = hart.csr
        csr.medeleg = csr.mideleg = 0
        csr.mcounteren = csr.scounteren = ALL_COUNTERS
        csr.mstatus = 0
        csr.satp = self.memory.physical_table.atp
        self.machine.clint.mtimecmp[0] = NEVER
        csr.mie = 0
        hart.set_priv(U)
        self.machine.engine.context_changed()


HYPERCALLS = {0: ('set_callback', ParavirtVmm._set_callback),
              1: ('multicall', ParavirtVmm._multicall),
              2: ('iret', ParavirtVmm._iret)}
MULTICALL_OPS = {1: ('mmu_update', ParavirtVmm._mmu_update),
                 2: ('pin_root', ParavirtVmm._pin_root),
                 3: ('new_baseptr', ParavirtVmm._new_baseptr),
                 4: ('tlb_flush', ParavirtVmm._tlb_flush)}

__all__ = ['HYPERCALLS', 'MULTICALL_OPS', 'PV_EID', 'ParavirtVmm', 'PvRefused', 'VMM_NAME']
