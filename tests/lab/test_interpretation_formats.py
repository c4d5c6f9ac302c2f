"""The RV32 format figure's layout agrees with the ISA table's encoder."""

import pytest

from vlab.isa.fields import encode
from vlab.isa.spec import BY_NAME
from vlab.lab.interpretation.formats import EXAMPLES, FORMATS, field_kind, fixed_bits, plot_formats


def mask(field):
    return ((1 << field.width) - 1) << field.low


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_fields_cover_32_bits_without_overlap(fmt):
    fields = FORMATS[fmt]
    assert fields[0].high == 31 and fields[-1].low == 0
    for upper, lower in zip(fields, fields[1:], strict=False):
        assert upper.low == lower.high + 1


ALL_ONES = {"rd": 31, "rs1": 31, "rs2": 31}
# immediates whose encoded bits are all ones (B and J offsets are even: bit 0 is implied)
IMM_ALL_ONES = {"I": -1, "S": -1, "B": -2, "J": -2}


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_register_fields_sit_where_the_encoder_puts_them(fmt):
    spec = BY_NAME[EXAMPLES[fmt]]
    assert spec.fmt == fmt
    zero = {name: 0 for name in ("rd", "rs1", "rs2") if any(f.name == name
                                                             for f in FORMATS[fmt])}
    imm = {"imm20": 0} if fmt == "U" else ({} if fmt == "R" else {"imm": 0})
    base = encode(spec, **zero, **imm)
    for field in FORMATS[fmt]:
        if field.name in ALL_ONES:
            word = encode(spec, **{**zero, field.name: 31}, **imm)
            assert word ^ base == mask(field), field.name


@pytest.mark.parametrize("fmt", ["I", "S", "B", "U", "J"])
def test_immediate_fields_are_where_the_encoder_puts_immediate_bits(fmt):
    spec = BY_NAME[EXAMPLES[fmt]]
    regs = {name: 0 for name in ("rd", "rs1", "rs2")
            if any(f.name == name for f in FORMATS[fmt])}
    if fmt == "U":
        base, ones = encode(spec, imm20=0, **regs), encode(spec, imm20=0xFFFFF, **regs)
    else:
        base, ones = encode(spec, imm=0, **regs), encode(spec, imm=IMM_ALL_ONES[fmt], **regs)
    imm_mask = sum(mask(f) for f in FORMATS[fmt] if field_kind(f.name) == "imm")
    assert base ^ ones == imm_mask       # every immediate bit, and only those, changed


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_fixed_bits_come_from_the_table(fmt):
    spec = BY_NAME[EXAMPLES[fmt]]
    opcode = next(f for f in FORMATS[fmt] if f.name == "opcode")
    assert fixed_bits(spec.name, opcode) == format(spec.match & 0x7F, "07b")
    for field in FORMATS[fmt]:
        if field_kind(field.name) in ("reg", "imm"):
            assert set(fixed_bits(spec.name, field)) == {"x"}


def test_the_figure_has_one_row_per_format():
    fig = plot_formats()
    texts = {t.get_text() for t in fig.axes[0].texts}
    assert {f"{fmt}-type" for fmt in FORMATS} <= texts
    assert "funct7\n0000000" in texts                       # add's fixed funct7
