"""Basic-block discovery: the unit a dynamic binary translator translates.

A *basic block* is a straight run of guest instructions entered only at its first
instruction and left only after its last one (Hennessy & Patterson's definition; in
QEMU's terms a *translation block*).  Hwang, Dongarra & Fox (2011) sec. 3.1.2.1:
"dynamic binary translation translates basic blocks of dynamic source instructions to
target instructions".

Where a block ends here:

* after a control transfer (branch, JAL, JALR: the table rows of format B, J, JALR);
* *before* an instruction the translator leaves to the interpreter's exact path (CSR
  accesses, ECALL/EBREAK, xRET, WFI, FENCE.I, SFENCE.VMA, LR/SC/AMOs, an illegal
  word, a jump to a misaligned constant target): those need the machine's exact state,
  and they are rare in hot loops;
* before an instruction the interpreter has not decoded yet in this context (we read
  instructions from the interpreter's predecode cache, never fetch them ourselves: a
  fetch through the MMU would count TLB events and set PTE accessed bits the
  interpreter would not have, and the two engines must agree bit for bit);
* after ``MAX_BLOCK`` instructions.
"""
from __future__ import annotations

from dataclasses import dataclass

from vlab.isa.decoder import decode

MAX_BLOCK = 64
TRANSLATED_FORMATS = frozenset({'R', 'I', 'I_SHIFT', 'U', 'LOAD', 'S', 'B', 'J', 'JALR',
                                'FENCE'})
TRANSLATED_NONE = frozenset({'fence.tso'})        # the only no-operand row that is a no-op
CONTROL_FORMATS = frozenset({'B', 'J', 'JALR'})


@dataclass(frozen=True)
class GuestInstr:
    """One decoded guest instruction at one address."""

    pc: int
    word: int
    spec: object          # the ISA table row (vlab.isa.spec.InstrSpec)
    fields: dict

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def is_control(self) -> bool:
        return self.spec.fmt in CONTROL_FORMATS

    @property
    def static_target(self) -> int | None:
        """Taken target of a branch or JAL (None for JALR and non-jumps)."""
        if self.spec.fmt in ('B', 'J'):
            return (self.pc + self.fields['imm']) & 0xFFFFFFFF
        return None


@dataclass(frozen=True)
class BasicBlock:
    """A discovered block: its instructions, and where control goes when it falls out."""

    start: int
    instrs: tuple

    @property
    def end_pc(self) -> int:
        """Address just after the last instruction (the fall-through successor)."""
        return self.instrs[-1].pc + 4

    def __len__(self) -> int:
        return len(self.instrs)


def translatable(spec, fields: dict, pc: int) -> bool:
    """True when the translator handles this row itself (see module docstring)."""
    if spec.fmt == 'NONE':
        return spec.name in TRANSLATED_NONE
    if spec.fmt not in TRANSLATED_FORMATS:
        return False
    if spec.fmt in ('B', 'J') and (pc + fields['imm']) & 3:
        return False                    # the interpreter raises the misaligned-target trap
    return True


def discover_block(predecoded: dict, start: int, max_len: int = MAX_BLOCK):
    """The basic block at ``start``, read from the interpreter's predecode cache
    (``pc -> handler`` whose ``.word`` is the instruction); None if its first instruction
    is not translatable."""
    instrs = []
    pc = start
    while len(instrs) < max_len:
        handler = predecoded.get(pc)
        if handler is None:
            break
        decoded = decode(handler.word)
        if decoded is None or not translatable(decoded.spec, decoded.fields, pc):
            break
        instr = GuestInstr(pc, handler.word, decoded.spec, decoded.fields)
        instrs.append(instr)
        if instr.is_control:
            break
        pc = (pc + 4) & 0xFFFFFFFF
    return BasicBlock(start, tuple(instrs)) if instrs else None
