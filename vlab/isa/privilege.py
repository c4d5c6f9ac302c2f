"""Privilege levels of a RISC-V hart.

Source: RISC-V Privileged Architecture (20211203) sec. 1.2, Table 1.1: the encoding of
the levels is U = 0 (user), S = 1 (supervisor), M = 3 (machine); 2 is reserved (the H
extension reuses S and U as VS and VU with a separate virtualization mode bit V instead).
A hart resets into M-mode (sec. 3.4).

The hypervisor extension (ch. 8) adds the *virtualization mode* V, a bit of its own
(``Hart.virt``): with V=1 the levels S and U are VS and VU, a guest's kernel and user mode.
``hart.priv`` keeps its value 0/1/3; where one number must name a level *and* V (the target
of a trap, vlab/isa/traps.py ``trap_target``) it is ``level | VIRTUAL``: VS = 5, VU = 4.
"""
from __future__ import annotations

M, S, U = 3, 1, 0
VIRTUAL = 4                    # the V bit, beside a level (never stored in hart.priv)
VS, VU = VIRTUAL | S, VIRTUAL | U
PRIV_NAMES = {M: 'M', S: 'S', U: 'U', VS: 'VS', VU: 'VU'}
LEVELS = {'M': M, 'S': S, 'U': U, M: M, S: S, U: U}   # a level by name or by number

__all__ = ['LEVELS', 'M', 'PRIV_NAMES', 'S', 'U', 'VIRTUAL', 'VS', 'VU']
