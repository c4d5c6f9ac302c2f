"""A decode-and-dispatch interpreter: the textbook loop, for comparison with predecoding.

The simplest interpreter (Smith & Nair, *Virtual Machines*, 2005, ch. 2, decode-and-
dispatch interpretation) runs this loop for every source instruction, every time::

    while running:
        word = memory[pc]                      # fetch
        instruction, fields = decode(word)     # decode: find the table row, cut the fields
        pc = execute[instruction](fields, pc)  # dispatch to the routine, execute

vlab's own engine (vlab/isa/interpreter.py) *predecodes*: it decodes an address once,
keeps the ready-to-run handler in a cache, and afterwards only dispatches.  This class is
the same engine with that cache taken away, so chapter 2 can measure what predecoding
saves: :attr:`decoded` counts one decode per executed instruction, not one per address.

It is derived from the same ISA table as everything else: decoding is the table's
mask/match lookup (:func:`vlab.isa.decoder.find_spec`, deliberately not the memoized
``decode``) and field extraction (:func:`vlab.isa.fields.decode_fields`); executing is the
row's compiled semantics, bound to this instruction's operands.  So both engines retire
the same instructions with the same results; only the host work differs.

Simplifications (a teaching model, registered as engine ``'decode-dispatch'``, not meant
for the rest of the book): the loop has no fast path at all; instructions that need exact
machine state (CSR access, xRET, fences, device I/O) go through the inherited single-step
path, which uses the predecoded handler.
"""

from __future__ import annotations

from vlab.isa.causes import Cause
from vlab.isa.decoder import find_spec
from vlab.isa.fields import decode_fields
from vlab.isa.interpreter import Interpreter
from vlab.isa.mmu import FETCH, NeedSlowPath
from vlab.isa.semantics import build_factory
from vlab.isa.traps import Trap


class DecodeAndDispatch(Interpreter):
    """Fetch, decode and dispatch every instruction anew (see module docstring)."""

    name = "decode-dispatch"

    def run(self, limit: int) -> int:
        """Execute up to ``limit`` instructions (same contract as Interpreter.run)."""
        self.trap = None
        pc = self.hart.pc
        done = 0
        try:
            while done < limit:
                handler = self.fetch_and_decode(pc)   # no cache: decoded every time
                pc = handler()                         # dispatch + execute
                done += 1
        except Trap as trap:
            self.trap = (trap, pc)
        except NeedSlowPath:
            self.hart.pc = pc
            self.retire(done)
            return done + self.step()
        self.hart.pc = pc
        self.retire(done)
        return done

    def fetch_and_decode(self, pc: int):
        """Fetch the word at ``pc``, decode it from the table, bind it to its semantics."""
        if pc & 3:
            raise Trap(Cause.INSTRUCTION_ADDRESS_MISALIGNED, pc)
        physical = self._translate_fetch(pc)
        offset = physical - self.ram_base
        if not 0 <= offset <= self.ram_size - 4:
            raise Trap(Cause.INSTRUCTION_ACCESS_FAULT, pc)
        word = self.ram_words[offset >> 2]
        self.decoded += 1
        spec = find_spec(word)
        if spec is None:
            raise Trap(Cause.ILLEGAL_INSTRUCTION, word)
        fields = decode_fields(spec.fmt, word)
        return self.bind(spec, fields, word, pc)

    def _translate_fetch(self, pc: int) -> int:
        mmu = self.mmu
        if not mmu.fetch_paged:
            return pc
        # counted like the predecoded engine: one TLB hit per retired instruction is
        # charged at retirement, so a lookup here only adds its misses
        hits, misses = mmu.tlb_hits, mmu.tlb_misses
        physical = mmu.translate(pc, FETCH)
        mmu.tlb_hits = hits
        self.fetch_hits -= mmu.tlb_misses - misses
        return physical

    def bind(self, spec, fields: dict, word: int, pc: int):
        """The row's semantics with this instruction's operands filled in."""
        rd, rs1, rs2 = fields.get("rd", 0), fields.get("rs1", 0), fields.get("rs2", 0)
        context = self.context
        paged, traced = context.data_paged, context.traced
        key = (paged, traced, spec.name, rd == 0, rs1 == 0, rs2 == 0)
        factory = self.factories.get(key)
        if factory is None:                    # compiled as Interpreter.make_handler does
            memory = "call" if traced else ("paged" if paged else "bare")
            factory = self.factories[key] = build_factory(
                spec, self.handler_namespace(paged, traced), rd == 0, rs1 == 0, rs2 == 0, memory)
        get = fields.get
        handler = factory(rd, rs1, rs2, get("imm", 0), get("shamt", 0), get("csr", 0),
                          get("zimm", 0), get("pred", 0), get("succ", 0), get("aq", 0),
                          get("rl", 0), rd, rs1, rs2, pc, word)
        handler.word = word
        return handler
