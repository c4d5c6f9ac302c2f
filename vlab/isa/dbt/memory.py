"""Inline memory access: the RAM fast path and the software TLB, as Python source text.

A guest load or store in translated code must not pay for a function call when it hits
plain RAM, so the translator pastes the fast path into the generated code and calls the
interpreter's memory port (vlab/isa/mmu.py ``make_port``) only when the fast path cannot
be taken -- exactly the cases the port itself sends to its slow path (MMIO, a misaligned
access, a page holding code, a TLB miss, a fault), so both engines count the same events.

* Bare mode: ``_o`` is the offset into RAM.  ``_o & RAMMASKn`` is zero exactly when
  ``0 <= _o < SIZE`` and ``_o`` is n-aligned (RAMMASKn = -SIZE | (n - 1), SIZE a power of
  two): one operation instead of three.  An address out of range, misaligned or not yet
  masked to 32 bits just takes the port's exact path.  A store also checks ``WATCH``, the
  MMU's map of pages holding translated or predecoded code (self-modifying code).
  A store to the address the previous access of at least its size used (``lw`` then
  ``sw`` at ``0(t0)``) reuses ``_o`` and tests only ``WATCH``: the earlier fast path
  proved the range and alignment, and an earlier slow path leaves ``_o = POISON`` (-1),
  whose page, ``WATCH[-1]``, the MMU keeps permanently watched: the store then takes the
  port's exact path as well.
* Sv32 on: the *software TLB* is the MMU's pair of views, virtual page -> RAM offset of
  the page, filled by the MMU only for pages the current privilege may read (``RGET``) or
  write (``WGET``, never a page holding code); a hit there is a TLB hit, as in QEMU's
  softmmu fast path (Bellard 2005, sec. 2.6).

The fast path is the ``else`` arm of each test: CPython then falls through without a jump.
"""
from __future__ import annotations

import ast

VIEWS = {4: 'W', 2: 'H', 1: 'B'}


def ram_offset(addr, rebased=frozenset()):
    """``addr - BASE`` with a constant displacement folded in: ``x5 - (BASE - 8)``; for a
    register kept relative to BASE (vlab/isa/dbt/rebase.py) the address *is* the offset:
    ``x5 + 8``."""
    if _registers_in(addr) & rebased:
        return ast.unparse(addr)
    if isinstance(addr, ast.BinOp) and isinstance(addr.op, (ast.Add, ast.Sub)) \
            and isinstance(addr.left, ast.Name) and isinstance(addr.right, ast.Constant):
        displacement = addr.right.value if isinstance(addr.op, ast.Add) else -addr.right.value
        return f'{addr.left.id} - (BASE - {displacement})'
    return f'({ast.unparse(addr)}) - BASE'


def _registers_in(addr) -> set:
    return {n.id for n in ast.walk(addr) if isinstance(n, ast.Name)}


def slow_address(addr, rebased=frozenset()) -> str:
    """The guest address the port's slow path is called with (BASE added back to a
    rebased register)."""
    text = ast.unparse(addr)
    return f'{text} + BASE' if _registers_in(addr) & rebased else text


def slow_test(addr, size, paged, lookup, reuse=False, rebased=frozenset()):
    """(test that is true when the fast path cannot be taken, index into the view, the
    address the slow path is called with).  ``reuse``: ``_o`` already holds this
    address's RAM offset (same expression, its registers unchanged since).

    The fast path is the ``else`` arm: CPython then falls through without a jump."""
    if paged:
        index = '(_p | (_a & 0xFFF))'
        test = f'(_p := {lookup}((_a := {ast.unparse(addr)}) >> 12)) is None'
        if size > 1:
            test += f' or _a & {size - 1}'
        return test, index, '_a'
    offset = '_o' if reuse else f'(_o := {ram_offset(addr, rebased)})'
    return f'{offset} & RAMMASK{size}', '_o', slow_address(addr, rebased)


def inline_load(call, paged, reuse=False, rebased=frozenset()):
    """``_load_4u(a)`` -> an expression doing the RAM / software-TLB fast path inline."""
    name = call.func.id
    size, signed = int(name[6]), name[7] == 's'
    test, index, slow_addr = slow_test(call.args[0], size, paged, 'RGET', reuse,
                                           rebased)
    shift = {4: ' >> 2', 2: ' >> 1', 1: ''}[size]
    value = f'{VIEWS[size]}[{index}{shift}]'
    if signed:
        bit = 1 << (8 * size - 1)
        value = f'(({value} ^ {bit:#x}) - {bit:#x})'
    slow = f'{name}({slow_addr})' if paged else f'((_o := POISON) and {name}({slow_addr}))'
    return f'({slow} if {test} else {value})'


def inline_store(call, paged, exact, reuse=False, rebased=frozenset(), checked=False):
    """``_store_4(a, v)`` -> lines of an if/else: the port, or the fast RAM / software-TLB
    path.  ``checked``: ``_o`` is this address's offset and an earlier access of at least
    this size already passed the range and alignment test on it (or took its slow path
    and left POISON): only the WATCH test remains."""
    name = call.func.id
    size = int(name[7])
    value_node = call.args[1]
    value = ast.unparse(value_node)
    if not (size == 4 and isinstance(value_node, ast.Name) and value_node.id in exact):
        value = f'({value}) & {(1 << (8 * size)) - 1:#x}'
    test, index, slow_addr = slow_test(call.args[0], size, paged, 'WGET', reuse,
                                           rebased)
    shift = {4: ' >> 2', 2: ' >> 1', 1: ''}[size]
    slow = [f'    {name}({slow_addr}, {ast.unparse(value_node)})']
    if not paged:                            # pages holding code are watched (WGET never has them)
        test = 'WATCH[_o >> 12]' if checked else test + ' or WATCH[_o >> 12]'
        slow.append('    _o = POISON')
    return [f'if {test}:', *slow, 'else:', f'    {VIEWS[size]}[{index}{shift}] = {value}']


def ram_masks(size: int) -> dict:
    """RAMMASKn for the fast-path test: the largest power-of-two window of RAM; and
    POISON, the offset a slow path leaves in ``_o``."""
    window = 1 << (size.bit_length() - 1)
    return {**{f'RAMMASK{n}': str(-window | (n - 1)) for n in (4, 2, 1)}, 'POISON': '-1'}
