"""One row of the ISA table: an instruction's encoding, operand format and semantics.

Pydgin-style: each instruction is written once, as data, and every tool is derived from
it -- the decoder (mask/match from ``encoding``), the assembler and disassembler (``fmt``
and ``syntax``), the interpreter and the dynamic binary translator (``semantics``).

Encoding
    32 characters of ``'0'``, ``'1'`` or ``'x'``, bit 31 first, exactly as the opcode
    maps of the RISC-V Unprivileged ISA manual (vol. I, ch. 34 "RV32/64G Instruction
    Set Listings") draw them.  ``mask``/``match`` are derived: a word ``w`` is this
    instruction when ``w & mask == match``.

The semantics language
    ``semantics`` is a few Python statements that read like the manual's pseudocode.
    They are compiled once into a handler per decoded instruction (vlab/isa/interpreter.py)
    and pasted into generated code by the DBT, so they must use only these names:

    Operands (bound at decode time, all plain ints):
        ``rs1``, ``rs2``   value of the source register, unsigned 32-bit (x0 reads 0)
        ``rd = expr``      write the destination register; the value is masked to 32 bits
                           and a write to x0 is discarded (the expression is still
                           evaluated, so a load into x0 still faults)
        ``imm``            the sign-extended immediate (Python int, may be negative);
                           for CSRI it is the 5-bit unsigned ``zimm``
        ``shamt``, ``csr``, ``zimm``, ``pred``, ``succ``, ``aq``, ``rl``   fields
        ``rd_num``, ``rs1_num``, ``rs2_num``   register *numbers* (for "if rs1 is x0" rules)
        ``pc``             address of this instruction
        ``next_pc = expr`` control transfer; masked to 32 bits.  A target that is not
                           4-byte aligned raises instruction-address-misaligned (cause 0,
                           tval = target) *before* any later statement runs, so write
                           ``next_pc`` before ``rd`` in jumps.  Default: ``pc + 4``.
    Local temporaries: any other lower-case name assigned before use.

    Helpers (the execution engine supplies them):
        ``sx(v)``                    32-bit value -> signed Python int
        ``tdiv(a, b)``, ``trem(a, b)``  signed division/remainder truncating toward 0
        ``load(addr, size, signed=False)``  read memory (addr masked to 32 bits); may trap
        ``store(addr, size, value)`` write memory (value masked to ``size`` bytes); may trap
        ``load_reserved(addr)``, ``store_conditional(addr, value) -> 0|1``  LR/SC
        ``amo_load(addr)``           the read half of an AMO: checks alignment and write
                                     permission first (AMO faults are store/AMO faults)
        ``csr_read(csr)``, ``csr_write(csr, value)``  with privilege/read-only checks
        ``trap(cause, tval)``        raise a synchronous exception
        ``ecall()``, ``mret()``, ``sret()``, ``wfi()``, ``fence_i()``,
        ``sfence_vma(vaddr, asid)``  the privileged operations (mret/sret return the
                                     new pc)
        ``hlv(addr, size, signed, execute)``, ``hsv(addr, size, value)``,
        ``hfence_vvma(vaddr, asid)``, ``hfence_gvma(gaddr, vmid)``  the hypervisor
                                     extension's guest-memory accesses and fences

    Any other Python is forbidden; ``tests/isa/test_spec.py`` checks every row compiles
    and uses only these names.
"""
from __future__ import annotations

from dataclasses import dataclass, field

FORMATS = ('R', 'I', 'I_SHIFT', 'LOAD', 'S', 'B', 'U', 'J', 'JALR', 'CSR', 'CSRI',
           'AMO', 'LR', 'FENCE', 'NONE', 'SFENCE', 'HLV', 'HSV')
EXTENSIONS = ('I', 'M', 'A', 'Zicsr', 'Zifencei', 'Priv', 'H')


@dataclass(frozen=True)
class InstrSpec:
    """One instruction: see the module docstring for the meaning of each field."""

    name: str
    encoding: str
    fmt: str
    syntax: str
    semantics: str
    extension: str
    mask: int = field(init=False, repr=False, compare=False)
    match: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if len(self.encoding) != 32 or set(self.encoding) - set('01x'):
            raise ValueError(f'{self.name}: encoding must be 32 chars of 0/1/x, '
                             f'got {self.encoding!r}')
        if self.fmt not in FORMATS:
            raise ValueError(f'{self.name}: unknown fmt {self.fmt!r}; use one of {FORMATS}')
        if self.extension not in EXTENSIONS:
            raise ValueError(f'{self.name}: unknown extension {self.extension!r}')
        mask = int(''.join('0' if c == 'x' else '1' for c in self.encoding), 2)
        match = int(self.encoding.replace('x', '0'), 2)
        object.__setattr__(self, 'mask', mask)
        object.__setattr__(self, 'match', match)

    def matches(self, word: int) -> bool:
        """True when the 32-bit ``word`` is an encoding of this instruction."""
        return word & self.mask == self.match


def enc(funct7: str = 'x' * 7, rs2: str = 'x' * 5, rs1: str = 'x' * 5, funct3: str = 'xxx',
        rd: str = 'x' * 5, opcode: str = 'x' * 7) -> str:
    """Assemble an encoding string from the R-type fields, in the manual's order."""
    s = funct7 + rs2 + rs1 + funct3 + rd + opcode
    assert len(s) == 32, s
    return s
