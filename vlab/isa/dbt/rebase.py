"""Address registers kept relative to RAM's base inside a loop (small integers).

Guest RAM starts at 0x8000_0000, so a guest pointer is an integer >= 2**30: in CPython
3.11 a two-"digit" PyLong, on which every ``+``, ``-``, ``&`` and ``>>`` takes the slower
multi-digit path.  A register the loop uses *only* as a pointer -- the base of its loads
and stores, stepped or copied by ``addi`` (``mv`` is ``addi rd, rs, 0``) between such
registers -- need not hold the guest value at all: the generated code keeps
``x5 - BASE`` in the local ``x5`` (subtracted once on entry, added back on every way out
and when a trap unwinds the frame), and the inline RAM fast path then tests and indexes
with that small offset directly (``x5 & RAMMASK4``, ``W[x5 >> 2]``) instead of computing
``x5 - BASE`` at every access.  ``addi`` commutes with the shift of origin, so its
statement from the ISA table is emitted unchanged; any other use of the register (a
branch comparing it, an ALU operand, a stored value, a mask) would observe the
difference, so such a register is not rebased.  (A simplified form of the address-mode
strength reduction classic compilers do on induction variables.)

Only loops (traces) are rebased: a straight block would pay the entry and exit
conversions for too few accesses.
"""
from __future__ import annotations

import re

POINTER_STEP = 'addi'
MEMORY_FORMATS = ('LOAD', 'S')


def address_registers(paths) -> frozenset:
    """The register locals (``'x5'``...) of ``paths`` used only as load/store bases and
    stepped/copied only by ``addi`` among themselves."""
    candidates, links = set(), []
    excluded = {0}
    for path in paths:
        for instr in path:
            f = instr.fields
            rd, rs1, rs2 = f.get('rd', 0), f.get('rs1', 0), f.get('rs2', 0)
            if instr.spec.fmt in MEMORY_FORMATS:
                candidates.add(rs1)
                excluded.update({rd, rs2} - {0})        # a loaded or stored value
            elif instr.name == POINTER_STEP:
                links.append((rd, rs1))
            else:
                excluded.update({rd, rs1, rs2})
    changed = True
    while changed:                                     # addi ties its two registers
        changed = False
        for rd, rs1 in links:
            if (rd in excluded) != (rs1 in excluded):
                excluded.update({rd, rs1})
                changed = True
    linked = {r for pair in links for r in pair}
    return frozenset(f'x{r}' for r in (candidates | linked) - excluded)


def misused(lines, rebased) -> bool:
    """A safety net after code generation: True when a generated line uses a rebased
    register other than as ``x = y [+ c]`` among rebased registers or inside an inline
    memory access (e.g. a lazy-masking ``x5 &= 0xffffffff``): then the region is
    translated again without rebasing."""
    if not rebased:
        return False
    names = '|'.join(sorted(rebased))
    mention = re.compile(rf'\b({names})\b')
    step = re.compile(rf'^({names}) = ({names})( [+-] -?\d+)?$')
    for line in lines:
        text = line.strip()
        if text.startswith('#') or not mention.search(text):
            continue
        if step.match(text) or '_o :=' in text or text.startswith('_store_'):
            continue
        return True
    return False
