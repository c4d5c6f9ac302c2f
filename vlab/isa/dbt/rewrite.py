"""One guest instruction's semantics -> Python statements over register locals.

The statements come from the instruction's row of the ISA table (``spec.semantics``, the
string the interpreter compiles too; the language is defined in vlab/isa/spec/instr.py).
This module parses that string and rewrites it; it never restates what an instruction
does:

* operands become constants (``imm``, ``shamt``, ``pc``... are known at translation
  time) and registers become Python locals ``x5``, ``x10``... (x0 reads are the constant
  0); ``sx``, ``load``, ``store`` are rewritten by the interpreter's own rewriter
  (vlab/isa/semantics.py ``_Rewriter``), so both engines share one derivation;
* constant subexpressions are folded (``pc + imm`` becomes the branch target);
* loads and stores become inline fast paths (vlab/isa/dbt/memory.py);
* 32-bit masking is *lazy*: a result of ``+ - & | ^ << *`` (whose low 32 bits depend only
  on the operands' low 32 bits) stays unmasked until the value is *observed* -- compared,
  shifted right, divided, used as a signed value, stored, or written back to the hart.
  A register that only grows by bounded steps (``x = y + c``) may even stay unmasked
  across a loop's back edge (``linear``); any other is masked there.

Example: ``add a0, a0, t0`` becomes ``x10 = x10 + x5``; ``bnez s1, L`` after
``addi s1, s1, -1`` tests ``x9 & 0xffffffff`` without storing the masked value.
"""
from __future__ import annotations

import ast
import operator

from vlab.isa.dbt.memory import inline_load, inline_store
from vlab.isa.dbt.treewalk import FastTransformer, walk
from vlab.isa.semantics import MASK32, _known_u32, _Rewriter

FIELD_CONSTANTS = ('imm', 'shamt', 'csr', 'zimm', 'pred', 'succ', 'aq', 'rl')
ALL_REGISTERS = frozenset(f'x{n}' for n in range(1, 32))
WRAP_SAFE_OPS = (ast.Add, ast.Sub, ast.BitAnd, ast.BitOr, ast.BitXor, ast.Mult)
LOAD_CALLS = {'_load_1s', '_load_1u', '_load_2s', '_load_2u', '_load_4s', '_load_4u'}
STORE_CALLS = {'_store_1', '_store_2', '_store_4'}


class _Operands(FastTransformer, _Rewriter):
    """The interpreter's rewriter, with registers as locals and fields as constants."""

    def __init__(self, instr):
        f = instr.fields
        self.regs = {'rs1': f.get('rs1', 0), 'rs2': f.get('rs2', 0)}
        super().__init__(instr.spec, self.regs['rs1'] == 0, self.regs['rs2'] == 0)
        self.consts = {name: f.get(name, 0) for name in FIELD_CONSTANTS}
        self.consts.update(rd_num=f.get('rd', 0), rs1_num=self.regs['rs1'],
                           rs2_num=self.regs['rs2'], pc=instr.pc)

    def visit_Name(self, node):
        if isinstance(node.ctx, ast.Load):
            if node.id in self.regs:
                number = self.regs[node.id]
                return ast.Constant(0) if number == 0 else ast.Name(f'x{number}', ast.Load())
            if node.id in self.consts:
                return ast.Constant(self.consts[node.id])
        return node


BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
          ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.LShift: operator.lshift,
          ast.RShift: operator.rshift, ast.BitAnd: operator.and_, ast.BitOr: operator.or_,
          ast.BitXor: operator.xor}
UNARY = {ast.USub: operator.neg, ast.Invert: operator.invert, ast.Not: operator.not_}
COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt,
           ast.LtE: operator.le, ast.Gt: operator.gt, ast.GtE: operator.ge}


def _constant_value(node):
    """The value of an operator applied to constants (None if not foldable)."""
    try:
        if isinstance(node, ast.BinOp) and isinstance(node.left, ast.Constant) \
                and isinstance(node.right, ast.Constant):
            return BINARY[type(node.op)](node.left.value, node.right.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.operand, ast.Constant):
            return UNARY[type(node.op)](node.operand.value)
        if isinstance(node, ast.Compare) and len(node.ops) == 1 \
                and isinstance(node.left, ast.Constant) \
                and isinstance(node.comparators[0], ast.Constant):
            return COMPARE[type(node.ops[0])](node.left.value, node.comparators[0].value)
    except (ArithmeticError, KeyError):
        return None                           # e.g. 0 // 0 on a path the guard never takes
    return None


class _Fold(FastTransformer):
    """Constant folding, ``v + 0`` -> ``v``, and ``if <constant>:`` -> the taken arm."""

    def generic_visit(self, node):
        node = super().generic_visit(node)
        if isinstance(node, ast.IfExp) and isinstance(node.test, ast.Constant):
            return node.body if node.test.value else node.orelse
        if isinstance(node, (ast.BinOp, ast.UnaryOp, ast.Compare)):
            value = _constant_value(node)
            if value is not None:
                return ast.copy_location(ast.Constant(value), node)
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.BitOr,
                                                                 ast.BitXor)) \
                and isinstance(node.right, ast.Constant) and node.right.value == 0:
            return node.left
        return node

    def visit_If(self, node):
        node = self.generic_visit(node)
        if isinstance(node.test, ast.Constant):
            return (node.body if node.test.value else node.orelse) or ast.Pass()
        return node


def _wrap_safe(node) -> bool:
    """True when the low 32 bits of ``node`` depend only on its inputs' low 32 bits."""
    if isinstance(node, (ast.Constant, ast.Name)):
        return True
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id in LOAD_CALLS
    if isinstance(node, ast.UnaryOp):
        return isinstance(node.op, (ast.Invert, ast.USub)) and _wrap_safe(node.operand)
    if isinstance(node, ast.BinOp):
        if isinstance(node.op, ast.LShift):      # amount must be exact: constant or v & 31
            amount = node.right
            small = isinstance(amount, ast.Constant) or (
                isinstance(amount, ast.BinOp) and isinstance(amount.op, ast.BitAnd)
                and isinstance(amount.right, ast.Constant) and amount.right.value >= 0)
            return small and _wrap_safe(node.left)
        return isinstance(node.op, WRAP_SAFE_OPS) and _wrap_safe(node.left) \
            and _wrap_safe(node.right)
    return False


def _mask(node):
    return ast.BinOp(left=node, op=ast.BitAnd(), right=ast.Constant(MASK32))


def _registers_read(node) -> set[str]:
    return {n.id for n in walk(node) if isinstance(n, ast.Name) and n.id[:1] == 'x'
            and n.id[1:].isdigit() and isinstance(n.ctx, ast.Load)}


class _InlineLoads(FastTransformer):
    def __init__(self, translator):
        self.translator = translator

    def visit_Call(self, node):
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in LOAD_CALLS:
            reuse, _ = self.translator.offset_reuse(node.args[0], int(node.func.id[6]))
            # the inline text as an opaque name: ast.unparse prints it verbatim
            return ast.Name(id=inline_load(node, self.translator.paged, reuse,
                                           self.translator.rebased), ctx=ast.Load())
        return node


# ------------------------------------------------------------------ one instruction
_MEMO: dict = {}
MEMO_LIMIT = 1 << 16


class InstructionTranslator:
    """Rewrites one instruction's semantics into statements over register locals.

    ``inexact`` is the set of register locals that may hold a value not yet masked to 32
    bits (lazy masking, see module docstring); ``linear`` those of them whose value can
    only have grown by a bounded amount (``x = y + c``, ``x = y - z`` with ``c``, ``z``
    exact): they may stay unmasked across a loop's back edge."""

    def __init__(self, paged: bool, inexact=frozenset(), rebased=frozenset()):
        self.paged = paged
        self.rebased = rebased              # locals holding ``register - BASE`` (rebase.py)
        self.inexact: set[str] = set(inexact)
        self.linear: set[str] = set(inexact)
        self.written: set[str] = set()
        self.touched: set[str] = set()
        self.offset: tuple | None = None    # (address whose RAM offset ``_o`` holds (Bare),
        #                                     largest access size tested on it)

    def offset_reuse(self, addr, size: int) -> tuple[bool, bool]:
        """(``_o`` already holds ``addr``'s offset, and an access of at least ``size``
        bytes already tested it: memory.py ``inline_store``); remember it for later."""
        text = ast.unparse(addr)
        if self.paged or self.offset is None or self.offset[0] != text:
            self.offset = (text, size)
            return False, False
        tested = self.offset[1]
        self.offset = (text, max(size, tested))
        return True, tested >= size

    def _forget_offset(self, name: str) -> None:
        if self.offset is not None and name in _registers_read(ast.parse(self.offset[0])):
            self.offset = None

    @property
    def exact(self) -> set[str]:
        return ALL_REGISTERS - self.inexact

    def statements(self, instr):
        """(lines, jump) for ``instr``; jump is None, ('static', pc) or ('dynamic',)
        -- the target is then in ``_npc`` -- or ('branch', test source, taken pc).

        Memoized: the result depends only on the instruction, its address and the
        masking state of its own registers (a trace re-translates its blocks' code)."""
        own = frozenset(f'x{instr.fields.get(r, 0)}' for r in ('rd', 'rs1', 'rs2')) - {'x0'}
        at = instr.pc if 'pc' in instr.spec.semantics else None     # only then pc matters
        key = (instr.word, at, self.paged, own & self.inexact, own & self.linear,
               self.offset, own & self.rebased)
        memo = _MEMO.get(key)
        if memo is None:
            before = (set(self.inexact), set(self.linear), self.touched, self.written)
            self.touched, self.written = set(), set()
            lines, jump = self._translate(instr)
            memo = (lines, jump, own & self.inexact, own & self.linear,
                    self.touched, self.written, self.offset)
            self.inexact, self.linear, self.touched, self.written = before
            if len(_MEMO) > MEMO_LIMIT:
                _MEMO.clear()
            _MEMO[key] = memo
        lines, jump, inexact, linear, touched, written, self.offset = memo
        self.inexact = (self.inexact - own) | inexact
        self.linear = (self.linear - own) | linear
        self.touched |= touched
        self.written |= written
        return list(lines), jump

    def _translate(self, instr):
        tree = ast.parse(instr.spec.semantics)
        tree = _Fold().visit(_Operands(instr).visit(tree))
        rd = instr.fields.get('rd', 0) if 'rd' in instr.spec.syntax else 0
        self.touched |= _registers_read(tree)
        if rd:
            self.touched.add(f'x{rd}')
        body = [stmt for stmt in tree.body if not isinstance(stmt, ast.Pass)]
        if len(body) == 1 and isinstance(body[0], ast.If) and not body[0].orelse \
                and self._assigns_next_pc(body[0].body):
            return self._branch(body[0])
        lines, jump = [], None
        for stmt in body:
            out, stmt_jump = self._statement(stmt, rd)
            lines += out
            jump = stmt_jump or jump
        return lines, jump

    @staticmethod
    def _assigns_next_pc(stmts):
        return len(stmts) == 1 and isinstance(stmts[0], ast.Assign) \
            and isinstance(stmts[0].targets[0], ast.Name) and stmts[0].targets[0].id == 'next_pc'

    def _observe(self, node) -> list[str]:
        """Mask the inexact registers an unsafe expression reads (they are observed)."""
        names = sorted(_registers_read(node) & self.inexact, key=lambda n: int(n[1:]))
        self.inexact -= set(names)
        self.linear -= set(names)
        return [f'{n} &= {MASK32:#x}' for n in names]

    def _branch(self, node):
        test = node.test
        zero_test = self._zero_test(test)
        lines = [] if zero_test else self._observe(test)
        target = _Fold().visit(node.body[0].value)
        if not isinstance(target, ast.Constant):
            raise ValueError('branch target is not a translation-time constant')
        return lines, ('branch', zero_test or ast.unparse(test), target.value & MASK32)

    def _zero_test(self, test) -> str | None:
        """``x == 0`` / ``x != 0`` on an unmasked register observes only its low 32 bits:
        test ``x & M`` and leave ``x`` unmasked (BEQZ/BNEZ closing a counted loop)."""
        if isinstance(test, ast.Compare) and len(test.ops) == 1 \
                and isinstance(test.ops[0], (ast.Eq, ast.NotEq)) \
                and isinstance(test.left, ast.Name) and test.left.id in self.inexact \
                and isinstance(test.comparators[0], ast.Constant) \
                and test.comparators[0].value == 0:
            masked = f'{test.left.id} & {MASK32:#x}'
            return masked if isinstance(test.ops[0], ast.NotEq) else f'not {masked}'
        return None

    def _statement(self, stmt, rd):
        if isinstance(stmt, ast.Assign) and isinstance(stmt.targets[0], ast.Name) \
                and stmt.targets[0].id in ('rd', 'next_pc'):
            value = stmt.value
            if stmt.targets[0].id == 'next_pc':
                return self._jump(value)
            return self._write_rd(value, rd), None
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Call) \
                and isinstance(stmt.value.func, ast.Name) and stmt.value.func.id in STORE_CALLS:
            reuse, checked = self.offset_reuse(stmt.value.args[0],
                                               int(stmt.value.func.id[7]))
            return inline_store(stmt.value, self.paged, self.exact, reuse,
                                self.rebased, checked), None
        lines = self._observe(stmt)
        stmt = _InlineLoads(self).visit(stmt)
        return lines + ast.unparse(stmt).split('\n'), None

    def _write_rd(self, value, rd):
        if isinstance(value, ast.Constant):
            value = ast.Constant(value.value & MASK32)
        safe = _wrap_safe(value) and not self._multiplies_growth(value)
        lines = [] if safe else self._observe(value)
        known = _known_u32(value, self.exact)
        if not known and not safe:
            value = _Fold().visit(_mask(value))
            known = _known_u32(value, self.exact) or isinstance(value, ast.Constant)
        calls = any(isinstance(n, ast.Call) for n in walk(value))
        value = _InlineLoads(self).visit(value)
        if not rd:                                   # x0: keep only a faulting load
            return lines + ([ast.unparse(value)] if calls else [])
        name = f'x{rd}'
        self.written.add(name)
        self._forget_offset(name)
        if known:
            self.inexact.discard(name)
            self.linear.discard(name)
        else:                                    # judge growth from the operands' state
            linear = self._grows_linearly(value)
            self.inexact.add(name)
            (self.linear.add if linear else self.linear.discard)(name)
        return lines + [f'{name} = {ast.unparse(value)}']

    def _multiplies_growth(self, value) -> bool:
        """``y << s`` or ``y * z`` on an unmasked value that is not growing linearly: the
        bits would pile up within one pass of a long path, so mask the operands first."""
        growing = self.inexact - self.linear
        return any(isinstance(n, ast.BinOp) and isinstance(n.op, (ast.LShift, ast.Mult))
                   and _registers_read(n) & growing for n in walk(value))

    def _grows_linearly(self, value) -> bool:
        """``y + c`` / ``y - c`` where ``y`` is exact or itself grows linearly and ``c`` is
        a constant or an exact register: each loop iteration adds less than 2**32, so
        the value may cross the back edge unmasked.  (``y << 5`` or ``y + y`` would grow
        exponentially: those are masked at the back edge.)"""
        if not (isinstance(value, ast.BinOp) and isinstance(value.op, (ast.Add, ast.Sub))):
            return False

        def bounded(v):
            return isinstance(v, ast.Constant) or (
                isinstance(v, ast.Name) and v.id in ALL_REGISTERS and v.id not in self.inexact)

        def linear_base(v):
            return isinstance(v, ast.Name) and v.id in ALL_REGISTERS and (
                v.id not in self.inexact or v.id in self.linear)

        left, right = value.left, value.right
        if linear_base(left) and bounded(right) and not (
                isinstance(right, ast.Name) and right.id == getattr(left, 'id', None)):
            return True
        return isinstance(value.op, ast.Add) and linear_base(right) and bounded(left) \
            and not (isinstance(left, ast.Name) and left.id == right.id)

    def _jump(self, value):
        lines = [] if _wrap_safe(value) else self._observe(value)
        if not _known_u32(value, self.exact):
            value = _Fold().visit(_mask(value))
        if isinstance(value, ast.Constant):
            return lines, ('static', value.value & MASK32)
        return lines + [f'_npc = {ast.unparse(value)}',
                        'if _npc & 3:', '    _misfetch(_npc)'], ('dynamic',)
