"""The six RV32 base instruction formats, as data, and a figure of their bit fields.

Source: RISC-V Unprivileged ISA, vol. I (20191213), sec. 2.2-2.3, Figures 2.2 and 2.3
(R, I, S, U; the B and J immediate variants).  Each format is a list of fields from bit
31 down to bit 0; the example row of each format is taken from vlab's ISA table
(vlab/isa/spec), whose 32-character encoding says which bits are fixed (0/1: opcode,
funct3, funct7) and which are operands (x).  ``tests/lab/test_interpretation_formats.py`` checks the
layout against the table's encoder, so the figure cannot drift from the machine.
"""

from __future__ import annotations

from dataclasses import dataclass

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from vlab.isa.spec import BY_NAME
from vlab.lab.style import DPI, FIGSIZE, INK, LEVEL_COLORS, ROLE_COLORS, styled


@dataclass(frozen=True)
class Field:
    name: str    # as the manual labels it
    high: int    # most significant bit
    low: int     # least significant bit

    @property
    def width(self) -> int:
        return self.high - self.low + 1


def _fields(*spec: tuple[str, int, int]) -> tuple[Field, ...]:
    return tuple(Field(*f) for f in spec)


_REGS_OPCODE = (("rs1", 19, 15), ("funct3", 14, 12))
#: The base formats, bit 31 first (Figures 2.2 and 2.3 of the unprivileged manual).
FORMATS: dict[str, tuple[Field, ...]] = {
    "R": _fields(("funct7", 31, 25), ("rs2", 24, 20), *_REGS_OPCODE, ("rd", 11, 7),
                 ("opcode", 6, 0)),
    "I": _fields(("imm[11:0]", 31, 20), *_REGS_OPCODE, ("rd", 11, 7), ("opcode", 6, 0)),
    "S": _fields(("imm[11:5]", 31, 25), ("rs2", 24, 20), *_REGS_OPCODE, ("imm[4:0]", 11, 7),
                 ("opcode", 6, 0)),
    "B": _fields(("imm[12|10:5]", 31, 25), ("rs2", 24, 20), *_REGS_OPCODE,
                 ("imm[4:1|11]", 11, 7), ("opcode", 6, 0)),
    "U": _fields(("imm[31:12]", 31, 12), ("rd", 11, 7), ("opcode", 6, 0)),
    "J": _fields(("imm[20|10:1|11|19:12]", 31, 12), ("rd", 11, 7), ("opcode", 6, 0)),
}

#: One instruction of each format from the ISA table, drawn with its fixed bits.
EXAMPLES = {"R": "add", "I": "addi", "S": "sw", "B": "beq", "U": "lui", "J": "jal"}

_KIND_COLORS = {"opcode": LEVEL_COLORS["isa"], "funct": LEVEL_COLORS["application"],
                "reg": LEVEL_COLORS["os"], "imm": ROLE_COLORS["guest_os"]}


def field_kind(name: str) -> str:
    """opcode, funct, reg or imm: what a field is for (it picks the color)."""
    if name == "opcode":
        return "opcode"
    if name.startswith("funct"):
        return "funct"
    if name.startswith("r"):
        return "reg"
    return "imm"


def fixed_bits(instruction: str, field: Field) -> str:
    """The table's encoding of ``instruction`` restricted to ``field`` ('x' = operand)."""
    encoding = BY_NAME[instruction].encoding
    return encoding[31 - field.high: 32 - field.low]


@styled
def plot_formats() -> Figure:
    """The six formats as rows of boxes, one box per field, 32 bits wide."""
    fig = Figure(figsize=FIGSIZE["column_tall"], dpi=DPI, layout="constrained")
    ax = fig.subplots()
    for row, (fmt, fields) in enumerate(FORMATS.items()):
        y = len(FORMATS) - 1 - row
        example = EXAMPLES[fmt]
        for field in fields:
            x = 31 - field.high
            color = _KIND_COLORS[field_kind(field.name)]
            ax.add_patch(Rectangle((x, y + 0.1), field.width, 0.8, facecolor=color,
                                   edgecolor=INK, linewidth=1))
            bits = fixed_bits(example, field)
            label = field.name if "x" in bits else f"{field.name}\n{bits}"
            text_color = "white" if field_kind(field.name) in ("opcode", "reg") else INK
            ax.text(x + field.width / 2, y + 0.5, _wrapped(label, field.width), ha="center",
                    va="center", fontsize=9, color=text_color)
        ax.text(-0.4, y + 0.62, f"{fmt}-type", ha="right", va="center", weight="bold")
        ax.text(-0.4, y + 0.3, f"e.g. {example}", ha="right", va="center", fontsize=9,
                color=INK)
    for bit in (31, 24, 19, 14, 11, 6):  # a field's highest bit, at its left edge
        ax.text(31 - bit + 0.1, len(FORMATS) + 0.15, str(bit), ha="left", fontsize=9)
    for bit in (25, 20, 15, 12, 7, 0):  # a field's lowest bit, at its right edge
        ax.text(32 - bit - 0.1, len(FORMATS) + 0.15, str(bit), ha="right", fontsize=9)
    ax.set_xlim(-5.5, 32.2)
    ax.set_ylim(-0.1, len(FORMATS) + 0.6)
    ax.axis("off")
    ax.set_title("RV32 base instruction formats (bit 31 on the left); fixed bits of the "
                 "example from the ISA table", wrap=True)
    return fig


def _wrapped(label: str, width: int) -> str:
    """A field label broken after its ``[`` or ``|`` when the field is too narrow for it
    in one line at 9 points (about 1.9 characters per bit at the column's width)."""
    lines = []
    for line in label.split("\n"):
        if len(line) > 1.9 * width and "|" in line:
            head, tail = line.split("|", 1)
            lines += [head + "|", tail]
        else:
            lines.append(line)
    return "\n".join(lines)
