"""Privilege levels of a RISC-V hart.

Source: RISC-V Privileged Architecture (20211203) sec. 1.2, Table 1.1: the encoding of
the levels is U = 0 (user), S = 1 (supervisor), M = 3 (machine); 2 is reserved (the H
extension reuses S and U as VS and VU with a separate virtualization mode bit V instead).
A hart resets into M-mode (sec. 3.4).
"""
from __future__ import annotations

M, S, U = 3, 1, 0
PRIV_NAMES = {M: 'M', S: 'S', U: 'U'}
LEVELS = {'M': M, 'S': S, 'U': U, M: M, S: S, U: U}   # a level by name or by number

__all__ = ['LEVELS', 'M', 'PRIV_NAMES', 'S', 'U']
