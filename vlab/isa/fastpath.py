"""The RAM / software-TLB fast path of a guest load or store, written once.

A guest load or store that hits plain RAM must cost a few Python operations, not a walk
through the bus.  Three places run that fast path, and all three are generated here:

=========================  ==========================================  =====================
consumer                   what it gets                                built by
=========================  ==========================================  =====================
memory ports (mmu.py)      one closure per access (``_load_4u(a)``,    ``port_source``
                           ``_store_1(a, v)``...) that handlers call
predecoded handlers        statements inlined in a handler for a       ``handler_statements``
(semantics.py)             whole-statement ``rd = load(...)``/``store``
translated regions         an expression (load) or an if/else (store)  ``inline_load``,
(dbt/memory.py)            pasted into a region's Python source        ``inline_store``
=========================  ==========================================  =====================

The fast path, for an access of ``n`` bytes (1, 2, 4) at guest address ``a``:

* **bare** (no translation: satp off, or M-mode): ``a`` is physical and
  ``o = (a - BASE) mod 2**32`` its offset in RAM.  Fast when ``o < SIZE``, ``o`` is
  ``n``-aligned and, for a store, its page is not watched (``WATCH[o >> 12]``: the
  write-watch service's map of pages holding code, page tables, devices or a dirty log,
  vlab/host/watch.py).
* **paged** (Sv32): the *software TLB* is the MMU's pair of views, virtual page -> RAM
  offset of the page, filled by the MMU only for pages the current privilege may read
  (RVIEW) or write (WVIEW, never a watched page).  Fast when the view holds ``a >> 12`` and
  ``a`` is ``n``-aligned; the offset is then ``page | (a & 0xFFF)``, and the access is a TLB
  hit, as in QEMU's softmmu fast path (Bellard 2005, sec. 2.6).

Then the access indexes the byte / half / word memoryview of RAM (``view[o >> log2 n]``);
a signed load sign-extends (``(v ^ bit) - bit``, bit = the sign bit of ``n`` bytes); a
store writes its value masked to ``n`` bytes.  Anything else (MMIO, misaligned, crossing a
page, a watched page, a TLB miss, a fault) takes the *slow path*: the port calls the MMU
(``slow_load(a, n, signed)``, ``slow_store(a, n, v)``, vlab/isa/mmu.py), inlined code calls
the port.  So every consumer sends exactly the same accesses to the same exact path.

The table of the fast path is :func:`checks` (the conditions and, for the DBT, their
negations), :func:`view_item`, :func:`sign_extend`, :func:`width_mask`,
:func:`page_offset` and :func:`tlb_lookup`.  What differs between consumers are options:

* **spelling** (:class:`Spelling`): the names the code uses for RAM base and size, the
  views, WATCH, the view lookups and the 32-bit mask.  A port closes over local variables
  (``words``, ``MASK32``); a handler reads globals its namespace binds once as constants
  (``_WORDS``, ``_RAM_BASE``; vlab/isa/interpreter.py ``handler_namespace``); a region
  reads the constants of its environment (``W``, ``BASE``; vlab/isa/dbt/codegen.py).
* **statements or expressions**: ports and handlers bind ``o``/``page`` in statements and
  test "every condition holds"; the DBT tests "some condition fails" inside one expression
  (the fast path is the ``else`` arm: CPython falls through without a jump) and binds its
  names with ``:=`` at their first use.
* **TLB-hit counting**: ports and handlers count a paged fast access (``hits += 1``); the
  DBT counts its hits per block instead.
* **DBT only** -- *RAMMASK single test*: ``o & RAMMASKn`` is zero exactly when
  ``0 <= o < SIZE`` and ``o`` is n-aligned (RAMMASKn = -SIZE | (n - 1), SIZE a power of
  two, :func:`ram_masks`): one operation instead of three, and an address not yet masked to
  32 bits just takes the exact path.  *Rebased registers* (vlab/isa/dbt/rebase.py): a
  register kept relative to BASE already is the offset (:func:`ram_offset`).  *``_o``
  reuse*: a store to the address the previous access of at least its size used reuses
  ``_o`` and tests only WATCH (``checked``); a slow path leaves ``_o = POISON`` (-1), whose
  page ``WATCH[-1]`` the MMU keeps watched, so a store after it is exact as well.
* **ports only**: some signed loads wrap the unsigned port function
  (:data:`SIGNED_FROM_UNSIGNED`); chapter 2 counts the bytecodes of these exact functions.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from functools import cache

SIZES = (1, 2, 4)
MODES = ('bare', 'paged')
KINDS = ('load', 'store')
_INDEX_SHIFT = {1: '', 2: ' >> 1', 4: ' >> 2'}     # byte offset -> index into the view


@dataclass(frozen=True)
class Spelling:
    """The names one consumer's code uses (see the module docstring, "spelling")."""

    data: str       # the RAM bytearray (bytes)
    halves: str     # memoryview of RAM as 16-bit halves
    words: str      # memoryview of RAM as 32-bit words
    base: str       # physical address of RAM's first byte
    size: str       # RAM size in bytes
    watch: str      # per RAM page: non-zero = stores take the slow path
    rget: str       # RVIEW.get: virtual page -> RAM offset, pages readable now
    wget: str       # WVIEW.get: pages writable now
    mask32: str     # 0xFFFFFFFF
    hits: str       # the counter of paged fast accesses (TLB hits)
    offset: str = '_o'   # the RAM offset of the access
    page: str = '_p'     # the RAM offset of its page (paged)
    addr: str = '_a'     # the guest address

    def view(self, size: int) -> str:
        return {1: self.data, 2: self.halves, 4: self.words}[size]


PORT = Spelling('data', 'halves', 'words', 'base', 'size', 'watch', 'rget', 'wget',
                'MASK32', 'hits', offset='o', page='page', addr='a')
HANDLER = Spelling('_DATA', '_HALVES', '_WORDS', '_RAM_BASE', '_RAM_SIZE', '_WATCH',
                   '_RVIEW_GET', '_WVIEW_GET', '0xFFFFFFFF', '_hits')
REGION = Spelling('B', 'H', 'W', 'BASE', 'SIZE', 'WATCH', 'RGET', 'WGET', '0xffffffff', '')


# ---------------------------------------------------------------- the fast path, once
@dataclass(frozen=True)
class Check:
    """One condition of the fast path, over the names ``{o}`` (RAM offset), ``{a}``
    (address) and ``{p}`` (page offset): ``fast`` holds when the fast path may be taken,
    ``slow`` is its negation as the DBT writes it."""

    fast: str
    slow: str


def _aligned(name: str, size: int) -> list[Check]:
    if size == 1:
        return []
    return [Check(f'not {name} & {size - 1}', f'{name} & {size - 1}')]


@cache
def checks(mode: str, kind: str, size: int, spelling: Spelling, rammask: bool = False,
           checked: bool = False) -> tuple[Check, ...]:
    """The conditions of the fast path of one access, in the order they are tested.

    ``rammask``: bare range and alignment as one ``RAMMASKn`` test (DBT).  ``checked``:
    an earlier access already passed (or poisoned) range and alignment on ``_o``: only
    the WATCH test of a bare store remains (DBT).  Cached: a translator asks for it for
    every load and store it translates."""
    if mode == 'paged':
        return (Check('{p} is not None', '{p} is None'), *_aligned('{a}', size))
    if checked:
        found = []
    elif rammask:
        found = [Check(f'not {{o}} & RAMMASK{size}', f'{{o}} & RAMMASK{size}')]
    else:
        found = [Check(f'{{o}} < {spelling.size}', f'{{o}} >= {spelling.size}'),
                 *_aligned('{o}', size)]
    if kind == 'store':
        found.append(Check(f'not {spelling.watch}[{{o}} >> 12]', f'{spelling.watch}[{{o}} >> 12]'))
    return tuple(found)


def _names(spelling: Spelling) -> dict:
    return {'o': spelling.offset, 'a': spelling.addr, 'p': spelling.page}


def all_hold(found: tuple[Check, ...], spelling: Spelling) -> str:
    """The test of the fast path: every condition holds."""
    return ' and '.join(check.fast.format(**_names(spelling)) for check in found)


def any_fails(found: tuple[Check, ...], spelling: Spelling, bind: dict) -> str:
    """The test of the slow path: some condition fails.  ``bind`` gives the first check
    the ``:=`` forms of the names it defines (``{'o': '(_o := x5 - BASE)'}``)."""
    plain = _names(spelling)
    return ' or '.join(check.slow.format(**({**plain, **bind} if i == 0 else plain))
                       for i, check in enumerate(found))


def view_item(spelling: Spelling, size: int, offset: str) -> str:
    """The RAM view element an ``size``-byte access at RAM offset ``offset`` reads."""
    return f'{spelling.view(size)}[{offset}{_INDEX_SHIFT[size]}]'


def sign_extend(value: str, size: int) -> str:
    """``value`` (``size`` bytes, unsigned) as a signed integer."""
    bit = 1 << (8 * size - 1)
    return f'(({value} ^ {bit:#x}) - {bit:#x})'


def width_mask(spelling: Spelling, size: int) -> str:
    """The mask of a ``size``-byte value (what a store keeps of its operand)."""
    return spelling.mask32 if size == 4 else f'{(1 << (8 * size)) - 1:#x}'


def page_offset(spelling: Spelling) -> str:
    """The RAM offset of a paged access: its page's offset plus the offset in the page."""
    return f'({spelling.page} | ({spelling.addr} & 0xFFF))'


def tlb_lookup(spelling: Spelling, kind: str, addr: str) -> str:
    """The software-TLB lookup: the view of pages the access kind is allowed on now."""
    return f'{spelling.rget if kind == "load" else spelling.wget}({addr} >> 12)'


def ram_offset_of(spelling: Spelling, addr: str) -> str:
    """Bare mode: the offset of physical address ``addr`` in RAM, modulo 2**32."""
    return f'({addr} - {spelling.base}) & {spelling.mask32}'


def port_name(kind: str, size: int, signed: bool = False) -> str:
    """``_load_4u``, ``_load_1s``, ``_store_2``: the port function of one access."""
    return f'_load_{size}{"s" if signed else "u"}' if kind == 'load' else f'_store_{size}'


# ---------------------------------------------------------------- 1. the memory ports
#: Port signed loads written as a wrapper around the unsigned port function, by (mode,
#: size); the others sign-extend in their own fast path.  Kept exactly as they were first
#: written: chapter 2 counts the bytecodes these functions execute.
SIGNED_FROM_UNSIGNED = {
    ('bare', 4): ['v = _load_4u(a)', 'return v - 0x100000000 if v & 0x80000000 else v'],
    ('paged', 4): ['v = _load_4u(a)', 'return v - 0x100000000 if v & 0x80000000 else v'],
    ('paged', 2): ['v = _load_2u(a)', f'return {sign_extend("v", 2)}'],
    ('paged', 1): [f'return {sign_extend("_load_1u(a)", 1)}'],
}

#: What a port function gets from the MMU (the parameters of the generated ``make_port``).
PORT_BINDINGS = ('base', 'size', 'data', 'halves', 'words', 'watch', 'slow_load',
                 'slow_store', 'rget', 'wget')


def port_function(mode: str, kind: str, size: int, signed: bool = False) -> str:
    """Source of one port function, e.g. ``def _load_4u(a): ...`` (see module docstring)."""
    sp, paged = PORT, mode == 'paged'
    name = port_name(kind, size, signed)
    params = '(a)' if kind == 'load' else '(a, v)'
    if kind == 'load' and signed and (mode, size) in SIGNED_FROM_UNSIGNED:
        body = SIGNED_FROM_UNSIGNED[mode, size]
    else:
        if paged:
            body = [f'nonlocal {sp.hits}', f'a &= {sp.mask32}',
                    f'{sp.page} = {tlb_lookup(sp, kind, "a")}']
            index, slow_addr = page_offset(sp), 'a'
        else:
            body = [f'{sp.offset} = {ram_offset_of(sp, "a")}']
            index, slow_addr = sp.offset, f'a & {sp.mask32}'
        body.append(f'if {all_hold(checks(mode, kind, size, sp), sp)}:')
        if paged:
            body.append(f'    {sp.hits} += 1')
        item = view_item(sp, size, index)
        if kind == 'load':
            body += [f'    return {sign_extend(item, size) if signed else item}',
                     f'return slow_load({slow_addr}, {size}, {signed})']
        else:
            body += [f'    {item} = v & {width_mask(sp, size)}', 'else:',
                     f'    slow_store({slow_addr}, {size}, v)']
    return f'def {name}{params}:\n' + ''.join(f'    {line}\n' for line in body)


def port_source(mode: str) -> str:
    """Source of ``make_port(<PORT_BINDINGS>)``: it returns the port functions of ``mode``
    (name -> function) and ``take_hits()``, which returns and zeroes the TLB-hit count.
    vlab/isa/mmu.py compiles it once per mode with ``MASK32`` as a global."""
    functions = [port_function(mode, 'load', size, signed)
                 for size in (4, 2, 1) for signed in (False, True)]
    functions += [port_function(mode, 'store', size) for size in (4, 2, 1)]
    names = sorted(port_name('load', s, signed) for s in SIZES for signed in (False, True))
    names += [port_name('store', s) for s in SIZES]
    take_hits = ('def take_hits():\n    nonlocal hits\n    n, hits = hits, 0\n    return n\n')
    body = ''.join(functions) + take_hits
    table = ', '.join(f"'{name}': {name}" for name in names)
    return (f'def make_port({", ".join(PORT_BINDINGS)}):\n    hits = 0\n'
            + ''.join(f'    {line}\n' for line in body.splitlines())
            + f'    return {{{table}}}, take_hits\n')


# ---------------------------------------------------------------- 2. predecoded handlers
def handler_statements(mode: str, kind: str, size: int, signed: bool, addr: str,
                       value: str | None = None) -> str:
    """Statements replacing ``R[_rd] = _load_..(addr)`` or ``_store_n(addr, value)`` in a
    predecoded handler (vlab/isa/semantics.py): the fast path inline, the port function
    for the rest.  A paged handler must declare ``global _hits``.  A register holds the
    unsigned 32-bit value, so the sign extension of a 4-byte load is the identity."""
    sp, paged = HANDLER, mode == 'paged'
    port = port_name(kind, size, signed)
    if paged:
        lines = [f'_a = ({addr}) & {sp.mask32}', f'_p = {tlb_lookup(sp, kind, "_a")}']
    else:
        lines = [f'_a = {addr}', f'_o = {ram_offset_of(sp, "_a")}']
    lines.append(f'if {all_hold(checks(mode, kind, size, sp), sp)}:')
    if paged:
        lines += [f'    {sp.hits} += 1', f'    _o = {page_offset(sp)}']
    item = view_item(sp, size, '_o')
    if kind == 'load':
        if signed and size < 4:
            item = f'{sign_extend(item, size)} & {sp.mask32}'
        lines += [f'    R[_rd] = {item}', 'else:', f'    R[_rd] = {port}(_a) & {sp.mask32}']
    else:
        fits = size == 4 and value.startswith('R[')      # a register is already 32 bits
        stored = value if fits else f'({value}) & {width_mask(sp, size)}'
        lines += [f'    {item} = {stored}', 'else:', f'    {port}(_a, {value})']
    return '\n'.join(lines)


# ---------------------------------------------------------------- 3. translated regions
def ram_offset(addr, rebased=frozenset()) -> str:
    """DBT, bare: ``addr - BASE`` with a constant displacement folded in:
    ``x5 - (BASE - 8)``; for a register kept relative to BASE (vlab/isa/dbt/rebase.py)
    the address *is* the offset: ``x5 + 8``."""
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
    """DBT: the guest address the port's slow path is called with (BASE added back to a
    rebased register)."""
    text = ast.unparse(addr)
    return f'{text} + BASE' if _registers_in(addr) & rebased else text


def _region_test(kind, addr, size, paged, reuse, rebased, checked=False):
    """(slow-path test, RAM offset of the fast path) of one access in a region."""
    sp = REGION
    if paged:
        bind = {'p': f'(_p := {tlb_lookup(sp, kind, f"(_a := {ast.unparse(addr)})")})'}
        index = page_offset(sp)
    else:
        bind = {} if reuse or checked else {'o': f'(_o := {ram_offset(addr, rebased)})'}
        index = sp.offset
    found = checks('paged' if paged else 'bare', kind, size, sp, rammask=True,
                   checked=checked)
    return any_fails(found, sp, bind), index


def inline_load(call, paged, reuse=False, rebased=frozenset()) -> str:
    """``_load_4u(a)`` -> an expression doing the RAM / software-TLB fast path inline.
    ``reuse``: ``_o`` already holds this address's RAM offset (same expression, its
    registers unchanged since)."""
    name = call.func.id
    size, signed = int(name[6]), name[7] == 's'
    test, index = _region_test('load', call.args[0], size, paged, reuse, rebased)
    value = view_item(REGION, size, index)
    if signed:
        value = sign_extend(value, size)
    if paged:
        slow = f'{name}(_a)'
    else:
        slow = f'((_o := POISON) and {name}({slow_address(call.args[0], rebased)}))'
    return f'({slow} if {test} else {value})'


def inline_store(call, paged, exact, reuse=False, rebased=frozenset(), checked=False):
    """``_store_4(a, v)`` -> lines of an if/else: the port, or the fast RAM / software-TLB
    path.  ``exact``: registers known to hold 32-bit values (a 4-byte store of one needs
    no mask).  ``checked``: ``_o`` is this address's offset and an earlier access of at
    least this size already passed the range and alignment test on it (or took its slow
    path and left POISON): only the WATCH test remains."""
    name = call.func.id
    size = int(name[7])
    value_node = call.args[1]
    value = ast.unparse(value_node)
    if not (size == 4 and isinstance(value_node, ast.Name) and value_node.id in exact):
        value = f'({value}) & {width_mask(REGION, size)}'
    test, index = _region_test('store', call.args[0], size, paged, reuse, rebased, checked)
    slow_addr = '_a' if paged else slow_address(call.args[0], rebased)
    slow = [f'    {name}({slow_addr}, {ast.unparse(value_node)})']
    if not paged:
        slow.append('    _o = POISON')
    return [f'if {test}:', *slow, 'else:', f'    {view_item(REGION, size, index)} = {value}']


def ram_masks(size: int) -> dict:
    """RAMMASKn for the DBT's single test: the largest power-of-two window of RAM; and
    POISON, the offset a slow path leaves in ``_o``."""
    window = 1 << (size.bit_length() - 1)
    return {**{f'RAMMASK{n}': str(-window | (n - 1)) for n in (4, 2, 1)}, 'POISON': '-1'}
