"""The assembler on small programs: encodings, pseudo-instructions, layout, symbols, errors.

Expected words come from the RISC-V spec's encodings as printed by GNU as 2.40 for the same
line (the byte-for-byte comparison over whole programs is in test_asm_binutils.py).
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vlab.isa.asm import AssemblyError, assemble
from vlab.isa.fields import decode_fields
from vlab.isa.spec import BY_NAME


def words(source: str, base: int = 0) -> list[int]:
    text = assemble(source, text_base=base).text
    return [int.from_bytes(text[i:i + 4], "little") for i in range(0, len(text), 4)]


@pytest.mark.parametrize("line, expected", [
    ("addi a0, a0, 1", [0x00150513]),
    ("lw a0, -20(s0)", [0xFEC42503]),
    ("sw ra, 12(sp)", [0x00112623]),
    ("lui a0, 0x12345", [0x12345537]),
    ("li a0, 0x12345678", [0x12345537, 0x67850513]),
    ("li a1, 0xfffff800", [0x80000593]),
    ("li a2, 0x80000000", [0x80000637]),
    ("li a4, -2049", [0xFFFFF737, 0x7FF70713]),
    ("li a5, 0x7ffff800", [0x800007B7, 0x80078793]),
    ("li a6, 0xffffffff", [0xFFF00813]),
    ("csrr a0, mstatus", [0x30002573]),
    ("csrw mtvec, 5", [0x3052D073]),
    ("rdcycle a0", [0xC0002573]),
    ("lr.w.aqrl a0, (a1)", [0x1605A52F]),
    ("amoadd.w.aq a0, a2, (a1)", [0x04C5A52F]),
    ("sc.w a0, a2, (a1)", [0x18C5A52F]),
    ("fence", [0x0FF0000F]),
    ("fence rw, w", [0x0310000F]),
    ("fence.i", [0x0000100F]),
    ("ret", [0x00008067]),
    ("jalr a0", [0x000500E7]),
    ("jalr ra, a0, 4", [0x004500E7]),
    ("ecall", [0x00000073]),
    ("addi a0, a0, 1 | 2 + 3", [0x00650513]),  # GNU precedence: (1|2)+3
    ("addi a0, a0, 3 + 4 << 1", [0x00B50513]),  # << binds tighter than +
    ("addi a0, a0, -7 / 2", [0xFFD50513]),  # truncating division
    ("addi a0, a0, 010", [0x00850513]),  # octal
    ("addi a0, a0, 'a'", [0x06150513]),
])
def test_single_lines_encode_like_gnu_as(line: str, expected: list[int]) -> None:
    assert words(line) == expected


def li_value(encoded: list[int]) -> int:
    """What the li expansion leaves in the register (lui/addi semantics from the spec)."""
    value = 0
    for word in encoded:
        if word & 0x7F == 0x37:
            value = decode_fields("U", word)["imm"]
        else:
            fields = decode_fields("I", word)
            value = (value if fields["rs1"] else 0) + fields["imm"]
    return value & 0xFFFFFFFF


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.integers(-(1 << 31), (1 << 32) - 1))
def test_li_loads_every_32_bit_value_in_as_few_instructions_as_gnu(value: int) -> None:
    encoded = words(f"li t0, {value}")
    assert li_value(encoded) == value & 0xFFFFFFFF
    signed = value - (1 << 32) if value >= 1 << 31 else value
    expected_length = 1 if -2048 <= signed < 2048 or value & 0xFFF == 0 else 2
    assert len(encoded) == expected_length


def test_local_labels_refer_to_nearest_definition() -> None:
    source = "1: nop\n j 1b\n j 1f\n1: nop\n j 1b\n"
    assert words(source) == [0x13, 0xFFDFF06F, 0x0040006F, 0x13, 0xFFDFF06F]


def test_branch_targets_are_pc_relative_and_forward_references_work() -> None:
    assert words("beq a0, a1, end\n nop\nend: nop") == [0x00B50463, 0x13, 0x13]


def test_la_call_tail_expand_to_auipc_pairs() -> None:
    program = assemble("_start: la a0, msg\n call f\n tail f\nf: ret\n.data\nmsg: .byte 1")
    assert len(program.text) == 4 * 7
    auipc, addi = (int.from_bytes(program.text[i:i + 4], "little") for i in (0, 4))
    target = program.symbols["_start"] + decode_fields("U", auipc)["imm"] \
        + decode_fields("I", addi)["imm"]
    assert target == program.symbols["msg"]


def test_layout_text_then_data_then_bss_aligned() -> None:
    program = assemble(".text\n_start: nop\n.data\n.byte 1\n.align 3\nd: .word 2\n"
                       ".bss\nb: .space 10\n", text_base=0x1000)
    text, data, bss = program.sections
    assert (text.name, text.address, data.name, bss.name) == (".text", 0x1000, ".data", ".bss")
    assert data.address % 8 == 0 and data.address >= text.end
    assert program.symbols["d"] == data.address + 8
    assert bss.address >= data.end and bss.size == 10 and bss.data == b""
    assert program.entry == 0x1000


def test_entry_is_start_and_line_table_points_at_source() -> None:
    program = assemble("nop\n_start:\n  addi a0, a0, 1  # here\n", filename="p.s")
    assert program.entry == 0x8000_0004
    line = program.line_table[0x8000_0004]
    assert (line.filename, line.line) == ("p.s", 3) and "addi" in line.text


def test_equ_forward_reference_and_label_difference() -> None:
    program = assemble(".equ LEN, end - start\n.data\nstart: .ascii \"abcd\"\nend: .word LEN")
    assert program.section(".data").data == b"abcd" + (4).to_bytes(4, "little")
    assert program.symbols["LEN"] == 4


def test_strings_and_escapes() -> None:
    program = assemble('.data\n.asciz "a\\n\\t\\"\\\\\\101\\x42"\n.ascii "é"')
    assert program.section(".data").data == b'a\n\t"\\AB\0' + "é".encode()


def test_text_alignment_pads_with_executable_filler() -> None:
    # zero to an even address, c.nop, nops; GNU as also pads the section's end to its alignment
    assert assemble("nop\n.byte 1\n.align 3\nnop").text.hex() == \
        "13000000" "01" "00" "0100" "13000000" "13000000"


def error_of(source: str):
    with pytest.raises(AssemblyError) as info:
        assemble(source, filename="student.s")
    return info.value


@pytest.mark.parametrize("source, message, hint, column", [
    ("  adi a0, a0, 1", "unknown instruction 'adi'", "addi", 3),
    ("  addi a0, a0, 5000", "out of range", "-2048..2047", 16),
    ("  add a0, a9, a1", "unknown register 'a9'", "a0-a7", 11),
    ("  j nowhere", "undefined symbol 'nowhere'", "label", 5),
    ("  csrr a0, mstatuss", "unknown CSR", "mstatus", 12),
    ("  addi a0, a0, a1", "is a register", "add", 16),
    ("  .byte 300", "does not fit", "-128..255", 9),
    ("  beq a0, a1, far\n  .space 8192\nfar: nop", "out of reach", "branch", 15),
    ("  .wrod 1", "unknown directive", ".word", 3),
    ("  li a0, later\n.equ later, 1", "constant", "la", 10),
])
def test_errors_name_line_column_and_fix(source, message, hint, column) -> None:
    error = error_of(source)
    first = error.first
    assert message in first.message and hint in first.hint
    assert (first.filename, first.line, first.column) == ("student.s", 1, column)
    assert "student.s:1:" in str(error) and "^" in str(error)


def test_several_errors_are_reported_together_in_line_order() -> None:
    error = error_of("  addi a0, a0, 99999\n  nop\n  foo a0\n  lw a0, 4(a9)\n")
    assert [d.line for d in error.diagnostics] == [1, 3, 4]


def test_caret_sits_under_the_column() -> None:
    text = str(error_of("  add a0, a9, a1"))
    source_line, caret_line = text.splitlines()[1:3]
    assert source_line.index("a9") == caret_line.index("^")


@settings(derandomize=True, max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdilnorstuwx0123456789 ,()%:.#'\"\\-+*/<>|&^~\n"
                                              "\tjaexzf")), max_size=80))
def test_random_text_gives_a_program_or_an_assembly_error(source: str) -> None:
    try:
        assemble(source)
    except AssemblyError as error:
        assert error.diagnostics and all(d.line >= 1 for d in error.diagnostics)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.sampled_from(sorted(BY_NAME)), st.lists(st.text(
    alphabet=st.sampled_from(list("a0x1(),-%lohi.9zrsp ")), max_size=8), max_size=4))
def test_random_operands_give_a_program_or_an_assembly_error(name: str, operands) -> None:
    try:
        assemble(f"{name} {', '.join(operands)}")
    except AssemblyError:
        pass


@settings(derandomize=True, max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_unicode_gives_a_program_or_an_assembly_error(source: str) -> None:
    try:
        assemble(f'.ascii "{source}"\n{source}\n')
    except AssemblyError as error:
        assert error.diagnostics


def test_load_and_store_through_a_symbol() -> None:
    program = assemble("_start: lw a0, val\n sw a0, val, t0\n.data\nval: .word 5\n")
    auipc, load, auipc2, store = words(".text\n" + "\n".join(
        ["lw a0, val", "sw a0, val, t0", ".data", "val: .word 5"]))
    assert decode_fields("U", auipc)["imm"] + decode_fields("LOAD", load)["imm"] == \
        program.symbols["val"] - program.symbols["_start"]
    assert decode_fields("S", store)["rs1"] == 5  # t0 holds the address


def test_corpus_covers_every_instruction_pseudo_and_directive() -> None:
    """The programs compared with GNU as (test_asm_binutils.py) exercise everything."""
    import re
    from pathlib import Path

    from vlab.isa.asm.directives import DIRECTIVES
    from vlab.isa.asm.pseudo import PSEUDO_NAMES
    from vlab.isa.disasm import find_spec

    instructions, text = set(), ""
    for path in sorted((Path(__file__).parent / "asm_corpus").glob("*.s")):
        program, text = assemble(path.read_text()), text + path.read_text()
        code = program.section(".text")
        for address in program.line_table:
            offset = address - code.address
            spec = find_spec(int.from_bytes(code.data[offset:offset + 4], "little"))
            instructions.add(spec.name if spec else None)
    mnemonics = set(re.findall(r"^\s*(?:[\w.]+:\s*)*([a-z][\w.]*)", text, re.MULTILINE))
    assert set(BY_NAME) <= instructions
    assert PSEUDO_NAMES <= mnemonics
    assert set(DIRECTIVES) <= set(re.findall(r"(\.[a-z0-9]+)", text))


def test_line_numbers_count_newlines_only() -> None:
    error = error_of("nop\r\n.word 1 \x0c\nfoo\n")
    assert error.first.line == 3
