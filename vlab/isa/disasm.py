"""The disassembler: a 32-bit word back into the assembly a person would write.

Derived from the ISA table like everything else: the word is decoded by the
same decoder the interpreter uses (``vlab.isa.decoder``: the row whose
``mask``/``match`` it fits, the most specific first), its operands come from
``vlab.isa.fields.decode_fields`` and are printed in the order of the row's
``syntax``.  On top of that, the way
GNU ``objdump -d`` prints (binutils ``riscv-dis.c``): ABI register names,
decimal immediates except the hexadecimal ``lui``/``auipc`` upper immediate,
branch and jump targets as absolute addresses (``beq a0,a1,80000010 <loop>``),
and the aliases in :data:`ALIASES` (the RISC-V Assembly Programmer's Manual's
pseudo-instructions: ``li``, ``mv``, ``ret``, ``j``, ``beqz``, ``csrr`` ...).
A word that is no instruction prints as ``.word 0x........``, as objdump does.

Two deliberate differences from objdump 2.40, which prints ``addi`` with an
immediate as ``add`` and ``csrrwi`` as ``csrrw`` (an artefact of its opcode table
order): we print the instruction's own name, as older objdump and capstone do.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from vlab.isa.decoder import find_spec as _decoder_find_spec
from vlab.isa.fields import CSR_NAMES, REG_NAMES, decode_fields
from vlab.isa.spec import InstrSpec

_FENCE_LETTERS = "iorw"
_COUNTERS = {0xC00: "rdcycle", 0xC01: "rdtime", 0xC02: "rdinstret",
             0xC80: "rdcycleh", 0xC81: "rdtimeh", 0xC82: "rdinstreth"}
UNIMP = 0xC0001073  # csrrw x0, cycle, x0: the canonical illegal instruction ("unimp")


def find_spec(word: int) -> InstrSpec | None:
    """The table row that decodes ``word``, or None for an illegal word."""
    return _decoder_find_spec(word & 0xFFFFFFFF)


# ---- operand formatting ----------------------------------------------------------------

def reg(number: int) -> str:
    return REG_NAMES[number]


def csr_name(number: int) -> str:
    return CSR_NAMES.get(number, f"{number:#x}")


def fence_set(bits: int) -> str:
    return "".join(c for i, c in enumerate(_FENCE_LETTERS) if bits & (8 >> i)) or "0"


def target(address: int, symbols: Mapping[int, str] | None) -> str:
    """An absolute code address, objdump style: ``80000010 <loop+0x4>``."""
    address &= 0xFFFFFFFF
    text = f"{address:x}"
    label = _nearest_label(address, symbols) if symbols else None
    return f"{text} <{label}>" if label else text


def _nearest_label(address: int, symbols: Mapping[int, str]) -> str | None:
    below = [a for a in symbols if a <= address]
    if not below:
        return None
    base = max(below)
    return symbols[base] if base == address else f"{symbols[base]}+{address - base:#x}"


def operand_text(slot: str, f: dict, pc: int, spec: InstrSpec, symbols) -> str:
    if slot in ("rd", "rs1", "rs2"):
        return reg(f[slot])
    if slot == "imm" and spec.fmt in ("B", "J"):
        return target(pc + f["imm"], symbols)
    if slot == "imm" and spec.fmt == "U":
        return f"{f['imm20']:#x}"
    if slot == "imm(rs1)":
        return f"{f['imm']}({reg(f['rs1'])})"
    if slot == "(rs1)":
        return f"({reg(f['rs1'])})"
    if slot == "csr":
        return csr_name(f["csr"])
    if slot in ("pred", "succ"):
        return fence_set(f[slot])
    return str(f[slot])  # imm, shamt, zimm


# ---- aliases (objdump prints these instead of the base instruction) --------------------

Alias = Callable[[dict, Callable[[int], str]], str | None]


def _jalr(f: dict, t) -> str | None:
    rd, rs1, imm = f["rd"], f["rs1"], f["imm"]
    address = reg(rs1) if imm == 0 else f"{imm}({reg(rs1)})"
    if rd == 0:
        return "ret" if (rs1, imm) == (1, 0) else f"jr {address}"
    if rd == 1:
        return f"jalr {address}"
    return f"jalr {reg(rd)},{address}"


def _addi(f: dict, t) -> str | None:
    rd, rs1, imm = f["rd"], f["rs1"], f["imm"]
    if (rd, rs1, imm) == (0, 0, 0):
        return "nop"
    if rs1 == 0:
        return f"li {reg(rd)},{imm}"
    if imm == 0:
        return f"mv {reg(rd)},{reg(rs1)}"
    return None


def _compare_zero(if_rs1_zero: str | None, if_rs2_zero: str | None) -> Alias:
    """slt/sltu/sub with x0 as one source: sgtz/snez/neg or sltz."""
    def alias(f, t):
        if f["rs2"] == 0 and if_rs2_zero:
            return f"{if_rs2_zero} {reg(f['rd'])},{reg(f['rs1'])}"
        if f["rs1"] == 0 and if_rs1_zero:
            return f"{if_rs1_zero} {reg(f['rd'])},{reg(f['rs2'])}"
        return None
    return alias


def _branch_zero(*rules: tuple[str, str]) -> Alias:
    """beq/bne/blt/bge against x0: beqz, bnez, bltz, bgez, bgtz, blez.

    Each rule is (the source that is x0, the alias), tried in objdump's order.
    """
    def alias(f, t):
        for zero_field, name in rules:
            if f[zero_field] == 0:
                other = "rs1" if zero_field == "rs2" else "rs2"
                return f"{name} {reg(f[other])},{t(f['imm'])}"
        return None
    return alias


def _csr_register(short: str, rd_zero_only: bool) -> Alias:
    """csrrw/csrrs/csrrc with rd = x0: csrw/csrs/csrc csr,rs."""
    def alias(f, t):
        if f["rd"] == 0 and rd_zero_only:
            return f"{short} {csr_name(f['csr'])},{reg(f['rs1'])}"
        return None
    return alias


def _csrrs(f: dict, t) -> str | None:
    if f["rs1"] == 0 and f["csr"] in _COUNTERS:
        return f"{_COUNTERS[f['csr']]} {reg(f['rd'])}"
    if f["rs1"] == 0:
        return f"csrr {reg(f['rd'])},{csr_name(f['csr'])}"
    return _csr_register("csrs", True)(f, t)


def _csr_immediate(short: str) -> Alias:
    def alias(f, t):
        if f["rd"] == 0:
            return f"{short} {csr_name(f['csr'])},{f['zimm']}"
        return None
    return alias


def _sfence(f: dict, t) -> str:
    if f["rs2"] == 0:
        return "sfence.vma" if f["rs1"] == 0 else f"sfence.vma {reg(f['rs1'])}"
    return f"sfence.vma {reg(f['rs1'])},{reg(f['rs2'])}"


ALIASES: dict[str, Alias] = {
    "addi": _addi,
    "xori": lambda f, t: f"not {reg(f['rd'])},{reg(f['rs1'])}" if f["imm"] == -1 else None,
    "sltiu": lambda f, t: f"seqz {reg(f['rd'])},{reg(f['rs1'])}" if f["imm"] == 1 else None,
    "sub": _compare_zero("neg", None),
    "sltu": _compare_zero("snez", None),
    "slt": _compare_zero("sgtz", "sltz"),
    "beq": _branch_zero(("rs2", "beqz")),
    "bne": _branch_zero(("rs2", "bnez")),
    "blt": _branch_zero(("rs2", "bltz"), ("rs1", "bgtz")),
    "bge": _branch_zero(("rs1", "blez"), ("rs2", "bgez")),  # objdump tries blez first
    "jal": lambda f, t: f"j {t(f['imm'])}" if f["rd"] == 0 else
    (f"jal {t(f['imm'])}" if f["rd"] == 1 else None),
    "jalr": _jalr,
    "csrrw": _csr_register("csrw", True),
    "csrrs": _csrrs,
    "csrrc": _csr_register("csrc", True),
    "csrrwi": _csr_immediate("csrwi"),
    "csrrsi": _csr_immediate("csrsi"),
    "csrrci": _csr_immediate("csrci"),
    "fence": lambda f, t: "fence" if (f["pred"], f["succ"]) == (15, 15) else None,
    "sfence.vma": _sfence,
}


# ---- the public functions ---------------------------------------------------------------

def disassemble(word: int, pc: int | None = None, symbols: Mapping[int, str] | None = None,
                aliases: bool = True) -> str:
    """One instruction, objdump style: ``disassemble(0x00150513) == 'addi a0,a0,1'``.

    ``pc`` (default 0) makes branch targets absolute; ``symbols`` (address -> name)
    labels them.  ``aliases=False`` prints the base instruction (``addi`` not ``li``).
    """
    word &= 0xFFFFFFFF
    pc = 0 if pc is None else pc
    spec = find_spec(word)
    if spec is None or word == UNIMP:
        return "unimp" if word == UNIMP else f".word {word:#010x}"
    fields = decode_fields(spec.fmt, word)
    if aliases and spec.name in ALIASES:
        text = ALIASES[spec.name](fields, lambda offset: target(pc + offset, symbols))
        if text is not None:
            return text
    name = spec.name + _ordering_suffix(spec, fields)
    slots = [s.strip() for s in spec.syntax.split(",")] if spec.syntax else []
    operands = ",".join(operand_text(s, fields, pc, spec, symbols) for s in slots)
    return f"{name} {operands}" if operands else name


def _ordering_suffix(spec: InstrSpec, fields: dict) -> str:
    if spec.fmt not in ("AMO", "LR"):
        return ""
    return {(0, 0): "", (1, 0): ".aq", (0, 1): ".rl", (1, 1): ".aqrl"}[(fields["aq"],
                                                                          fields["rl"])]


def is_valid(word: int) -> bool:
    """True if ``word`` decodes to an instruction of the table."""
    return find_spec(word) is not None


def disassemble_program(code: bytes, base: int = 0, symbols: Mapping[int, str] | None = None
                        ) -> str:
    """An objdump-like listing: a label line per symbol, then ``address: word  text``."""
    lines = []
    for offset in range(0, len(code) - len(code) % 4, 4):
        address = base + offset
        if symbols and address in symbols:
            lines.append(f"\n{address:08x} <{symbols[address]}>:")
        word = int.from_bytes(code[offset:offset + 4], "little")
        lines.append(f"{address:8x}:\t{word:08x}\t{disassemble(word, address, symbols)}")
    if len(code) % 4:
        tail = code[len(code) - len(code) % 4:]
        lines.append(f"{base + len(code) - len(tail):8x}:\t{tail.hex()}\t.byte "
                     + ",".join(f"{b:#04x}" for b in tail))
    return "\n".join(lines).lstrip("\n")
