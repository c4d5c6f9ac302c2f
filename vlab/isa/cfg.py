"""Basic blocks and the control-flow graph of a guest program, found statically.

A *basic block* is a maximal run of instructions entered only at its first instruction
and left only after its last (Aho, Lam, Sethi & Ullman, *Compilers*, 2nd ed., sec. 8.4.1).
Its first instruction is a **leader**; the textbook rule finds the leaders:

1. the program's first instruction is a leader;
2. the target of every branch or jump is a leader;
3. the instruction just after a branch, a jump or a trap-raising instruction (``ecall``,
   ``ebreak``, ``mret``...) is a leader.

Each block runs from its leader up to the next leader.  That is the *static* view, from
the program text.  A dynamic binary translator discovers blocks *dynamically*
(vlab/isa/dbt/blocks.py): a block starts wherever execution arrives and runs to the next
control transfer, so it never needs rule 2 in advance (and two translated blocks may
overlap when code jumps into the middle of another).  For the small programs of
chapter 3 both views give the same blocks; :func:`static_path` maps a path of dynamic
blocks onto the static ones, and :func:`edges_taken` counts the edges a run took.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from vlab.isa.decoder import decode
from vlab.isa.disasm import disassemble

JUMPS = frozenset({"B", "J", "JALR"})              # formats of control transfers
ENDS_BLOCK = frozenset({"ecall", "ebreak", "mret", "sret", "wfi"})   # trap or return


@dataclass(frozen=True)
class Block:
    """A static basic block: its leader's address, label and instructions' text."""

    start: int
    end: int                   # address after the last instruction
    label: str
    lines: tuple               # disassembly of each instruction
    successors: tuple          # addresses of the blocks control may go to next

    def __len__(self) -> int:
        return len(self.lines)


def text_instructions(program) -> list:
    """(pc, word, decoded or None) for every word of the program's ``.text``."""
    section = program.section(".text")
    if section is None:
        raise ValueError("the program has no .text section")
    code = section.data
    return [(section.address + i, int.from_bytes(code[i:i + 4], "little"),
             decode(int.from_bytes(code[i:i + 4], "little"))) for i in range(0, len(code), 4)]


def branch_target(pc: int, decoded) -> int | None:
    """The static target of a branch or JAL, None otherwise."""
    if decoded is not None and decoded.spec.fmt in ("B", "J"):
        return (pc + decoded.fields["imm"]) & 0xFFFFFFFF
    return None


def ends_block(decoded) -> bool:
    """True when control may leave after this instruction (or it is not one)."""
    return decoded is None or decoded.spec.fmt in JUMPS or decoded.spec.name in ENDS_BLOCK


def leaders(program) -> list[int]:
    """The leader addresses of ``program``'s text, in address order (rules above)."""
    instructions = text_instructions(program)
    if not instructions:
        return []
    text = {pc for pc, _, _ in instructions}
    found = {instructions[0][0]}
    for pc, _, decoded in instructions:
        target = branch_target(pc, decoded)
        if target in text:
            found.add(target)
        if ends_block(decoded) and pc + 4 in text:
            found.add(pc + 4)
    return sorted(found)


def successors(last_pc: int, decoded, end: int, text_end: int) -> tuple:
    if decoded is None or decoded.spec.name in ENDS_BLOCK or decoded.spec.fmt == "JALR":
        return ()
    target = branch_target(last_pc, decoded)
    if decoded.spec.fmt == "J":
        return (target,)
    fall = (end,) if end < text_end else ()
    return (*fall, target) if decoded.spec.fmt == "B" else fall


def basic_blocks(program) -> list[Block]:
    """The static basic blocks of ``program`` with their successors (the CFG)."""
    instructions = text_instructions(program)
    starts = leaders(program)
    names = program.names_by_address()
    text_end = instructions[-1][0] + 4 if instructions else 0
    by_pc = {pc: (word, decoded) for pc, word, decoded in instructions}
    blocks = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else text_end
        lines = tuple(disassemble(by_pc[pc][0], pc, names) for pc in range(start, end, 4))
        last = by_pc[end - 4][1]
        label = names.get(start, f"{start:#x}")
        blocks.append(Block(start, end, label, lines, successors(end - 4, last, end,
                                                                   text_end)))
    return blocks




def edges_taken(pcs, starts) -> dict:
    """How often each edge (from block start, to block start) was taken by a run that
    executed the instructions at ``pcs`` in order; ``starts`` are the blocks' leaders."""
    counts: Counter = Counter()
    current = pcs[0] if pcs else None
    for previous, pc in zip(pcs, pcs[1:], strict=False):
        if pc in starts and pc != previous:  # a leader: control entered a new block
            counts[(current, pc)] += 1
            current = pc
    return dict(sorted(counts.items()))


def static_path(dynamic_path, pcs, blocks) -> tuple:
    """A trace path of *dynamic* blocks (start pcs) as a path of the static blocks it
    runs through.  A dynamic block runs on to the next control transfer, so it can cover
    several static blocks (``rare`` falls through into ``next``: one dynamic block)."""
    by_start = {block.start: block for block in blocks}
    path = []
    for start in dynamic_path:
        block = by_start[start]
        path.append(start)
        while block.successors == (block.end,) and block.end in pcs \
                and block.end not in dynamic_path and block.end in by_start:
            block = by_start[block.end]
            path.append(block.start)
    return tuple(path)
