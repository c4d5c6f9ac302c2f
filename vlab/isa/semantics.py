"""Compile the ISA table's semantics strings into Python handler factories.

The semantics language is defined in vlab/isa/spec/instr.py.  This module turns one
row's statements into the source of a *factory*: a function that takes the decoded
operand fields of one instruction at one address and returns a zero-argument handler
that executes it and returns the next pc.  The interpreter calls the factory once per
decoded instruction (so operands are bound at decode time, not re-extracted at every
execution); the DBT can paste the same generated body into its translated blocks.

What the compiler does to the statements (a few AST rewrites, no other magic):

* ``rs1``/``rs2`` become ``R[_rs1]``/``R[_rs2]`` (``R`` is the register list); when the
  register is x0 they become the constant 0.
* ``rd = e`` becomes ``R[_rd] = (e) & 0xFFFFFFFF`` (the mask is dropped when ``e`` is
  provably already 32-bit unsigned).  When rd is x0 the statement is dropped, or kept as
  a bare expression when it calls something (a load into x0 still faults).
* ``next_pc = e`` becomes ``_npc = e`` plus the instruction-address-misaligned check; the
  handler returns ``_npc`` (or the precomputed ``pc + 4``).
* ``sx(v)`` is inlined as ``((v ^ 0x80000000) - 0x80000000)``, and ``sx(a) < sx(b)`` as
  ``(a ^ 0x80000000) < (b ^ 0x80000000)``.
* ``load(a, 4)`` becomes ``_load_4u(a)``, ``load(a, 1, signed=True)`` ``_load_1s(a)``,
  ``store(a, 2, v)`` ``_store_2(a, v)``: the memory port functions (vlab/isa/mmu.py).
* Decode-time constant subexpressions (only fields, ``pc`` and literals, e.g.
  ``pc + imm``) are computed once in the factory ("hoisted").

* With ``memory='bare'`` or ``'paged'`` a statement-level load/store gets its RAM fast path
  inlined (see the templates below); only unusual accesses call the port function.

Generated code for ``beq`` (print it with ``factory_source(BY_NAME['beq'])``)::

    def factory(_rd, _rs1, _rs2, imm, ..., pc, word):
        _k0 = pc + imm & 4294967295
        _npc4 = (pc + 4) & 0xffffffff
        def _h_beq():
            if R[_rs1] == R[_rs2]:
                _npc = _k0
                if _npc & 3:
                    _misfetch(_npc)
                return _npc
            return _npc4
        return _h_beq
"""
from __future__ import annotations

import ast

from vlab.isa.fastpath import handler_statements

MASK32 = 0xFFFFFFFF
FIELD_NAMES = ('imm', 'shamt', 'csr', 'zimm', 'pred', 'succ', 'aq', 'rl',
               'rd_num', 'rs1_num', 'rs2_num', 'pc')
FACTORY_PARAMS = ('_rd', '_rs1', '_rs2') + FIELD_NAMES + ('word',)
HELPERS = ('sx', 'tdiv', 'trem', 'load', 'store', 'load_reserved', 'store_conditional',
           'amo_load', 'csr_read', 'csr_write', 'trap', 'ecall', 'mret', 'sret', 'wfi',
           'fence_i', 'sfence_vma', 'hlv', 'hsv', 'hfence_vvma', 'hfence_gvma')
UNSIGNED_RESULT_CALLS = {'_load_1u', '_load_2u', '_load_4u', 'amo_load', 'load_reserved',
                         'store_conditional', 'csr_read', 'mret', 'sret', 'hlv'}


class SemanticsError(ValueError):
    """A semantics string that is not in the language (names the row)."""


def _name(id_, ctx=None):
    return ast.Name(id=id_, ctx=ctx or ast.Load())


def _mask(node):
    return ast.BinOp(left=node, op=ast.BitAnd(), right=ast.Constant(MASK32))


def _is_call(node, name):
    return isinstance(node, ast.Call) and isinstance(node.func, ast.Name) \
        and node.func.id == name


def _has_call(node):
    return any(isinstance(n, ast.Call) for n in ast.walk(node))


class _Rewriter(ast.NodeTransformer):
    """Operand, helper and sx rewrites (see module docstring)."""

    def __init__(self, spec, rs1_zero, rs2_zero):
        self.spec, self.rs1_zero, self.rs2_zero = spec, rs1_zero, rs2_zero

    def visit_Name(self, node):
        if node.id in ('rs1', 'rs2') and isinstance(node.ctx, ast.Load):
            if (self.rs1_zero if node.id == 'rs1' else self.rs2_zero):
                return ast.Constant(0)
            return ast.Subscript(value=_name('R'), slice=_name('_' + node.id), ctx=ast.Load())
        return node

    def visit_Compare(self, node):
        self.generic_visit(node)
        if len(node.ops) == 1 and isinstance(node.left, ast.BinOp) \
                and getattr(node.left, '_sx', False) \
                and getattr(node.comparators[0], '_sx', False):
            node.left = node.left.left                       # (v ^ S) - S  ->  v ^ S
            node.comparators[0] = node.comparators[0].left
        return node

    def visit_Call(self, node):
        self.generic_visit(node)
        if not isinstance(node.func, ast.Name):
            raise SemanticsError(f'{self.spec.name}: only plain helper calls are allowed')
        fname = node.func.id
        if fname == 'sx':
            flipped = ast.BinOp(left=node.args[0], op=ast.BitXor(),
                                right=ast.Constant(0x80000000))
            out = ast.BinOp(left=flipped, op=ast.Sub(), right=ast.Constant(0x80000000))
            out._sx = True
            return out
        if fname == 'load':
            size = node.args[1].value
            signed = any(k.arg == 'signed' and k.value.value for k in node.keywords) or (
                len(node.args) > 2 and node.args[2].value)
            return ast.Call(func=_name(f'_load_{size}{"s" if signed else "u"}'),
                            args=[node.args[0]], keywords=[])
        if fname == 'store':
            return ast.Call(func=_name(f'_store_{node.args[1].value}'),
                            args=[node.args[0], node.args[2]], keywords=[])
        if fname not in HELPERS:
            raise SemanticsError(f'{self.spec.name}: unknown helper {fname}()')
        return node


class _Hoister(ast.NodeTransformer):
    """Replace decode-time-constant subexpressions by names computed in the factory."""

    def __init__(self):
        self.hoisted: list[tuple[str, ast.expr]] = []

    def _constant(self, node):
        for n in ast.walk(node):
            if isinstance(n, ast.Name) and n.id not in FIELD_NAMES:
                return False
            if isinstance(n, (ast.Call, ast.Subscript, ast.NamedExpr)):
                return False
        return True

    def generic_visit(self, node):
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Compare, ast.BoolOp, ast.IfExp)) \
                and self._constant(node):
            name = f'_k{len(self.hoisted)}'
            self.hoisted.append((name, node))
            return _name(name)
        return super().generic_visit(node)


def _known_u32(node, known_names):
    """True when ``node`` surely evaluates to an int in [0, 2**32)."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, int) and 0 <= node.value <= MASK32
    if isinstance(node, ast.Subscript):
        return isinstance(node.value, ast.Name) and node.value.id == 'R'
    if isinstance(node, ast.Name):
        return node.id in known_names
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id in UNSIGNED_RESULT_CALLS
    if isinstance(node, ast.IfExp):
        return _known_u32(node.body, known_names) and _known_u32(node.orelse, known_names)
    if isinstance(node, ast.BinOp):
        left, right = (_known_u32(node.left, known_names), _known_u32(node.right, known_names))
        if isinstance(node.op, ast.BitAnd):
            return left or right
        if isinstance(node.op, (ast.BitOr, ast.BitXor, ast.FloorDiv, ast.Mod)):
            return left and right
        if isinstance(node.op, ast.RShift):
            return left
    return False


class _Assignments(ast.NodeTransformer):
    """rd / next_pc assignments (see module docstring)."""

    def __init__(self, rd_zero, known):
        self.rd_zero, self.known = rd_zero, known
        self.nested_jump = False
        self.depth = 0

    def visit_If(self, node):
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1
        return node

    def visit_Assign(self, node):
        target = node.targets[0]
        if not isinstance(target, ast.Name):
            return node
        value = node.value
        if target.id == 'rd':
            if self.rd_zero:
                return ast.Expr(value=value) if _has_call(value) else ast.Pass()
            if not _known_u32(value, self.known):
                value = _mask(value)
            store = ast.Subscript(value=_name('R'), slice=_name('_rd'), ctx=ast.Store())
            return ast.Assign(targets=[store], value=value)
        if target.id == 'next_pc':
            if self.depth:
                self.nested_jump = True
            if not _known_u32(value, self.known):
                value = _mask(value)
            check = ast.If(test=ast.BinOp(left=_name('_npc'), op=ast.BitAnd(),
                                          right=ast.Constant(3)),
                           body=[ast.Expr(ast.Call(func=_name('_misfetch'),
                                                   args=[_name('_npc')], keywords=[]))],
                           orelse=[])
            check._jump_check = True
            return [ast.Assign(targets=[_name('_npc', ast.Store())], value=value), check]
        return node


# ---------------------------------------------------------------- inlined memory access
# A load or store that is a whole statement (``rd = load(...)``, ``store(...)``) can be
# inlined for speed: the RAM fast path reads the memoryviews directly and only the unusual
# case calls the port function.  'bare': physical addresses; 'paged': the per-page
# permission views of the current context (each hit is a TLB hit).  The statements come
# from vlab/isa/fastpath.py, the one description of the fast path (ports, handlers, DBT).


def _memory_call(stmt):
    """(kind, size, signed, call node) for a statement-level load/store, else None."""
    if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Subscript):
        value = stmt.value
        if isinstance(value, ast.BinOp) and isinstance(value.op, ast.BitAnd):
            value = value.left
        if isinstance(value, ast.Call) and isinstance(value.func, ast.Name) \
                and value.func.id.startswith('_load_'):
            return 'load', int(value.func.id[6]), value.func.id.endswith('s'), value
    if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
            and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id.startswith('_store_'):
        return 'store', int(stmt.value.func.id[7]), False, stmt.value
    return None


def _inline_memory(body, style):
    """Replace statement-level loads/stores by inlined fast paths (fastpath.py)."""
    out, uses_hits = [], False
    for stmt in body:
        found = _memory_call(stmt)
        if found is None:
            out.append(stmt)
            continue
        kind, size, signed, call = found
        value = ast.unparse(call.args[1]) if kind == 'store' else None
        text = handler_statements(style, kind, size, signed, ast.unparse(call.args[0]), value)
        out.extend(ast.parse(text).body)
        uses_hits |= style == 'paged'
    if uses_hits:
        out.insert(0, ast.Global(names=['_hits']))
    return out


def _is_jump_check(stmt):
    return isinstance(stmt, ast.If) and getattr(stmt, '_jump_check', False)


def _returns_after_tail_jumps(body):
    """Append ``return _npc`` after a jump that ends a block in tail position.

    Returns True when every jump in ``body`` was given such a return."""
    all_tail = True
    for i, stmt in enumerate(body):
        last = i == len(body) - 1
        if isinstance(stmt, ast.If) and not _is_jump_check(stmt):
            if last:
                all_tail &= _returns_after_tail_jumps(stmt.body)
                all_tail &= _returns_after_tail_jumps(stmt.orelse)
            elif any(_is_jump_check(n) for n in ast.walk(stmt)):
                all_tail = False
        elif _is_jump_check(stmt) and not last:
            all_tail = False
    if body and _is_jump_check(body[-1]):
        body.append(ast.Return(value=_name('_npc')))
    return all_tail


def factory_source(spec, rd_zero=False, rs1_zero=False, rs2_zero=False,
                   memory: str = 'call') -> str:
    """Python source of ``def factory(...)`` for one table row and register variant.

    ``memory``: 'call' (loads/stores call the port functions), or 'bare'/'paged' (their
    RAM fast paths are inlined; the namespace must then supply _RAM_BASE, _RAM_SIZE,
    _DATA, _HALVES, _WORDS, _WATCH, _RVIEW_GET, _WVIEW_GET and _hits)."""
    try:
        tree = ast.parse(spec.semantics)
    except SyntaxError as e:
        raise SemanticsError(f'{spec.name}: semantics do not parse: {e}') from None
    tree = _Rewriter(spec, rs1_zero, rs2_zero).visit(tree)
    assigns = _Assignments(rd_zero, set())
    tree = assigns.visit(tree)
    if memory != 'call':
        tree.body = _inline_memory(tree.body, memory)
    hoister = _Hoister()
    tree = hoister.visit(tree)
    ast.fix_missing_locations(tree)
    prelude = [f'{name} = {ast.unparse(expr)}' for name, expr in hoister.hoisted]
    body = [stmt for stmt in tree.body if not isinstance(stmt, ast.Pass)]
    jumps = any(_is_jump_check(n) for n in ast.walk(tree))
    all_tail = _returns_after_tail_jumps(body)
    lines = [ast.unparse(stmt) for stmt in body]
    if jumps and not all_tail and assigns.nested_jump:
        lines.insert(0, '_npc = _npc4')
    if not (body and isinstance(body[-1], ast.Return)):
        lines.append('return _npc' if jumps and not all_tail else 'return _npc4')
    fname = '_h_' + spec.name.replace('.', '_')
    indented = '\n'.join('        ' + line for stmt in lines for line in stmt.split('\n'))
    params = ', '.join(FACTORY_PARAMS)
    pre = ''.join('    ' + p + '\n' for p in prelude)
    return (f'def factory({params}):\n'
            f'{pre}'
            f'    _npc4 = (pc + 4) & {MASK32:#x}\n'
            f'    def {fname}():\n'
            f'{indented}\n'
            f'    return {fname}\n')


def build_factory(spec, namespace: dict, rd_zero=False, rs1_zero=False, rs2_zero=False,
                  memory: str = 'call'):
    """Compile the factory in ``namespace`` (which supplies R, the ports and helpers)."""
    source = factory_source(spec, rd_zero, rs1_zero, rs2_zero, memory)
    code = compile(source, f'<semantics of {spec.name}>', 'exec')
    local: dict = {}
    exec(code, namespace, local)  # compiling our own ISA table
    factory = local['factory']
    factory.source = source
    return factory
