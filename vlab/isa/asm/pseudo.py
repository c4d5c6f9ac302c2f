"""Pseudo-instructions: assembly shorthands that expand into real instructions.

The table below is the whole story, in the form of the RISC-V Assembly
Programmer's Manual ("Pseudoinstructions") and the unprivileged spec's
Tables 25.2/25.3: on the left the pseudo-instruction and its operands, on the
right what GNU ``as`` turns it into.  Operand names in CAPITALS are
placeholders, replaced by what the programmer wrote; everything else is
literal.  Several real instructions also have shorter operand forms
(``jal label``, ``jalr rs``, ``fence``); the table is keyed by mnemonic *and*
operand count, so ``jal ra, label`` is the real ``jal`` and ``jal label`` is the
shorthand.

``. - 4`` inside ``%pcrel_lo`` names the ``auipc`` just before: the pair
``auipc rd, %pcrel_hi(sym)`` / ``addi rd, rd, %pcrel_lo(. - 4)`` loads ``sym``'s
address relative to the pc, which is what GNU ``as`` emits for ``la``, ``call``
and ``tail`` when it does not relax (psABI, "Procedure Calls"; binutils'
``riscv_call``/``M_LA``).

``li`` is not a template: how many instructions it needs depends on the value
(:func:`expand_li`).
"""

from __future__ import annotations

from .expressions import hi20, lo12

# (mnemonic, operand names) -> expansion, one real instruction per line.
PSEUDO_INSTRUCTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("nop", ""): ("addi x0, x0, 0",),
    ("mv", "RD, RS"): ("addi RD, RS, 0",),
    ("not", "RD, RS"): ("xori RD, RS, -1",),
    ("neg", "RD, RS"): ("sub RD, x0, RS",),
    ("seqz", "RD, RS"): ("sltiu RD, RS, 1",),
    ("snez", "RD, RS"): ("sltu RD, x0, RS",),
    ("sltz", "RD, RS"): ("slt RD, RS, x0",),
    ("sgtz", "RD, RS"): ("slt RD, x0, RS",),
    ("beqz", "RS, OFFSET"): ("beq RS, x0, OFFSET",),
    ("bnez", "RS, OFFSET"): ("bne RS, x0, OFFSET",),
    ("blez", "RS, OFFSET"): ("bge x0, RS, OFFSET",),
    ("bgez", "RS, OFFSET"): ("bge RS, x0, OFFSET",),
    ("bltz", "RS, OFFSET"): ("blt RS, x0, OFFSET",),
    ("bgtz", "RS, OFFSET"): ("blt x0, RS, OFFSET",),
    ("bgt", "RS, RT, OFFSET"): ("blt RT, RS, OFFSET",),
    ("ble", "RS, RT, OFFSET"): ("bge RT, RS, OFFSET",),
    ("bgtu", "RS, RT, OFFSET"): ("bltu RT, RS, OFFSET",),
    ("bleu", "RS, RT, OFFSET"): ("bgeu RT, RS, OFFSET",),
    ("j", "OFFSET"): ("jal x0, OFFSET",),
    ("jal", "OFFSET"): ("jal ra, OFFSET",),
    ("jr", "RS"): ("jalr x0, 0(RS)",),
    ("jalr", "RS"): ("jalr ra, 0(RS)",),
    ("jalr", "RD, RS, IMM"): ("jalr RD, IMM(RS)",),
    ("ret", ""): ("jalr x0, 0(ra)",),
    ("unimp", ""): ("csrrw x0, cycle, x0",),  # reads a read-only CSR: always illegal
    ("la", "RD, SYMBOL"): ("auipc RD, %pcrel_hi(SYMBOL)", "addi RD, RD, %pcrel_lo(. - 4)"),
    ("lla", "RD, SYMBOL"): ("auipc RD, %pcrel_hi(SYMBOL)", "addi RD, RD, %pcrel_lo(. - 4)"),
    ("call", "SYMBOL"): ("auipc ra, %pcrel_hi(SYMBOL)", "jalr ra, %pcrel_lo(. - 4)(ra)"),
    ("tail", "SYMBOL"): ("auipc t1, %pcrel_hi(SYMBOL)", "jalr x0, %pcrel_lo(. - 4)(t1)"),
    ("fence", ""): ("fence iorw, iorw",),
    ("sfence.vma", ""): ("sfence.vma x0, x0",),
    ("sfence.vma", "RS"): ("sfence.vma RS, x0",),
    ("csrr", "RD, CSR"): ("csrrs RD, CSR, x0",),
    ("csrw", "CSR, RS"): ("csrrw x0, CSR, RS",),
    ("csrs", "CSR, RS"): ("csrrs x0, CSR, RS",),
    ("csrc", "CSR, RS"): ("csrrc x0, CSR, RS",),
    ("csrwi", "CSR, IMM"): ("csrrwi x0, CSR, IMM",),
    ("csrsi", "CSR, IMM"): ("csrrsi x0, CSR, IMM",),
    ("csrci", "CSR, IMM"): ("csrrci x0, CSR, IMM",),
    ("rdcycle", "RD"): ("csrrs RD, cycle, x0",),
    ("rdcycleh", "RD"): ("csrrs RD, cycleh, x0",),
    ("rdtime", "RD"): ("csrrs RD, time, x0",),
    ("rdtimeh", "RD"): ("csrrs RD, timeh, x0",),
    ("rdinstret", "RD"): ("csrrs RD, instret, x0",),
    ("rdinstreth", "RD"): ("csrrs RD, instreth, x0",),
}

# GNU as also accepts an immediate where these expect a register, and then uses the
# immediate form of the instruction (binutils opcodes table: "csrw" with "E,Z", ...).
IMMEDIATE_FORM = {"csrw": "csrwi", "csrs": "csrsi", "csrc": "csrci", "csrrw": "csrrwi",
                  "csrrs": "csrrsi", "csrrc": "csrrci"}
# ... and a plain register where jalr expects a memory operand: jalr rd, rs = jalr rd, 0(rs).
JALR_REGISTER_FORM = ("jalr RD, 0(RS)",)
# jr and jalr with one memory operand, as objdump prints them: jr 8(t1), jalr 16(ra).
MEMORY_FORM = {"jr": ("jalr x0, ADDRESS",), "jalr": ("jalr ra, ADDRESS",)}

# A load or store whose address is a symbol, not offset(register): the address is formed
# pc-relatively, in rd for a load, in a scratch register the programmer names for a store
# (``lw a0, counter`` / ``sw a0, counter, t0``; unprivileged spec, Table 25.2).
LOAD_SYMBOL = ("auipc RD, %pcrel_hi(SYMBOL)", "LOAD RD, %pcrel_lo(. - 4)(RD)")
STORE_SYMBOL = ("auipc RT, %pcrel_hi(SYMBOL)", "STORE RS, %pcrel_lo(. - 4)(RT)")

PSEUDO_NAMES = frozenset(name for name, _ in PSEUDO_INSTRUCTIONS) | {"li"}


def expand_li(value: int) -> list[str]:
    """``li RD, value`` for RV32, instruction for instruction as GNU ``as`` does.

    The value is taken modulo 2**32 and read as signed.  If it fits a 12-bit
    immediate, one ``addi`` from x0.  Otherwise ``lui`` loads the upper 20 bits
    *rounded* (+0x800), so that the sign-extended low 12 bits added by ``addi``
    come back to the value; ``addi`` is left out when those low bits are zero.
    """
    value &= 0xFFFFFFFF
    signed = value - (1 << 32) if value & 0x8000_0000 else value
    if -2048 <= signed <= 2047:
        return [f"addi RD, x0, {signed}"]
    expansion = [f"lui RD, {hi20(value):#x}"]
    if lo12(value):
        expansion.append(f"addi RD, RD, {lo12(value)}")
    return expansion
