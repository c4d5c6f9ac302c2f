"""The interpreter: fetch, decode, execute -- with a predecode cache.

Hwang et al. (2011) sec. 3.1.2.1: emulation by *interpretation* runs each source
instruction through a routine that decodes it and performs its effect, costing tens of
host instructions per guest instruction.  This engine does the decoding once: the first
time an address is fetched, its word is decoded from the ISA table (vlab/isa/decoder.py)
and the row's semantics are compiled into a small Python closure with the operands bound
(vlab/isa/semantics.py) -- *predecoded* interpretation (a direct-threaded interpreter in
the terms of Smith & Nair, *Virtual Machines*, 2005, sec. 2.2-2.4).  The dispatch loop is
then just::

    for i in range(n):
        pc = cache[pc]()

Everything unusual leaves that loop by an exception, so the common path pays nothing:

* ``KeyError``: ``pc`` was never decoded -> fetch (translate, check), decode, cache it;
* ``Trap``: the instruction raised an exception -> the machine takes the trap;
* ``NeedSlowPath``: the instruction needs exact machine state (CSR access, xRET, WFI,
  fences, device I/O, the HTIF mailbox) -> it is re-executed in ``step``, the exact
  single-instruction path, which is what tracing and breakpoints also use.

Exactness.  Instructions retired are counted exactly (the loop index) and charged to the
ledger in bulk; traps happen before the trapping instruction's effects (the handlers check
before they write), so mepc/mtval/registers are the spec's.  Interrupts are only taken
between ``run`` calls: the machine sizes each call so that it ends exactly when the timer
interrupt can fire, and any instruction that can enable an interrupt runs in ``step``.

Invalidation.  A predecoded instruction is dropped when its word is written: its page is
watched for ``CODE`` in the write-watch service (vlab/host/watch.py), which every writer
reports to -- CPU stores through ``Mmu.slow_store``, loaders, DMA and a Python kernel
through the bus -- and which calls ``invalidate``.  FENCE.I and SFENCE.VMA drop everything.

Caches are per *context* (fetch translation on/off, privilege, satp, data translation,
tracing), so a kernel switching between processes keeps each one's predecoded code.
With the hypervisor extension's V=1 (a guest in VS/VU) the context also names V, the
guest's vsatp and VMID: ``context_changed`` is then ``_virtual_context_changed``, put in
place by the hart's ``on_virt_change`` when V changes, so V=0 pays nothing for it.

Engine interface (the DBT engine provides the same):
``run(limit) -> retired``; ``step() -> retired``; ``trap`` (None or (Trap, pc)) after
either; ``context_changed()``; ``invalidate(ram_offset, size)``; ``flush()``;
``tracer`` (None = tracing off); ``charge_ledger()``.
"""
from __future__ import annotations

from vlab.isa.context import ExecutionContext
from vlab.isa.decoder import decode
from vlab.isa.engines import Engine
from vlab.isa.mmu import FETCH, NeedSlowPath, counting_port, make_port
from vlab.isa.privilege import U
from vlab.isa.semantics import build_factory
from vlab.isa.spec.sensitivity import HU, INSTRUCTION_SENSITIVITY
from vlab.isa.trace import TraceRecord, disassemble, traced_port
from vlab.isa.traps import ECALL_CAUSE, VIRTUAL_ECALL_CAUSE, Trap, mret, refuse, sret

WFI, SFENCE_VMA = INSTRUCTION_SENSITIVITY['wfi'], INSTRUCTION_SENSITIVITY['sfence.vma']
HLV, HFENCE_VVMA, HFENCE_GVMA = (INSTRUCTION_SENSITIVITY[name] for name in
                                 ('hlv.w', 'hfence.vvma', 'hfence.gvma'))


def _factory_traced(key: tuple) -> bool:
    """A handler factory's key is (data paged, traced, row name, rd/rs1/rs2 == x0)."""
    _paged, traced, *_rest = key
    return traced


def tdiv(a: int, b: int) -> int:
    """Signed division truncating toward zero (RISC-V DIV), b != 0."""
    q = abs(a) // abs(b)
    return -q if (a < 0) != (b < 0) else q


def trem(a: int, b: int) -> int:
    """Remainder with the sign of the dividend (RISC-V REM), b != 0."""
    return a - b * tdiv(a, b)


class Interpreter(Engine):
    """Predecoded interpreter for one hart on one MMU (see module docstring)."""

    name = 'interp'

    def __init__(self, hart, mmu, ledger, on_retire=None):
        self.hart, self.mmu, self.ledger = hart, mmu, ledger
        self.on_retire = on_retire or (lambda n: None)
        self.tracer = None
        self.trap: tuple[Trap, int] | None = None
        ram = mmu.ram
        self.ram_base, self.ram_size = ram.base, ram.size
        self.ram_words = memoryview(ram.data).cast('I')
        self._ports = {paged: make_port(mmu, paged) for paged in (False, True)}
        self.exact_memory = False                   # see set_exact_memory
        self._namespaces: dict = {}
        self.factories: dict = {}
        self._caches: dict = {}                     # ExecutionContext -> predecode cache
        self._contexts: dict = {}                   # its values -> the ExecutionContext
        self.code_index: dict[int, list] = {}      # RAM word index -> [(cache, vpc)]
        self.fetch_hits = 0
        self.decoded = 0                            # instructions predecoded (statistics)
        mmu.on_code_write = self.invalidate     # CPU and bus writes to watched code pages
        self.cache = {}
        self.ecall_causes = dict(ECALL_CAUSE)     # the V=1 causes while V=1
        hart.on_virt_change.append(self._virt_changed)
        self._virt_changed(hart.virt)
        self.context_changed()

    # ------------------------------------------------------------ helpers for handlers
    def _helpers(self) -> dict:
        hart, mmu = self.hart, self.mmu

        def need_slow():
            if not mmu.slow:
                raise NeedSlowPath

        def trap(cause, tval=0):
            raise Trap(cause, tval)

        def _misfetch(target):
            raise Trap(0, target)

        ecall_causes = self.ecall_causes

        def ecall():
            raise Trap(ecall_causes[hart.priv], 0)

        def csr_read(number):
            need_slow()
            return hart.csr.read(number, hart.priv, hart.current_word)

        def csr_write(number, value):
            need_slow()
            hart.csr.write(number, value, hart.priv, hart.current_word)

        def trap_return(kind):
            need_slow()
            before = hart.priv
            target = kind(hart)
            if hart.priv < before:
                self.ledger.charge('privilege_switch')
            return target

        def wfi():
            need_slow()
            refuse(hart, WFI)                     # the sensitivity table
            hart.waiting = True

        def fence_i():
            need_slow()
            self.flush()

        def sfence_vma(vaddr, asid):
            need_slow()
            refuse(hart, SFENCE_VMA)
            mmu.flush_tlb()                       # with V=1: this guest's translations
            self.flush(paged_only=True)

        def guest_access():                       # HLV/HSV: HS, or U with hstatus.HU
            need_slow()
            if hart.virt or not (hart.priv == U and hart.csr.hstatus & HU):
                refuse(hart, HLV)

        def hlv(addr, size, signed, execute):
            guest_access()
            value = mmu.guest_load(addr & 0xFFFFFFFF, size, execute)
            if signed and value >> (8 * size - 1):
                value -= 1 << (8 * size)
            return value & 0xFFFFFFFF

        def hsv(addr, size, value):
            guest_access()
            mmu.guest_store(addr & 0xFFFFFFFF, size, value)

        def hfence(row, vmid):
            need_slow()
            refuse(hart, row)
            mmu.hypervisor_fence(vmid)
            self.flush(paged_only=True)

        return {'R': hart.x, 'trap': trap, '_misfetch': _misfetch, 'ecall': ecall,
                'csr_read': csr_read, 'csr_write': csr_write,
                'mret': lambda: trap_return(mret), 'sret': lambda: trap_return(sret),
                'wfi': wfi, 'fence_i': fence_i, 'sfence_vma': sfence_vma,
                'hlv': hlv, 'hsv': hsv,
                'hfence_vvma': lambda vaddr, asid: hfence(HFENCE_VVMA, hart.csr.vmid),
                'hfence_gvma': lambda gaddr, vmid: hfence(HFENCE_GVMA, vmid),
                'tdiv': tdiv, 'trem': trem}

    def handler_namespace(self, paged: bool, traced: bool) -> dict:
        """The globals of the handlers of one kind of context: helpers, memory port,
        and the raw RAM views the inlined fast paths use."""
        key = (paged, traced)
        if key not in self._namespaces:
            port = self.port(paged)
            if traced:
                port = traced_port(port, self.tracer)
            mmu, data = self.mmu, self.mmu.ram.data
            self._namespaces[key] = {
                **self._helpers(), **port, '_RAM_BASE': self.ram_base,
                '_RAM_SIZE': self.ram_size, '_DATA': data, '_WORDS': self.ram_words,
                '_HALVES': memoryview(data).cast('H'), '_WATCH': mmu.watch,
                '_RVIEW_GET': mmu.rview.get, '_WVIEW_GET': mmu.wview.get, '_hits': 0}
        return self._namespaces[key]

    # ------------------------------------------------------------ contexts and caches
    def context_changed(self) -> None:
        """Privilege, mstatus or satp may have changed: pick the matching cache."""
        hart, mmu = self.hart, self.mmu
        csr = hart.csr
        mmu.set_context(hart.priv, csr.mstatus, csr.satp)
        translated = mmu.fetch_paged or mmu.data_paged
        key = (hart.priv if mmu.fetch_paged else -1, mmu.data_paged,
               csr.satp if translated else 0, self.tracer is not None)
        context = self._contexts.get(key)          # made once per new context
        if context is None:
            context = self._contexts[key] = ExecutionContext.of(*key)
            self._caches[context] = {}
        self.cache = self._caches[context]
        self.context = context

    def _virt_changed(self, virt: int) -> None:
        """The hart's V bit changed (Hart.set_virt): pick the context logic of V."""
        self.ecall_causes.update(VIRTUAL_ECALL_CAUSE if virt else ECALL_CAUSE)
        if virt:
            self.context_changed = self._virtual_context_changed
        else:
            self.__dict__.pop('context_changed', None)

    def _virtual_context_changed(self) -> None:
        """``context_changed`` while V=1: the MMU translates in two stages; the context
        names V, vsatp (the CSR file's ``satp`` while V=1) and the VMID."""
        hart, mmu = self.hart, self.mmu
        csr = hart.csr
        mmu.set_virtual_context(hart.priv, csr)
        key = ('V', hart.priv, mmu.fetch_paged, csr.satp, csr.vmid, self.tracer is not None)
        context = self._contexts.get(key)
        if context is None:
            context = self._contexts[key] = ExecutionContext(
                hart.priv, mmu.fetch_paged, mmu.data_paged, csr.satp, key[-1], virt=1,
                vmid=csr.vmid)
            self._caches[context] = {}
        self.cache = self._caches[context]
        self.context = context

    def flush(self, paged_only: bool = False) -> None:
        """Forget predecoded instructions (FENCE.I: all; SFENCE.VMA: translated ones)."""
        for context, cache in self._caches.items():
            if not paged_only or context.paged:
                cache.clear()
        if not paged_only:
            self.code_index.clear()

    def invalidate(self, ram_offset: int, size: int) -> None:
        """RAM bytes [ram_offset, ram_offset+size) were written: drop stale handlers."""
        index = self.code_index
        if not index:
            return
        first, last = ram_offset >> 2, (ram_offset + size - 1) >> 2
        if last - first > len(index):
            hit = [w for w in index if first <= w <= last]
        else:
            hit = [w for w in range(first, last + 1) if w in index]
        for w in hit:
            for cache, vpc in index.pop(w):
                cache.pop(vpc, None)

    # ------------------------------------------------------------ fetch and decode
    def fetch(self, pc: int):
        """Translate, read, decode and cache the instruction at ``pc`` (may raise Trap)."""
        if pc & 3:
            raise Trap(0, pc)
        mmu = self.mmu
        if mmu.fetch_paged:
            # the lookup is counted when the instruction retires (one TLB hit per retired
            # instruction); a miss here replaces that hit
            hits, misses = mmu.tlb_hits, mmu.tlb_misses
            pa = mmu.translate(pc, FETCH)
            mmu.tlb_hits = hits
            self.fetch_hits -= mmu.tlb_misses - misses
        else:
            pa = pc
        offset = pa - self.ram_base
        if not (0 <= offset <= self.ram_size - 4):
            raise Trap(1, pc)                        # fetch from outside RAM
        handler = self.make_handler(self.ram_words[offset >> 2], pc)
        self.cache[pc] = handler
        self.code_index.setdefault(offset >> 2, []).append((self.cache, pc))
        mmu.watch_page(offset)
        self.decoded += 1
        return handler

    def make_handler(self, word: int, pc: int):
        """The closure executing ``word`` at ``pc`` in the current context."""
        decoded = decode(word)
        if decoded is None:
            def illegal():
                raise Trap(2, word)
            illegal.word = word
            return illegal
        spec, f = decoded
        rd, rs1, rs2 = f.get('rd', 0), f.get('rs1', 0), f.get('rs2', 0)
        context = self.context
        paged, traced = context.data_paged, context.traced
        key = (paged, traced, spec.name, rd == 0, rs1 == 0, rs2 == 0)
        factory = self.factories.get(key)
        if factory is None:
            memory = 'call' if traced or self.exact_memory else ('paged' if paged else 'bare')
            factory = self.factories[key] = build_factory(
                spec, self.handler_namespace(paged, traced), rd == 0, rs1 == 0, rs2 == 0, memory)
        handler = factory(rd, rs1, rs2, f.get('imm', 0), f.get('shamt', 0), f.get('csr', 0),
                          f.get('zimm', 0), f.get('pred', 0), f.get('succ', 0),
                          f.get('aq', 0), f.get('rl', 0), rd, rs1, rs2, pc, word)
        handler.word = word
        return handler

    # ------------------------------------------------------------ execution
    def run(self, limit: int) -> int:
        """Execute up to ``limit`` instructions; stop early after a trap (``self.trap``)
        or after an instruction that needed the exact path.  Returns instructions retired."""
        self.trap = None
        cache = self.cache
        pc = self.hart.pc
        done = 0
        while done < limit:
            n = limit - done
            i = 0
            try:
                for i in range(n):  # noqa: B007 - i = instructions retired if we leave
                    pc = cache[pc]()
            except KeyError:
                if pc in cache:
                    raise
                done += i
                try:
                    self.fetch(pc)
                except Trap as trap:
                    self.trap = (trap, pc)
                    break
                continue
            except Trap as trap:
                done += i
                self.trap = (trap, pc)
                break
            except NeedSlowPath:
                done += i
                self.hart.pc = pc
                self.retire(done)
                return done + self.step()
            else:
                done += n
        self.hart.pc = pc
        self.retire(done)
        return done

    def retire(self, n: int) -> None:
        self.hart.instret += n
        if self.mmu.fetch_paged:
            self.fetch_hits += n
        self.on_retire(n)

    def step(self) -> int:
        """Execute exactly one instruction on the exact path; returns 1, or 0 on a trap."""
        self.trap = None
        hart, mmu, tracer = self.hart, self.mmu, self.tracer
        pc = hart.pc
        handler = None
        try:
            handler = self.cache.get(pc) or self.fetch(pc)
            hart.current_word = handler.word
            before = list(hart.x) if tracer is not None else None
            mmu.slow = True
            try:
                next_pc = handler()
            finally:
                mmu.slow = False
        except Trap as trap:
            self.trap = (trap, pc)
            if tracer is not None:
                self._trace(pc, handler.word if handler else 0, None, str(trap))
            return 0
        if tracer is not None:
            self._trace(pc, handler.word, before, None)
        hart.pc = next_pc
        self.retire(1)
        self.context_changed()
        return 1

    def _trace(self, pc, word, before, trap_text):
        hart = self.hart
        regs = [] if before is None else [(r, v) for r, v in enumerate(hart.x) if v != before[r]]
        decoded = decode(word)
        if before is not None and decoded and decoded.fields.get('rd') \
                and 'rd' in decoded.spec.syntax and not regs:
            rd = decoded.fields['rd']
            regs = [(rd, hart.x[rd])]                # written with its old value
        text = disassemble(word, pc, self.tracer.symbols)
        self.tracer.add(TraceRecord(pc, word, hart.priv, text, regs,
                                    self.tracer.take_mem(), trap_text))

    def port(self, paged: bool) -> dict:
        """The memory port handlers call (counting every access in exact mode)."""
        port = self._ports[paged][0]
        return counting_port(port, self.mmu) if self.exact_memory else port

    def set_exact_memory(self, on: bool) -> None:
        """Exact memory-reference mode: every data load and store is charged to the
        ledger as ``mem_read`` / ``mem_write``.  Handlers then call the memory port
        instead of inlining the RAM fast path, so the mode costs speed; off by default.
        Switching drops all predecoded (and translated) code."""
        if bool(on) == self.exact_memory:
            return
        self.exact_memory = bool(on)
        self._namespaces.clear()
        self.factories.clear()
        self.flush()
        self.context_changed()

    def set_tracer(self, tracer) -> None:
        """Tracing on (a Tracer) or off (None); traced handlers live in their own caches."""
        self.tracer = tracer
        self._namespaces = {(paged, traced): v for (paged, traced), v
                            in self._namespaces.items() if not traced}
        self.factories = {key: v for key, v in self.factories.items()
                           if not _factory_traced(key)}
        for key in [context for context in self._caches if context.traced]:
            del self._caches[key]
        self.context_changed()

    def charge_ledger(self) -> None:
        """Charge the counted events (bulk, exact) and zero the counters."""
        mmu, ledger = self.mmu, self.ledger
        hits = mmu.tlb_hits + self._ports[True][1]() + self.fetch_hits
        for namespace in self._namespaces.values():        # inlined fast-path hits
            hits += namespace['_hits']
            namespace['_hits'] = 0
        for event, count in (('tlb_hit', hits), ('tlb_miss', mmu.tlb_misses),
                             ('page_walk_ref', mmu.walk_refs), ('mem_read', mmu.mem_reads),
                             ('mem_write', mmu.mem_writes)):
            if count > 0:
                ledger.charge(event, count)
        mmu.tlb_hits = mmu.tlb_misses = mmu.walk_refs = mmu.mem_reads = mmu.mem_writes = 0
        self.fetch_hits = min(hits, 0)   # a fetch miss whose instruction trapped: owed
