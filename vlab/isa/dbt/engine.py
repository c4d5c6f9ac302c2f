"""The DBT engine: interpret first, translate what is hot, run translations from a cache.

The engine is the interpreter (vlab/isa/interpreter.py) plus a translator: it keeps the
interpreter's predecode cache, its exact single-step path (``step``: CSR accesses, xRET,
fences, device I/O all still go there) and its invalidation machinery, and replaces the
fast loop ``run`` by a *dispatcher* (Smith & Nair, *Virtual Machines*, 2005, sec. 2.6;
QEMU's ``cpu_exec``):

1. look the pc up in the translation cache (vlab/isa/dbt/cache.py) -- or follow the
   chain link of the exit just taken (chaining.py);
2. found: call the translation, a Python function generated from the ISA table
   (codegen.py), which runs one block, or a whole hot loop (a trace, traces.py), with the
   registers in Python locals;
3. not found: count the miss; when a block start has been reached ``block_threshold``
   times, translate its basic block (blocks.py); otherwise *interpret* up to the next
   taken branch with the predecoded handlers.

Why interpret first.  Translating costs: parsing the semantics, generating source,
``compile`` -- measured by benchmarks/bench_dbt.py at about 205 us for a 4-instruction
block (135 us generating source, 70 us in ``compile``), the time the interpreter needs for
~1,700 guest instructions.  Code that runs a
few times is cheaper to interpret; the thresholds (``block_threshold``,
``trace_threshold``) are set from that measurement (see the comment on them).

Precise state.  A translation ends every run either at an exit (the pc and the number of
instructions retired follow from the exit id) or with an exception raised by one of its
instructions, identified from the traceback's line number (codegen.py ``unwind``);
registers are written back from that frame's locals and the pc set to that instruction,
so a trap leaves registers, pc, CSRs and ``instret`` exactly as the interpreter would, and
the machine takes it in the same way.
The dispatcher never lets a translation run past the instruction budget ``limit`` it was
given (a loop runs at most ``limit // len(loop)`` iterations, and a block only starts when
it fits), so interrupts, which the machine takes between ``run`` calls sized to the next
timer tick, happen at exactly the same instruction as with the interpreter.

The ledger.  Every guest event is counted as by the interpreter (instructions, TLB hits
and misses, page-walk references, traps); the translator adds its own modeled work, one
``block_translate`` event per block or trace translated.
"""
from __future__ import annotations

import itertools
import operator

from vlab.isa.dbt.blocks import BasicBlock, discover_block
from vlab.isa.dbt.cache import DEFAULT_LIMIT, Translation, TranslationCache
from vlab.isa.dbt.chaining import follow
from vlab.isa.dbt.codegen import compile_region, translate_path, unwind
from vlab.isa.dbt.stats import DbtStats
from vlab.isa.dbt.traces import TraceSelector, trace_path
from vlab.isa.interpreter import Interpreter, tdiv, trem
from vlab.isa.mmu import NeedSlowPath
from vlab.isa.traps import Trap

MASK32 = 0xFFFFFFFF
NEVER = -(1 << 60)            # block counter value for "cannot be translated"
MAX_TREE_PATHS = 8            # paths in one trace tree


def _no_page(vpn):
    """The software TLB of exact memory mode: always a miss (memory goes to the port)."""
    return None


class CodeModified(Exception):
    """A store inside translated code changed translated code: leave after the store."""


class DbtEngine(Interpreter):
    """Dynamic binary translator with the interpreter's engine interface."""

    name = 'dbt'
    # Measured by benchmarks/bench_dbt.py: translating a 4-instruction block costs about as
    # much CPU as interpreting 1,700 instructions (~205 us vs ~120 ns), i.e. ~430 runs of
    # the block if translated code were free; since translated code runs ~4x faster, a
    # block pays back after ~600 runs.  A threshold of 64 keeps translating code that
    # runs a few dozen times off the table while loops (traces) become hot within a
    # fraction of a millisecond; the sweep in the benchmark shows the totals barely move
    # between 16 and 256 on our programs, and that 1 (translate everything) loses badly
    # on code with little reuse.  Dynamo used 50 for its trace heads.
    block_threshold = 64       # block entries before it is translated
    trace_threshold = 64       # backward-branch arrivals before a trace is recorded
    cache_limit = DEFAULT_LIMIT

    def __init__(self, hart, mmu, ledger, on_retire=None):
        self.stats = DbtStats()
        self.tcache = TranslationCache(self.stats, self.cache_limit)
        self.selector = TraceSelector(self.trace_threshold)
        self._counts: dict = {}
        self._envs: dict = {}
        self._code_changed = False
        self._paged_hits = self._slow_mem = 0
        super().__init__(hart, mmu, ledger, on_retire)

    # ------------------------------------------------------------ contexts, invalidation
    def context_changed(self) -> None:
        super().context_changed()
        mmu = self.mmu
        self._paged = mmu.data_paged
        self._table = self.tcache.table(self.context, mmu.fetch_paged or mmu.data_paged)
        self._block_counts = self._counts.setdefault(self.context, {})

    def _virtual_context_changed(self) -> None:
        """V=1 (the hypervisor extension): the interpreter's V=1 context, then this
        context's translation table -- what ``context_changed`` does for V=0."""
        super()._virtual_context_changed()
        mmu = self.mmu
        self._paged = mmu.data_paged
        self._table = self.tcache.table(self.context, mmu.fetch_paged or mmu.data_paged)
        self._block_counts = self._counts.setdefault(self.context, {})

    def flush(self, paged_only: bool = False) -> None:
        super().flush(paged_only)
        self.tcache.flush(paged_only)
        self.selector.reset()
        self._counts.clear()
        self._block_counts = self._counts.setdefault(self.context, {})
        self._code_changed = True

    def invalidate(self, ram_offset: int, size: int) -> None:
        index, tcache = self.code_index, self.tcache
        if index and tcache.covering:
            first, last = ram_offset >> 2, (ram_offset + size - 1) >> 2
            if last - first > len(index):
                words = [w for w in index if first <= w <= last]
            else:
                words = [w for w in range(first, last + 1) if w in index]
            for w in words:
                for predecoded, pc in index[w]:
                    if tcache.drop_covering(predecoded, pc):
                        self._code_changed = True
        super().invalidate(ram_offset, size)

    # ------------------------------------------------------------ translation
    def _env(self, paged: bool) -> dict:
        """What generated code closes over: RAM views, the MMU's TLB views, the ports."""
        exact = self.exact_memory
        env = self._envs.get((paged, exact))
        if env is not None:
            return env
        mmu, ram, engine = self.mmu, self.mmu.ram, self
        port = self.port(paged)
        counted = paged or exact     # the exits count these accesses as inline TLB hits

        def slow_load(fn):               # paged: count the accesses the inline TLB missed
            def load(a):
                value = fn(a)
                engine._slow_mem += 1
                return value
            return load if counted else fn

        def slow_store(fn):
            def store(a, v):
                fn(a, v)
                engine._slow_mem += counted
                if engine._code_changed:
                    raise CodeModified
            return store

        def misfetch(target):
            raise Trap(0, target)

        env = {'W': self.ram_words, 'H': memoryview(ram.data).cast('H'), 'B': ram.data,
               'WATCH': mmu.watch, 'RGET': mmu.rview.get, 'WGET': mmu.wview.get,
               '_misfetch': misfetch, 'tdiv': tdiv, 'trem': trem,
               'REPEAT': itertools.repeat, 'LEFT': operator.length_hint,
               'BASE': ram.base, 'SIZE': ram.size}
        for name, fn in port.items():
            if name.startswith('_load_'):
                env[name] = slow_load(fn)
            elif name.startswith('_store_'):
                env[name] = slow_store(fn)
        if exact:             # exact memory mode: the inline "TLB" never hits, every
            env['RGET'] = env['WGET'] = _no_page     # access calls the counting port
        self._envs[paged, exact] = env
        return env

    def _install(self, kind, name, path, loops, blocks, more_paths=()):
        region = translate_path(name, path, loops, self._paged or self.exact_memory,
                                more_paths)
        fn = compile_region(region, self._env(self._paged))
        translation = Translation(kind, region, fn, blocks=blocks)
        self.tcache.insert(self.context, self.cache, translation)
        self.ledger.charge('block_translate')
        self.stats.guest_instructions_translated += sum(len(p) for p in region.paths)
        return translation

    def translate_block(self, pc: int):
        """Translate the basic block at ``pc`` now (None if it cannot be)."""
        block = discover_block(self.cache, pc)
        if block is None:
            self._block_counts[pc] = NEVER
            return None
        translation = self._install('block', f'block_{pc:08x}', block.instrs, False, (pc,))
        translation.block = block
        self.stats.blocks_translated += 1
        return translation

    def _hot_miss(self, pc: int):
        """A dispatch found no translation at ``pc``: count, translate when hot."""
        self.stats.cache_misses += 1
        counts = self._block_counts
        count = counts.get(pc, 0) + 1
        counts[pc] = count
        if count >= self.block_threshold:
            return self.translate_block(pc)
        return None

    def _form_trace(self, loops: bool):
        selector = self.selector
        base = selector.base
        blocks = selector.take()
        if base is not None:                        # a new path for an existing tree
            return self._grow_tree(base, blocks) if loops else None
        if not blocks or (len(blocks) < 2 and not loops):
            return None
        head = blocks[0].start
        translation = self._install('trace', f'trace_{head:08x}', trace_path(blocks), loops,
                                    tuple(b.start for b in blocks))
        translation.block_paths = [blocks]
        self.stats.traces_formed += 1
        return translation

    def _grow_tree(self, base, blocks):
        """Trace trees (Gal & Franz 2006): the looping path recorded from a hot side exit
        joins the trace, which is translated again as one function holding every path."""
        starts = [tuple(b.start for b in path) for path in base.block_paths]
        if not base.valid or tuple(b.start for b in blocks) in starts:
            return None
        paths = [*base.block_paths, blocks]
        instrs = [trace_path(path) for path in paths]
        translation = self._install('trace', f'trace_{blocks[0].start:08x}', instrs[0], True,
                                    tuple(b.start for b in paths[0]), more_paths=instrs[1:])
        translation.block_paths = paths
        self.stats.traces_formed += 1
        return translation

    def _side_exit(self, tr, exit_id: int) -> None:
        """A trace left its recorded path: when one exit gets hot, record where it goes
        (back to the head: a new path of the tree)."""
        if tr.kind != 'trace' or not tr.loops \
                or len(tr.block_paths) >= MAX_TREE_PATHS or self.selector.recording is not None:
            return
        counts = tr.side_counts
        counts[exit_id] = counts.get(exit_id, 0) + 1
        if counts[exit_id] != self.trace_threshold:
            return
        position, source = tr.exits[exit_id][1], tr.exits[exit_id][3]
        for path in tr.block_paths:
            prefix, length = [], 0
            for block in path:
                if length >= position:
                    break
                prefix.append(block)
                length += len(block)
            if length == position and prefix and prefix[-1].instrs[-1].pc == source:
                self.selector.extend(tr, prefix)
                return

    def _record_step(self, pc: int):
        """Recording a trace: the block about to run at ``pc`` joins the tail.  Returns
        the translation to run, or the BasicBlock to *interpret* (a block not translated
        yet is not compiled just to be recorded: the trace will hold its code), or None
        (the recording ended)."""
        selector, table = self.selector, self._table
        if pc == selector.head and selector.recording:
            return self._form_trace(loops=True)
        existing = table.get(pc)
        if existing is not None and existing.kind == 'trace':
            self._form_trace(loops=False)
            return existing
        block = existing.block if existing is not None else discover_block(self.cache, pc)
        if block is None:
            self._form_trace(loops=False)
            return None
        if selector.record(block) == 'full':
            self._form_trace(loops=False)
        return existing if existing is not None else block

    def _count_backward(self, source_pc: int, target: int) -> bool:
        """A taken backward transfer: count its target as a trace head candidate."""
        if target > source_pc:
            return False
        existing = self._table.get(target)
        if existing is not None and existing.kind == 'trace':
            return False
        return self.selector.backward_taken(self.context, target)

    # ------------------------------------------------------------ execution
    def run(self, limit: int) -> int:
        """Execute up to ``limit`` instructions (the Interpreter.run contract).  The
        per-dispatch counters live in locals and reach ``stats`` once, on the way out."""
        self.trap = None
        self._code_changed = False
        hart, stats, selector = self.hart, self.stats, self.selector
        regs, table = hart.x, self._table
        pc, done, tr = hart.pc, 0, None
        hits = translated = chained = recorded = 0
        try:
            while done < limit:
                if selector.recording is not None:
                    tr = self._record_step(pc)
                    if tr.__class__ is BasicBlock:            # recorded, interpreted
                        recorded, tr = len(tr), None
                elif tr is None:
                    tr = table.get(pc) or self._hot_miss(pc)
                if tr is not None and limit - done >= tr.length:
                    hits += 1
                    region = tr.region
                    k0 = (limit - done) // tr.length if tr.loops else 1
                    try:
                        xid, k, extra, longer, tree_memops = tr.fn(regs, k0)
                    except Exception as exc:            # unwound, then re-raised
                        unwound = unwind(region, tr.fn, exc, regs)
                        if unwound is None:
                            raise
                        xid, k, extra, longer, tree_memops = unwound
                    if xid >= 0:
                        target, position, side, source, memops = tr.exits[xid]
                        n = (k0 - k) * region.unit + longer + position
                        if region.paged:
                            self._paged_hits += (k0 - k) * region.iteration_memops \
                                + tree_memops + memops
                        done += n
                        translated += n
                        if side:
                            stats.side_exits += 1
                            self._side_exit(tr, xid)
                        if target is None:
                            pc, tr = extra, None
                        else:
                            pc, link = target, tr.links[xid]
                            if link is not None and link.valid:     # chained (chaining.py)
                                chained += 1
                                tr = link
                            else:
                                tr = follow(tr, xid, table, stats)
                        if position and pc <= source and self._count_backward(source, pc):
                            tr = None
                        continue
                    pc, position, memops = region.nodes[-1 - xid]
                    n = (k0 - k) * region.unit + longer + position
                    done += n
                    translated += n
                    selector.abort()
                    tr = None
                    if isinstance(extra, CodeModified):
                        memops += 1                     # the store that changed code retired
                        done += 1
                        translated += 1
                        pc = (pc + 4) & MASK32
                        self._code_changed = False
                    if region.paged:
                        self._paged_hits += (k0 - k) * region.iteration_memops \
                            + tree_memops + memops
                    if isinstance(extra, CodeModified):
                        continue
                    if self._stop(pc, done, extra):
                        return done + self.step()
                    break
                tr, budget = None, limit - done
                if recorded:
                    budget, recorded = min(budget, recorded), 0
                elif selector.recording is not None:
                    selector.abort()              # the tail left translatable code
                source, pc, n, exc = self._interpret(pc, budget)
                done += n
                stats.interpreted_instructions += n
                if exc is not None:
                    selector.abort()
                    if self._stop(pc, done, exc):
                        return done + self.step()
                    break
                if source is not None and pc <= source:
                    self._count_backward(source, pc)
        finally:
            stats.cache_hits += hits
            stats.translated_instructions += translated
            stats.chained += chained
        selector.abort()
        hart.pc = pc
        self.retire(done)
        return done

    def _stop(self, pc: int, done: int, exc) -> bool:
        """An instruction raised ``exc`` at ``pc``: a trap to report, or (True) one that
        must be re-executed on the exact path (the caller then calls ``step``)."""
        if isinstance(exc, Trap):
            self.trap = (exc, pc)
            return False
        if isinstance(exc, NeedSlowPath):
            self.hart.pc = pc
            self.retire(done)
            self.selector.abort()
            return True
        raise exc

    def _interpret(self, pc: int, budget: int):
        """Interpret up to the next taken control transfer (at most ``budget``
        instructions).  Returns (pc of a taken transfer or None, next pc, retired,
        exception or None)."""
        cache = self.cache
        n = 0
        try:
            while n < budget:
                handler = cache.get(pc) or self.fetch(pc)
                next_pc = handler()
                n += 1
                if next_pc != pc + 4:
                    return pc, next_pc, n, None
                pc = next_pc
        except (Trap, NeedSlowPath) as exc:
            return None, pc, n, exc
        return None, pc, n, None

    def charge_ledger(self) -> None:
        """As the interpreter's, plus the TLB hits of inlined memory accesses."""
        self.fetch_hits += self._paged_hits - self._slow_mem if self._paged_hits else 0
        self._paged_hits = self._slow_mem = 0
        super().charge_ledger()

    # ------------------------------------------------------------ explaining
    def translation(self, pc: int):
        """The live translation starting at ``pc`` in the current context (or None)."""
        return self._table.get(pc)

    def translations(self):
        """Every live translation, blocks and traces."""
        return self.tcache.all()


class EagerDbtEngine(DbtEngine):
    """Translates every block the first time it is reached and records a trace at the
    second backward arrival: for tests (every instruction goes through translated code)
    and for showing generated code on tiny programs.  Registered as ``'dbt-eager'``."""

    name = 'dbt-eager'
    block_threshold = 1
    trace_threshold = 2
