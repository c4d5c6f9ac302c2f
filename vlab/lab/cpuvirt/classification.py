"""Popek & Goldberg's classification of RISC-V instructions, read from the machine's table.

The rows come from vlab/isa/spec/sensitivity.py (the table the interpreter's trap checks
use), so the chapter shows the same classification the machine enforces.  ``kind`` is
'privileged' (traps below its level), 'sensitive' (sensitive and *not* privileged -- a
virtualization hole) or 'innocuous'.  ``classification_rows`` picks one row per family.
"""
from __future__ import annotations

from vlab.isa.privilege import PRIV_NAMES, U
from vlab.isa.spec.nonvirtualizable import leaky_rows
from vlab.isa.spec.sensitivity import INSTRUCTION_SENSITIVITY, csr_sensitivity

SHOWN = ('add', 'lw', 'jal', 'ecall', 'mret', 'sret', 'wfi', 'sfence.vma')
SHOWN_CSRS = ((0x340, 'mscratch'), (0x180, 'satp'), (0xC01, 'time'))
HEADER = ('instruction / CSR', 'lowest level', 'control-sensitive', 'behaviour-sensitive',
          'class', 'why')


def _row(row) -> tuple:
    return (row.name, PRIV_NAMES[row.min_priv], 'yes' if row.control else 'no',
            'yes' if row.behaviour else 'no', row.kind, row.why)


def classification_rows() -> list[tuple]:
    """A sample of the instruction table and a few CSRs (every CSR has its own row)."""
    rows = [_row(INSTRUCTION_SENSITIVITY[name]) for name in SHOWN]
    return rows + [_row(csr_sensitivity(number, name)) for number, name in SHOWN_CSRS]


def holes_for_user_guest() -> list[str]:
    """Sensitive rows a U-mode guest could run without trapping: none, on RISC-V."""
    return [row.name for row in INSTRUCTION_SENSITIVITY.values()
            if row.sensitive_for(U) and not row.privileged and not row.always_traps
            and not row.per_csr]


def switch_rows() -> list[tuple]:
    """What the non-virtualizable switch makes leak, with the x86 instruction it mimics."""
    return [(row.name, row.kind, x86) for row, x86 in leaky_rows()]
